"""What the nightly summary needs from sync, behind one small typed provider.

Three figures of the summary come from the end-of-day merge rather than from
the ledger's own projections: the cash each team lead counted, the laptops
that have not synced today, and the sync review items still open. The summary
asks a :class:`SyncFacts` for them, so it does not care how sync stores them.
Until a home has sync tables, :class:`NoSyncYet` answers, and the printout
says "not available" instead of printing zeros that look like facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class CashCount:
    """Cash a team lead counted from one collector at the end of the day."""

    staff_id: str
    counted_fen: int
    counted_by: str
    """Name of the team lead who counted it."""
    counted_at: datetime | None = None


@dataclass(frozen=True)
class UnsyncedDevice:
    """A laptop whose work of the day has not reached this ledger."""

    device_id: str
    name: str
    last_synced_at: datetime | None
    """When its last file was merged or it last synced; None: never."""
    staff_ids: tuple[str, ...] = ()
    """Who carried it today, when known (their rows in the summary name it)."""


@dataclass(frozen=True)
class ReviewItem:
    """Something a merge could not decide alone and left for a person."""

    item_id: str
    kind: str
    description: str
    opened_at: datetime | None
    device_name: str = ""


class SyncFacts(Protocol):
    """The provider the summary reads sync figures from."""

    @property
    def available(self) -> bool:
        """False when this home has no sync records at all (the figures are unknown, not zero)."""
        ...

    def cash_counts(self, day: date) -> Mapping[str, CashCount]:
        """staff_id -> the cash counted from that collector on ``day``."""
        ...

    def devices_not_synced(self, day: date) -> Sequence[UnsyncedDevice]:
        """Laptops with no merge or sync on ``day``."""
        ...

    def open_review_items(self, day: date) -> Sequence[ReviewItem]:
        """Review items opened on or before ``day`` and not yet resolved."""
        ...


class NoSyncYet:
    """The provider for a home without sync records: everything unknown."""

    available = False

    def cash_counts(self, day: date) -> Mapping[str, CashCount]:
        """Nothing counted."""
        return {}

    def devices_not_synced(self, day: date) -> Sequence[UnsyncedDevice]:
        """No devices known to sync."""
        return ()

    def open_review_items(self, day: date) -> Sequence[ReviewItem]:
        """No review queue."""
        return ()


@dataclass(frozen=True)
class FixedSyncFacts:
    """Sync figures given as values: for tests and for callers that already have them."""

    counts: Mapping[str, CashCount]
    unsynced: Sequence[UnsyncedDevice] = ()
    review: Sequence[ReviewItem] = ()
    available: bool = True

    def cash_counts(self, day: date) -> Mapping[str, CashCount]:
        """The counts given."""
        return self.counts

    def devices_not_synced(self, day: date) -> Sequence[UnsyncedDevice]:
        """The devices given."""
        return self.unsynced

    def open_review_items(self, day: date) -> Sequence[ReviewItem]:
        """The review items given."""
        return self.review


def sync_facts_for(store: object) -> SyncFacts:
    """The sync provider for a ledger: its sync records once the sync tables exist, else :class:`NoSyncYet`."""
    return NoSyncYet()
