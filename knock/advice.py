"""Playbook advice for real households: the ledger's facts through the pure rules.

The field app, ``knock advise`` and ``knock plan`` all come here, so a
collector's screen and the office's printout never disagree about what a
household is and what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from knock.core.accounts import Household, household_by_id
from knock.core.household_facts import facts_for
from knock.home import Home
from knock.playbook.facts import HouseholdFacts
from knock.playbook.rules import Advice, advise, visit_order


@dataclass(frozen=True)
class HouseholdAdvice:
    """One household with its facts and the playbook's advice."""

    household: Household
    facts: HouseholdFacts
    advice: Advice


def advise_household(home: Home, household: Household, *, now: datetime | None = None, collector: str | None = None) -> HouseholdAdvice:
    """Advice for a household already loaded."""
    now = now or home.ledger.now()
    facts = facts_for(home.store, household, now.date(), home.settings)
    return HouseholdAdvice(household, facts, advise(facts, home.settings, now, collector=collector))


def advise_room(home: Home, room: str, *, now: datetime | None = None, collector: str | None = None) -> HouseholdAdvice:
    """Advice for the household in ``room`` (any accepted room spelling)."""
    return advise_household(home, home.ledger.household(room), now=now, collector=collector)


def assigned_household_ids(home: Home, staff_id: str, day: date) -> list[str]:
    """The households contracted to ``staff_id`` on ``day``."""
    rows = home.store.query("SELECT household_id FROM assignments WHERE day = ? AND staff_id = ?", (day.isoformat(), staff_id))
    return [r["household_id"] for r in rows]


def plan_for_collector(home: Home, staff_id: str, day: date | None = None, *, now: datetime | None = None) -> list[HouseholdAdvice]:
    """A collector's households for the day in visiting order (ordinary, undecided, hard; by building and floor)."""
    now = now or home.ledger.now()
    day = day or now.date()
    if day != now.date():
        now = datetime.combine(day, now.timetz())
    staff = home.ledger.staff(staff_id)
    entries: dict[str, HouseholdAdvice] = {}
    for household_id in assigned_household_ids(home, staff.staff_id, day):
        household = household_by_id(home.store, household_id)
        if household is not None:
            entries[household.room] = advise_household(home, household, now=now, collector=staff.name)
    ordered = visit_order([(e.facts, e.advice) for e in entries.values()])
    return [entries[facts.room] for facts, _ in ordered]
