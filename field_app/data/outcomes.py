"""Saving what happened at the door: one outcome, one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from knock.core.errors import LedgerError
from knock.home import Home
from knock.playbook.guardrails import free_text_reminder

from field_app.i18n import _, get_locale
from field_app.labels import day_text, window_label
from field_app.outcomes import Complaint, NoteOnly, NotHome, Outcome, Paid, Promised, Refused, Unreachable


@dataclass(frozen=True)
class Saved:
    """What a saved outcome produced."""

    message: str
    receipt_no: str = ""
    owed_after_fen: int | None = None
    leave_notice: bool = False
    reminders: tuple[str, ...] = ()
    """Gentle reminders for typed text the scanner flagged (the manager sees the flag)."""


def _typed_text(intent: Outcome) -> tuple[str, ...]:
    """The words a person typed in ``intent`` (notes, complaint texts, a refusal's note)."""
    return tuple(t for t in (getattr(intent, name, "") for name in ("note", "text")) if isinstance(t, str) and t.strip())


def save_outcome(
    home: Home, staff_id: str, intent: Outcome, *, override_by: str = "", override_reason: str = "", warnings: tuple[str, ...] = ()
) -> Saved:
    """Write one outcome through the ledger, all of it in one transaction.

    Raises :class:`LedgerError` (with a message to show) when the ledger refuses.
    Text the person typed is scanned; the gentle reminders come back in :class:`Saved`.
    """
    saved = _save_outcome(home, staff_id, intent, override_by=override_by, override_reason=override_reason, warnings=warnings)
    reminders = tuple(dict.fromkeys(r for text in _typed_text(intent) for r in free_text_reminder(text, get_locale())))
    return replace(saved, reminders=reminders) if reminders else saved


def _save_outcome(home: Home, staff_id: str, intent: Outcome, *, override_by: str, override_reason: str, warnings: tuple[str, ...]) -> Saved:
    ledger = home.ledger
    common: dict[str, Any] = {"collector": staff_id, "override_by": override_by, "override_reason": override_reason, "warnings": list(warnings)}
    with home.store.transaction():
        if isinstance(intent, Paid):
            result = ledger.record_payment(
                intent.room, intent.amount_fen, method=intent.method, collector=staff_id,
                payer=intent.payer, overpay_confirmed=intent.overpay_confirmed, again=intent.again,
            )
            # The payment is the record; a contact is added when the guardrails allow one
            # (an owner paying the guard at 22:30 is not a visit in quiet hours).
            if ledger.contact_verdict(intent.room, "door", override=bool(override_by), quiet_override=bool(override_by and override_reason)).allowed:
                ledger.log_contact(intent.room, channel="door", outcome=intent.outcome, note=result.receipt_no, **common)
            return Saved(_("Payment saved, receipt {no}").format(no=result.receipt_no), receipt_no=result.receipt_no, owed_after_fen=result.owed_after_fen)
        if isinstance(intent, Promised):
            contact_id = ledger.log_contact(intent.room, channel="door", outcome="promised", **common)
            ledger.make_promise(intent.room, due_date=intent.due_date, window=intent.window, collector=staff_id, amount_fen=intent.amount_fen, contact_id=contact_id)
            return Saved(_("Promise saved: {day} {window}").format(day=day_text(intent.due_date), window=window_label(intent.window)))
        if isinstance(intent, NotHome):
            note = "notice" if intent.leave_notice else ""
            ledger.log_contact(intent.room, channel="door", outcome="not_home", note=note, **common)
            return Saved(_("Saved: not home"), leave_notice=intent.leave_notice)
        if isinstance(intent, Refused):
            ledger.log_contact(intent.room, channel="door", outcome="refused", reason=intent.objection, note=intent.note, **common)
            return Saved(_("Saved: refused"))
        if isinstance(intent, Complaint):
            ledger.log_contact(intent.room, channel="door", outcome="complaint", note=intent.text, reason=intent.category, **common)
            ledger.open_complaint(intent.room, category=intent.category, text=intent.text, author=staff_id)
            return Saved(_("Complaint saved; the office sees it today"))
        if isinstance(intent, Unreachable):
            ledger.log_contact(intent.room, channel="phone", outcome=intent.outcome, note=intent.new_phone, **common)
            if intent.new_phone.strip():
                household = ledger.household(intent.room)
                phones = [intent.new_phone.strip()]
                if intent.outcome == "unreachable":
                    phones += [p for p in household.phones if p != intent.new_phone.strip()]
                ledger.update_household(intent.room, author=staff_id, phones=phones)
            return Saved(_("Saved: contact details updated") if intent.new_phone.strip() else _("Saved"))
        if isinstance(intent, NoteOnly):
            if not intent.text.strip():
                raise LedgerError(_("The note is empty"))
            ledger.log_contact(intent.room, channel="door", outcome="note", note=intent.text.strip(), reason=intent.reason, **common)
            return Saved(_("Note saved"))
    raise LedgerError(f"unknown outcome {intent!r}")
