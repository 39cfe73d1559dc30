"""What a collector decided to record, as plain values, before it is saved.

Dialogs build one of these; the household screen asks for confirmation, then
:func:`field_app.data.outcomes.save_outcome` writes it through the ledger in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knock.vocabulary import keys

from field_app.i18n import N_


@dataclass(frozen=True)
class Paid:
    """Money taken at the door (the whole amount owed, or part of it)."""

    room: str
    amount_fen: int
    method: str
    owed_fen: int
    payer: str = ""
    """Who handed over the money (交款人) when not the owner; the receipt names them."""
    overpay_confirmed: bool = False
    """The collector confirmed that more than is owed is meant (the rest is credit, 预存)."""
    again: bool = False
    """The collector confirmed a second payment for the household within minutes (see knock/core/payment_rules.py)."""
    reviewed: bool = False
    """The payment rules have been applied (and any confirmation asked)."""

    @property
    def outcome(self) -> str:
        """``paid`` when it settles everything, else ``part_paid``."""
        return "paid" if self.amount_fen >= self.owed_fen else "part_paid"


@dataclass(frozen=True)
class Promised:
    """A concrete appointment to pay: a day, a part of the day, maybe an amount."""

    room: str
    due_date: date
    window: str
    amount_fen: int | None = None


@dataclass(frozen=True)
class NotHome:
    """Nobody opened; maybe leave a notice with the payment QR."""

    room: str
    leave_notice: bool


@dataclass(frozen=True)
class Refused:
    """The owner refused; which objection they gave and a note."""

    room: str
    objection: str
    note: str = ""


@dataclass(frozen=True)
class Complaint:
    """A complaint or repair request; the office sees it the same day."""

    room: str
    category: str
    text: str


@dataclass(frozen=True)
class Unreachable:
    """The phone is dead or the number is wrong; maybe a new number."""

    room: str
    outcome: str
    """``unreachable`` or ``wrong_number``."""
    new_phone: str = ""


@dataclass(frozen=True)
class NoteOnly:
    """Just a note on the household's timeline."""

    room: str
    text: str
    reason: str = ""
    """A step of the playbook's ways-to-reach walk this note records as done
    (``asked_call_back``, ``records_checked``), or empty for a plain note."""


Outcome = Paid | Promised | NotHome | Refused | Complaint | Unreachable | NoteOnly
"""Anything a collector can record from the household screen."""


COMPLAINT_CATEGORIES = keys("complaint_categories")
"""Complaint categories, labelled in the vocabulary (the playbook reads ``defect`` and ``staff``)."""

COMPLAINT_PHRASES: dict[str, tuple[str, ...]] = {
    "repair": (N_("Water leaks"), N_("Pipe or drain blocked"), N_("Door, window or lock broken"), N_("Lift out of order")),
    "defect": (N_("Cracks in the walls"), N_("Ceiling or wall leaks"), N_("Damp or mould"), N_("Developer's promised repair not done")),
    "service": (N_("Cleaning not done"), N_("Security at the gate"), N_("Greenery not kept"), N_("Repair requests left waiting")),
    "staff": (N_("Rude or impatient"), N_("Promised and did not come back"), N_("Came at an unsuitable hour")),
    "noise": (N_("Noise from a neighbour"), N_("Building works out of hours")),
    "parking": (N_("Parking space taken"), N_("Car park gate or lights out of order")),
    "other": (),
}
"""Short phrases for the common complaints of each category: one key saves one (typing stays possible)."""
