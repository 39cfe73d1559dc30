"""Hand-built households for the playbook tests.

Every case is built from :class:`HouseholdFacts` directly, so each rule can be
pinned to the exact facts that trigger it without a ledger in between.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from knock.playbook.facts import ComplaintFact, ContactFact, EscalationFact, HouseholdFacts, PromiseFact

NOW = datetime(2024, 9, 20, 10, 0)
"""A Friday morning."""


def household(**overrides: Any) -> HouseholdFacts:
    """An ordinary occupied home owing one month, unless told otherwise."""
    base: dict[str, Any] = dict(
        room="3-2-501",
        owner_name="王芳",
        occupancy="occupied",
        owed_fen=30_000,
        months_owed=1,
        oldest_due=date(2024, 9, 15),
        owner_gender="f",
    )
    base.update(overrides)
    return HouseholdFacts(**base)


def contact(days_ago: float, outcome: str, channel: str = "door", reason: str = "", now: datetime = NOW) -> ContactFact:
    return ContactFact(at=now - timedelta(days=days_ago), channel=channel, outcome=outcome, reason=reason)  # type: ignore[arg-type]


def promise(made_days_ago: float, due_in_days: int, status: str, now: datetime = NOW, window: str = "evening") -> PromiseFact:
    made = now - timedelta(days=made_days_ago)
    return PromiseFact(made_at=made, due_date=(now + timedelta(days=due_in_days)).date(), window=window, amount_fen=None, status=status)  # type: ignore[arg-type]


def letter(days_ago: float, step: str = "dunning_letter", now: datetime = NOW) -> EscalationFact:
    return EscalationFact(at=now - timedelta(days=days_ago), step=step)  # type: ignore[arg-type]


def complaint(days_ago: float, category: str, text: str = "墙面开裂", status: str = "open", now: datetime = NOW) -> ComplaintFact:
    return ComplaintFact(opened_at=now - timedelta(days=days_ago), category=category, text=text, status=status)  # type: ignore[arg-type]
