"""Playbook advice for real households: the ledger's facts through the pure rules.

The field app, ``knock advise`` and ``knock plan`` all come here, so a
collector's screen and the office's printout never disagree about what a
household is and what to do next. Advice leaves here as one typed, frozen,
localised :class:`AdviceView`; ``--json`` is that view serialised.

Names: :func:`knock.playbook.rules.advise` is the pure rule (facts in,
bilingual :class:`~knock.playbook.rules.Advice` out); :func:`advise` here runs it
on a household of a home and returns the view. Lists use the cheaper
:func:`triage_household` (types and next action, no cards).

The playbook is imported inside the functions: opening a home, the CLI's
``--help`` and the field app's first frame do not need it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from knock.core.accounts import Household, household_by_id

if TYPE_CHECKING:
    from knock.home import Home
    from knock.playbook.content import Locale, Text
    from knock.playbook.facts import HouseholdFacts
    from knock.playbook.rules import Advice, NextAction, TypeFinding

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after each household while a plan is worked out."""


@dataclass(frozen=True)
class HouseholdTriage:
    """What a list of households needs from the playbook: types, group and next action, no cards.

    The same decisions as :func:`advise` (a test holds them equal),
    at about a third of the cost: the talking-point cards and objection
    answers, which only the household screen shows, are not rendered.
    """

    household: Household
    facts: HouseholdFacts
    types: tuple[TypeFinding, ...]
    group: str
    """``ordinary``, ``undecided`` or ``hard`` (the visit order's first key)."""
    next_action: NextAction
    """Its times are on the facts' clock (``facts.zone``, the ledger's zone)."""
    type_names: dict[str, Text]
    action_label: Text

    def type_label(self, locale: str, *, most: int = 2) -> str:
        """The leading debtor types' names (``尚未缴费 / 联系不上``); empty when nothing is owed."""
        return " / ".join(self.type_names[t.key].get(locale) if t.key in self.type_names else t.key for t in self.types[:most])  # type: ignore[arg-type]


def advise(
    home: Home, household: Household | str, *, locale: str, now: datetime | None = None, collector: str | None = None
) -> AdviceView:
    """The playbook's advice for a household (or a room, in any accepted spelling), in ``locale``.

    ``now`` may be aware, as the ledger's clock is; ``collector`` fills the
    "I'm ..." line of the cards.
    """
    from knock.core.household_facts import facts_for
    from knock.playbook.rules import advise as rule

    if isinstance(household, str):
        household = home.ledger.household(household)
    now = now or home.ledger.now()
    facts = facts_for(home.store, household, now.date(), home.settings, zone=now.tzinfo)
    return AdviceView.of(rule(facts, home.settings, now, collector=collector), facts, locale)


def triage_household(home: Home, household: Household, *, now: datetime | None = None) -> HouseholdTriage:
    """The list-only part of :func:`advise`: debtor types, group and next action."""
    from knock.core.household_facts import facts_for
    from knock.playbook.content import load_playbook
    from knock.playbook.rules import triage

    now = now or home.ledger.now()
    book = load_playbook()
    facts = facts_for(home.store, household, now.date(), home.settings, zone=now.tzinfo)
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
    home: Home, staff_id: str, day: date | None = None, *, locale: str, now: datetime | None = None, progress: Progress | None = None
) -> list[AdviceView]:
    """A collector's households for the day in visiting order (ordinary, undecided, hard; then the walking order).

    ``progress(done, total)`` is called after each household is advised.
    """
    from knock.core.household_facts import facts_for
    from knock.playbook.rules import advise as rule
    from knock.playbook.rules import visit_order

    day, now = _plan_day(home, day, now)
    staff = home.ledger.staff(staff_id)
    households = _assigned_households(home, staff.staff_id, day)
    advised = []
    for done, household in enumerate(households, start=1):
        facts = facts_for(home.store, household, now.date(), home.settings, zone=now.tzinfo)
        advised.append((facts, rule(facts, home.settings, now, collector=staff.name)))
        if progress is not None:
            progress(done, len(households))
    return [AdviceView.of(advice, facts, locale) for facts, advice in visit_order(advised)]


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


# -- the advice, as people see it ---------------------------------------------------------------


@dataclass(frozen=True)
class TypeView:
    """A debtor type that applies, with the facts that made it apply, in words."""

    key: str
    name: str
    group: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class WindowView:
    """When to act: a stretch already clear of quiet hours, Sunday evening and meals."""

    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True)
class ActionView:
    """The next best action and when to take it."""

    key: str
    label: str
    channel: str | None
    not_before: datetime
    window: WindowView | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CardView:
    """A talking-point card with this household's values filled in."""

    key: str
    type: str
    """The debtor type the card belongs to."""
    audience: str
    """``owner`` or ``third_party`` (third-party cards never mention money)."""
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class BasisView:
    """A legal or contractual fact an answer rests on."""

    key: str
    name: str
    fact: str


@dataclass(frozen=True)
class ObjectionView:
    """Something an owner may say, the polite answer, and what to do next."""

    key: str
    says: str
    answer: tuple[str, ...]
    follow_up: str
    """Key of the follow-up (``complaint``, ``appointment``, ``none``, ...)."""
    follow_up_label: str
    basis: tuple[BasisView, ...]
    raised: bool
    """True when this household has already said it."""


@dataclass(frozen=True)
class LadderView:
    """Where the household stands on the escalation ladder."""

    step: str | None
    quiet_until: datetime | None
    due_at: datetime | None
    with_legal: bool
    reasons: tuple[str, ...]
    held: tuple[str, ...]


@dataclass(frozen=True)
class AdviceView:
    """What the playbook says about one household, in one language, ready to show.

    The one form advice takes outside the playbook: the household screen shows
    it, ``knock advise`` prints it and ``knock advise --json`` is
    :meth:`to_json` of it. Built from the playbook's bilingual
    :class:`~knock.playbook.rules.Advice` by :meth:`of`.
    """

    room: str
    locale: str
    at: datetime
    owed_fen: int
    months_owed: int
    group: str
    group_label: str
    types: tuple[TypeView, ...]
    next_action: ActionView
    goal: str | None
    tactics: tuple[str, ...]
    cards: tuple[CardView, ...]
    objections: tuple[ObjectionView, ...]
    ladder: LadderView
    alerts: tuple[str, ...]
    contacts_today: int
    priority: str = "normal"
    """"urgent" (limitation period near), "high" (deep arrears or a hard case) or "normal"."""

    @classmethod
    def of(cls, advice: Advice, facts: HouseholdFacts, locale: str) -> AdviceView:
        """The playbook's advice for ``facts`` in ``locale`` (``zh`` unless ``en``)."""
        loc: Locale = "en" if locale == "en" else "zh"
        a, ladder = advice.next_action, advice.ladder

        def words(texts: tuple[Text, ...]) -> tuple[str, ...]:
            return tuple(t.get(loc) for t in texts)

        return cls(
            room=advice.room,
            locale=loc,
            at=advice.at,
            owed_fen=facts.owed_fen,
            months_owed=facts.months_owed,
            group=advice.group,
            group_label=advice.group_label.get(loc) if advice.group_label else advice.group,
            types=tuple(
                TypeView(t.key, advice.type_names[t.key].get(loc) if t.key in advice.type_names else t.key, t.group, words(t.reasons))
                for t in advice.types
            ),
            next_action=ActionView(
                key=a.key,
                label=advice.action_label.get(loc),
                channel=a.channel,
                not_before=a.not_before,
                window=None if a.window is None else WindowView(a.window.start, a.window.end, a.window.label(loc)),
                reasons=words(a.reasons),
            ),
            goal=advice.goal.get(loc) if advice.goal else None,
            tactics=words(advice.tactics),
            cards=tuple(CardView(c.key, c.type_key, c.audience, c.title.get(loc), words(c.lines)) for c in advice.cards),
            objections=tuple(
                ObjectionView(
                    key=o.objection.key,
                    says=o.objection.says.get(loc),
                    answer=words(o.answer),
                    follow_up=o.objection.follow_up,
                    follow_up_label=o.follow_up_label.get(loc),
                    basis=tuple(BasisView(b.key, b.name.get(loc), b.fact.get(loc)) for b in o.objection.basis),
                    raised=o.raised,
                )
                for o in advice.objections
            ),
            ladder=LadderView(ladder.step, ladder.quiet_until, ladder.due_at, ladder.with_legal, words(ladder.reasons), words(ladder.held)),
            alerts=words(advice.alerts),
            contacts_today=advice.contacts_today,
            priority=advice.priority,
        )

    @property
    def type_label(self) -> str:
        """The two leading debtor types' names (``尚未缴费 / 联系不上``); empty when nothing is owed."""
        return " / ".join(t.name for t in self.types[:2])

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why this type, then why this next action: what a collector reads first."""
        lead = self.types[0].reasons if self.types else ()
        return (*lead, *self.next_action.reasons)

    def to_json(self) -> dict[str, Any]:
        """This view as JSON-ready data (``--json``): the same fields, times as ISO text to the minute."""
        return _jsonable(dataclasses.asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
