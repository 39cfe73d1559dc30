"""Domain errors: each says what is wrong in words a person can act on."""

from __future__ import annotations


class LedgerError(Exception):
    """A ledger action that cannot be done; nothing was written."""


class NotFound(LedgerError):
    """No such room, staff member, receipt or record."""


class DuplicateCharge(LedgerError):
    """This household already has a charge for that item and period."""


class ContactCapReached(LedgerError):
    """The household was contacted as often today as the settings allow."""


class PermissionDenied(LedgerError):
    """The person asking may not do this (e.g. an override without a manager)."""


class QuietHours(LedgerError):
    """A visit, call or text in quiet hours (22:00-08:00 by default) without a manager's override."""
