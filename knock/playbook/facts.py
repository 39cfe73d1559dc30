"""What the playbook rules may know about one household.

The ledger builds a :class:`HouseholdFacts` from its projections; the rules
are a pure function of these facts, the settings and the clock. Keeping the
rules off the database makes every debtor type testable from hand-built cases.

Times arrive normalised: every datetime in one :class:`HouseholdFacts` is on
the community's clock, ``zone`` (aware, in that zone), or naive wall time when
``zone`` is None (hand-built cases). The builder converts once
(:func:`knock.core.household_facts.facts_for`: the ledger's clock is aware and
sync files may carry other offsets); the rules never rewrite the facts, and a
time on another clock is refused when the facts are made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Literal

Occupancy = Literal["occupied", "vacant", "rented", "unknown"]
Channel = Literal["door", "phone", "sms", "letter"]
Outcome = Literal[
    "paid",
    "part_paid",
    "promised",
    "not_home",
    "refused",
    "complaint",
    "unreachable",
    "wrong_number",
    "note",
    "sent",
]
EscalationStep = Literal["dunning_letter", "lawyer_letter", "legal"]


@dataclass(frozen=True)
class ContactFact:
    """One logged contact attempt and how it went."""

    at: datetime
    channel: Channel
    outcome: Outcome
    collector: str = ""
    reason: str = ""
    """For refusals: the objection key (see the playbook's objections) or free text."""
    note: str = ""


@dataclass(frozen=True)
class PromiseFact:
    """A promise to pay. Kept or broken is derived from payments, never typed."""

    made_at: datetime
    due_date: date
    window: str
    """"morning", "afternoon" or "evening"."""
    amount_fen: int | None
    status: Literal["open", "kept", "broken"]


@dataclass(frozen=True)
class ComplaintFact:
    """A complaint or repair request raised during collection."""

    opened_at: datetime
    category: str
    """e.g. "defect" (building defect: cracks, leaks), "repair", "service", "staff", "noise"."""
    text: str
    status: Literal["open", "closed"]
    closed_at: datetime | None = None
    staff_involved: str = ""
    """Name of a staff member the complaint is about, if any (never sent to that household)."""


@dataclass(frozen=True)
class EscalationFact:
    """A letter sent or a hand-over to the legal department."""

    at: datetime
    step: EscalationStep


@dataclass(frozen=True)
class HouseholdFacts:
    """Everything the rules may look at for one household, as of ``today``."""

    room: str
    """Canonical room code, e.g. "3-2-501" (building-unit-room)."""
    owner_name: str
    occupancy: Occupancy
    owed_fen: int
    """Total principal still open (after payments and credits), in fen."""
    months_owed: int
    """How many distinct billing months have an open charge."""
    oldest_due: date | None
    """Due date of the oldest open charge; None when nothing is owed."""
    has_phone: bool = True
    contacts: tuple[ContactFact, ...] = ()
    promises: tuple[PromiseFact, ...] = ()
    complaints: tuple[ComplaintFact, ...] = ()
    escalations: tuple[EscalationFact, ...] = ()
    paid_history_months: int = 0
    """Months in the past two years in which the household paid something."""
    notes: str = ""
    owner_gender: Literal["m", "f", ""] = ""
    """For the greeting ("Mr/Ms Wang"); empty when unknown."""
    tags: frozenset[str] = field(default_factory=frozenset)
    """Free flags from the office, e.g. {"away"} for owners known to be out of town."""
    last_paid_at: datetime | None = None
    """When the household last paid anything (any channel: door, office, QR).

    A payment is an answer to a letter even when no collector logged a
    contact, so the escalation ladder needs it to know a letter was heeded.
    """
    zone: tzinfo | None = None
    """The clock every time above is on: aware times in this zone, or naive wall times when None."""

    def __post_init__(self) -> None:
        for at in self.times():
            off_clock = at.tzinfo is not None if self.zone is None else at.tzinfo != self.zone
            if off_clock:
                raise ValueError(f"{self.room}: {at.isoformat()} is not on the facts' clock ({self.zone or 'naive wall time'})")

    def times(self) -> list[datetime]:
        """Every datetime of these facts (what ``zone`` speaks for)."""
        found = [c.at for c in self.contacts] + [p.made_at for p in self.promises] + [x.at for x in self.escalations]
        for c in self.complaints:
            found.append(c.opened_at)
            if c.closed_at is not None:
                found.append(c.closed_at)
        if self.last_paid_at is not None:
            found.append(self.last_paid_at)
        return found
