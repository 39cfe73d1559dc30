"""The day's call list for customer-service staff: who to ring, in what order, and what to say.

Households are on it when the playbook's next action for them on that day is
a call (:func:`knock.playbook.rules.triage` decides). Calls happen in the
company's call windows (Friday and Saturday afternoons by default, as the
seeds advise). The order, and why:

1. missed or unfixed appointments first (agrees-but-never-comes): a promise
   is followed up while it is fresh;
2. then the playbook's groups: ordinary payers, the undecided, hard cases,
   so the quick answers come first, as on the walking round;
3. within a group, the most months owed first (the longer it runs, the
   harder it gets, and the nearer the limitation period);
4. then by room, so a tie always sorts the same way.

Each call carries the script for its debtor type: the playbook's card named
in ``knock/templates/reminders/calls.yaml``, filled for that household.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

import yaml

from knock.core.accounts import Household
from knock.core.household_facts import facts_for
from knock.core.ledger import Staff
from knock.core.rooms import parse_room
from knock.core.store import Store
from knock.paths import templates_dir
from knock.playbook.content import Text, load_playbook
from knock.playbook.guardrails import next_window
from knock.playbook.messages import surname_for, surname_of, title_for
from knock.playbook.rules import GROUP_RANK, advise, triage
from knock.reminders.batch import BatchError, _households
from knock.reminders.recipients import normalise
from knock.settings import Settings

URGENT_TYPES = frozenset({"agrees_no_show"})
"""Types whose call is about a promise: called first."""


@dataclass(frozen=True)
class Call:
    """One call to make."""

    household_id: str
    room: str
    greeting: str
    """How to address the owner: 王先生 / Mr Wang."""
    group: str
    type_key: str
    type_name: Text
    months_owed: int
    owed_fen: int
    reasons: tuple[Text, ...]
    """Why the playbook says call (its next action's reasons)."""
    script_title: Text
    script: tuple[Text, ...]
    phones: int
    """How many numbers may be dialled (the numbers themselves are revealed only on the call)."""

    def to_dict(self, locale: str = "zh") -> dict[str, object]:
        """JSON-ready form in ``locale`` (no phone numbers)."""
        return {
            "room": self.room,
            "greeting": self.greeting,
            "group": self.group,
            "type": self.type_key,
            "type_name": self.type_name.get(locale),  # type: ignore[arg-type]
            "months_owed": self.months_owed,
            "owed_fen": self.owed_fen,
            "reasons": [r.get(locale) for r in self.reasons],  # type: ignore[arg-type]
            "script_title": self.script_title.get(locale),  # type: ignore[arg-type]
            "script": [line.get(locale) for line in self.script],  # type: ignore[arg-type]
        }


@dataclass(frozen=True)
class SkippedCall:
    """A household the playbook would call, left off the list, and why."""

    room: str
    reason: Text


@dataclass(frozen=True)
class CallList:
    """The day's calls, in order."""

    day: date
    window: tuple[datetime, datetime]
    caller: str
    """The staff member making the calls (empty: not named)."""
    calls: tuple[Call, ...]
    skipped: tuple[SkippedCall, ...]

    def to_dict(self, locale: str = "zh") -> dict[str, object]:
        """JSON-ready form."""
        return {
            "day": self.day.isoformat(),
            "window": [w.isoformat(timespec="minutes") for w in self.window],
            "caller": self.caller,
            "calls": [c.to_dict(locale) for c in self.calls],
            "skipped": [{"room": s.room, "reason": s.reason.get(locale)} for s in self.skipped],  # type: ignore[arg-type]
        }


@lru_cache(maxsize=1)
def call_scripts() -> dict[str, str]:
    """Debtor type -> the playbook card used as its call script (checked against the playbook)."""
    path = templates_dir() / "reminders" / "calls.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BatchError(f"{path}: cannot read: {exc}") from None
    scripts = raw.get("scripts") if isinstance(raw, dict) else None
    if not isinstance(scripts, dict):
        raise BatchError(f"{path}: needs a 'scripts' mapping")
    book = load_playbook()
    for type_key, card in scripts.items():
        if type_key not in book.types:
            raise BatchError(f"{path}: scripts.{type_key}: no such debtor type")
        if card not in {c.key for c in book.types[type_key].cards}:
            raise BatchError(f"{path}: scripts.{type_key}: the type has no card {card!r}")
    return {str(k): str(v) for k, v in scripts.items()}


def dialable(household: Household) -> tuple[str, ...]:
    """The owner's own numbers (mobile or landline), never one also on file as someone else's."""
    others = {normalise(o.number) for o in household.other_phones}
    return tuple(p for p in household.phones if normalise(p) and normalise(p) not in others)


def call_day(settings: Settings, now: datetime, day: date | None = None) -> tuple[date, tuple[datetime, datetime]]:
    """The day of the list and its call window: ``day`` (which must have one) or the next day with one."""
    if day is None:
        found = next_window(now, settings.contact.call_windows, settings)
        if found is None:
            raise BatchError("no call window in the next two weeks: check contact.call_windows in settings.toml")
        return found[0].date(), found
    moment = now if day == now.date() else datetime.combine(day, time(0), tzinfo=now.tzinfo)
    found = next_window(moment, settings.contact.call_windows, settings)
    if found is None or found[0].date() != day:
        spans = "; ".join(f"{','.join(str(d) for d in w.weekdays)} {w.start:%H:%M}-{w.end:%H:%M}" for w in settings.contact.call_windows)
        raise BatchError(
            f"no call time left on {day} (contact.call_windows, weekdays 0=Mon: {spans}); leave out --date for the next call day"
        )
    return day, found


def _order_key(call: Call) -> tuple[object, ...]:
    return (0 if call.type_key in URGENT_TYPES else 1, GROUP_RANK[call.group], -call.months_owed, parse_room(call.room).code)


def build_call_list(
    store: Store,
    settings: Settings,
    now: datetime,
    *,
    day: date | None = None,
    caller: Staff | None = None,
    locale: str = "zh",
) -> CallList:
    """The calls for ``day`` (default: the next day with a call window), in the order above."""
    day, window = call_day(settings, now, day)
    moment = window[0]  # the start of the day's call window (or now, if it is already open)
    book = load_playbook()
    scripts = call_scripts()
    calls: list[Call] = []
    skipped: list[SkippedCall] = []
    for household in _households(store):
        facts = facts_for(store, household, day, settings, zone=moment.tzinfo)
        if facts.owed_fen <= 0:
            continue
        found = triage(facts, settings, moment, playbook=book)
        action = found.next_action
        capped = found.contacts_today >= settings.contact.daily_cap
        if action.key != "call" or (action.not_before.date() > day and not capped):
            continue
        if capped:
            skipped.append(SkippedCall(household.room, Text(f"当天已联系{found.contacts_today}次，到达上限", f"contacted {found.contacts_today} times that day, the limit")))
            continue
        numbers = dialable(household)
        if not numbers:
            skipped.append(SkippedCall(household.room, Text("没有业主本人的电话", "no number of the owner's own")))
            continue
        if caller is not None and any(
            c.status == "open" and c.staff_involved in (caller.name, caller.staff_id) for c in facts.complaints
        ):
            skipped.append(SkippedCall(household.room, Text(f"有关于{caller.name}的投诉，请换人打", f"an open complaint names {caller.name}: someone else should call")))
            continue
        advice = advise(facts, settings, moment, collector=caller.name if caller else None, playbook=book)
        primary = found.types[0].key
        wanted = scripts.get(primary)
        cards = [c for c in advice.cards if c.type_key == primary and c.audience == "owner"]
        card = next((c for c in cards if c.key == wanted), cards[0] if cards else None)
        calls.append(
            Call(
                household_id=household.household_id,
                room=household.room,
                greeting=surname_of(household.owner_name) + title_for(facts.owner_gender, "zh")
                if locale == "zh"
                else f"{title_for(facts.owner_gender, 'en')} {surname_for(household.owner_name, 'en')}",
                group=found.group,
                type_key=primary,
                type_name=book.types[primary].name,
                months_owed=facts.months_owed,
                owed_fen=facts.owed_fen,
                reasons=action.reasons,
                script_title=card.title if card else Text("", ""),
                script=card.lines if card else (),
                phones=len(numbers),
            )
        )
    calls.sort(key=_order_key)
    return CallList(day, window, caller.name if caller else "", tuple(calls), tuple(skipped))
