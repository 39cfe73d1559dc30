"""Playbook advice for real households: the ledger's facts through the pure rules.

The field app, ``knock advise`` and ``knock plan`` all come here, so a
collector's screen and the office's printout never disagree about what a
household is and what to do next.

The playbook is imported inside the functions: opening a home, the CLI's
``--help`` and the field app's first frame do not need it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from knock.core.accounts import Household, household_by_id

if TYPE_CHECKING:
    from knock.home import Home
    from knock.playbook.content import Text
    from knock.playbook.facts import HouseholdFacts
    from knock.playbook.rules import Advice, NextAction, TypeFinding

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after each household while a plan is worked out."""


@dataclass(frozen=True)
class HouseholdAdvice:
    """One household with its facts and the playbook's advice."""

    household: Household
    facts: HouseholdFacts
    advice: Advice


@dataclass(frozen=True)
class HouseholdTriage:
    """What a list of households needs from the playbook: types, group and next action, no cards.

    The same decisions as :func:`advise_household` (a test holds them equal),
    at about a third of the cost: the talking-point cards and objection
    answers, which only the household screen shows, are not rendered.
    """

    household: Household
    facts: HouseholdFacts
    types: tuple[TypeFinding, ...]
    group: str
    """``ordinary``, ``undecided`` or ``hard`` (the visit order's first key)."""
    next_action: NextAction
    """Its times are in the playbook's wall-clock time (naive)."""
    type_names: dict[str, Text]
    action_label: Text

    def type_label(self, locale: str, *, most: int = 2) -> str:
        """The leading debtor types' names (``尚未缴费 / 联系不上``); empty when nothing is owed."""
        return " / ".join(self.type_names[t.key].get(locale) if t.key in self.type_names else t.key for t in self.types[:most])  # type: ignore[arg-type]


def advise_household(home: Home, household: Household, *, now: datetime | None = None, collector: str | None = None) -> HouseholdAdvice:
    """Advice for a household already loaded (``now`` may be aware, as the ledger's clock is)."""
    from knock.core.household_facts import facts_for
    from knock.playbook.rules import advise

    now = now or home.ledger.now()
    facts = facts_for(home.store, household, now.date(), home.settings)
    return HouseholdAdvice(household, facts, advise(facts, home.settings, now, collector=collector))


def advise_room(home: Home, room: str, *, now: datetime | None = None, collector: str | None = None) -> HouseholdAdvice:
    """Advice for the household in ``room`` (any accepted room spelling)."""
    return advise_household(home, home.ledger.household(room), now=now, collector=collector)


def triage_household(home: Home, household: Household, *, now: datetime | None = None) -> HouseholdTriage:
    """The list-only part of :func:`advise_household`: debtor types, group and next action."""
    from knock.core.household_facts import facts_for
    from knock.playbook.content import load_playbook
    from knock.playbook.rules import triage

    now = now or home.ledger.now()
    book = load_playbook()
    facts = facts_for(home.store, household, now.date(), home.settings)
    found = triage(facts, home.settings, now, playbook=book)
    types, group, action = found.types, found.group, found.next_action
    names = {k: t.name for k, t in book.types.items()}
    return HouseholdTriage(household, facts, types, group, action, names, book.actions[action.key])


def assigned_household_ids(home: Home, staff_id: str, day: date) -> list[str]:
    """The households contracted to ``staff_id`` on ``day``."""
    rows = home.store.query("SELECT household_id FROM assignments WHERE day = ? AND staff_id = ?", (day.isoformat(), staff_id))
    return [r["household_id"] for r in rows]


def _assigned_households(home: Home, staff_id: str, day: date) -> list[Household]:
    found = (household_by_id(home.store, household_id) for household_id in assigned_household_ids(home, staff_id, day))
    return [h for h in found if h is not None]


def _plan_day(home: Home, day: date | None, now: datetime | None) -> tuple[date, datetime]:
    now = now or home.ledger.now()
    day = day or now.date()
    if day != now.date():
        now = datetime.combine(day, now.timetz())
    return day, now


def plan_for_collector(
    home: Home, staff_id: str, day: date | None = None, *, now: datetime | None = None, progress: Progress | None = None
) -> list[HouseholdAdvice]:
    """A collector's households for the day in visiting order (ordinary, undecided, hard; by building and floor).

    ``progress(done, total)`` is called after each household is advised.
    """
    from knock.playbook.rules import visit_order

    day, now = _plan_day(home, day, now)
    staff = home.ledger.staff(staff_id)
    households = _assigned_households(home, staff.staff_id, day)
    entries: dict[str, HouseholdAdvice] = {}
    for done, household in enumerate(households, start=1):
        entries[household.room] = advise_household(home, household, now=now, collector=staff.name)
        if progress is not None:
            progress(done, len(households))
    ordered = visit_order([(e.facts, e.advice) for e in entries.values()])
    return [entries[facts.room] for facts, _ in ordered]


def triage_for_collector(
    home: Home, staff_id: str, day: date | None = None, *, now: datetime | None = None, progress: Progress | None = None
) -> list[HouseholdTriage]:
    """:func:`plan_for_collector` for a list screen: the same order, types and next actions, no cards."""
    from knock.core.rooms import room_walk_key
    from knock.playbook.rules import GROUP_RANK

    day, now = _plan_day(home, day, now)
    staff = home.ledger.staff(staff_id)
    households = _assigned_households(home, staff.staff_id, day)
    entries: list[HouseholdTriage] = []
    for done, household in enumerate(households, start=1):
        entries.append(triage_household(home, household, now=now))
        if progress is not None:
            progress(done, len(households))
    # visit_order's key, on the triage's group (the same stable sort).
    return sorted(entries, key=lambda e: (GROUP_RANK[e.group], room_walk_key(e.facts.room)))
