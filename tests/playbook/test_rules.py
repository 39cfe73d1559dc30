"""The rules: debtor types from hand-built facts, the next action, the ladder, visit order."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from knock.playbook.content import DEBTOR_TYPES, GROUPS
from knock.playbook.facts import HouseholdFacts
from knock.playbook.guardrails import contact_allowed
from knock.advice import AdviceView
from knock.core.rooms import room_walk_key
from knock.core.household_facts import on_clock
from knock.playbook.rules import GROUP_RANK, advise, escalation_state, visit_order
from knock.settings import Settings

from .cases import NOW, complaint, contact, household, letter, promise

# --------------------------------------------------------------------------- each type, reachable


def _refused_three_months() -> HouseholdFacts:
    return household(
        months_owed=3,
        owed_fen=90_000,
        oldest_due=date(2024, 7, 15),
        contacts=(contact(10, "refused"), contact(8, "refused", "phone"), contact(6, "refused")),
    )


CASES: dict[str, Callable[[], HouseholdFacts]] = {
    "not_yet_paid": lambda: household(),
    "agrees_no_show": lambda: household(promises=(promise(11, -8, "broken"), promise(6, -3, "broken"))),
    "unreachable": lambda: household(
        contacts=(contact(5, "not_home"), contact(3, "unreachable", "phone"), contact(1, "not_home"))
    ),
    "defect_dispute": lambda: household(complaints=(complaint(20, "defect", "客厅墙面开裂"),)),
    "vacant": lambda: household(occupancy="vacant"),
    "soured": lambda: household(complaints=(complaint(40, "staff", "保安态度差", status="closed"),)),
    "busy_away": lambda: household(tags=frozenset({"away"})),
    "wilful_refusal": _refused_three_months,
    "hardship": lambda: household(months_owed=4, owed_fen=120_000, oldest_due=date(2024, 6, 15), contacts=(contact(3, "refused", reason="cant_afford"),)),
}


def test_every_type_has_a_case() -> None:
    assert set(CASES) == set(DEBTOR_TYPES)


@pytest.mark.parametrize("key", DEBTOR_TYPES)
def test_every_type_is_reachable_from_hand_built_facts(key: str, settings: Settings) -> None:
    advice = advise(CASES[key](), settings, NOW)
    assert advice.primary_type == key
    finding = advice.types[0]
    assert finding.reasons and all(r.zh and r.en for r in finding.reasons)
    cards = [c for c in advice.cards if c.type_key == key]
    assert len(cards) >= 3
    for card in cards:
        for line in card.lines:
            assert line.zh and line.en and "{" not in line.zh + line.en
    assert advice.tactics and advice.goal is not None


@pytest.mark.parametrize("key", DEBTOR_TYPES)
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_advice_is_json_in_both_locales(key: str, locale: str, settings: Settings) -> None:
    facts = CASES[key]()
    data = AdviceView.of(advise(facts, settings, NOW), facts, locale).to_json()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again["types"][0]["key"] == key
    assert again["next_action"]["label"]
    assert len(again["objections"]) >= 12


def test_reasons_are_in_words(settings: Settings) -> None:
    facts = household(
        promises=(promise(11, -8, "broken"), promise(8, -5, "broken"), promise(5, -2, "broken")),
    )
    advice = advise(facts, settings, NOW)
    finding = next(t for t in advice.types if t.key == "agrees_no_show")
    assert finding.reasons[0].en == "promised 3 times since 9 Sep, kept none"
    assert finding.reasons[0].zh == "自9月9日以来答应过3次，一次也没兑现"


def test_a_kept_promise_is_counted(settings: Settings) -> None:
    facts = household(promises=(promise(11, -8, "kept"), promise(8, -5, "broken"), promise(5, -2, "broken")))
    finding = next(t for t in advise(facts, settings, NOW).types if t.key == "agrees_no_show")
    assert finding.reasons[0].en == "promised 3 times since 9 Sep, kept 1"


def test_a_promise_left_open_after_its_day_counts_as_broken(settings: Settings) -> None:
    facts = household(promises=(promise(11, -8, "open"), promise(6, -3, "open")))
    assert "agrees_no_show" in advise(facts, settings, NOW).type_keys


def test_one_broken_promise_is_not_yet_a_pattern_unless_configured(settings: Settings, with_settings) -> None:  # type: ignore[no-untyped-def]
    facts = household(promises=(promise(6, -3, "broken"),))
    assert "agrees_no_show" not in advise(facts, settings, NOW).type_keys
    assert "agrees_no_show" in advise(facts, with_settings("contact", no_show_after_broken_promises=1), NOW).type_keys


def test_unreachable_needs_the_configured_run_of_failures(settings: Settings, with_settings) -> None:  # type: ignore[no-untyped-def]
    two = household(contacts=(contact(3, "not_home"), contact(1, "not_home")))
    assert "unreachable" not in advise(two, settings, NOW).type_keys
    assert "unreachable" in advise(two, with_settings("contact", unreachable_after_attempts=2, unreachable_min_slots=1), NOW).type_keys
    broken_run = household(contacts=(contact(5, "not_home"), contact(4, "not_home"), contact(3, "promised", "phone"), contact(1, "not_home")))
    assert "unreachable" not in advise(broken_run, settings, NOW).type_keys


def test_no_phone_and_never_reached_is_unreachable(settings: Settings) -> None:
    advice = advise(household(has_phone=False), settings, NOW)
    assert advice.primary_type == "unreachable"
    assert advice.next_action.key == "leave_notice"


def test_unreachable_walks_the_ways_to_reach_the_owner_before_any_letter(settings: Settings) -> None:
    """Sunday, Tuesday and Thursday knocks (weekend and weekday daytime): unreachable, and the walk begins."""
    knocks = (contact(5, "not_home"), contact(3, "not_home"), contact(1, "not_home"))
    steps = []
    done: tuple = ()
    for _ in range(6):
        facts = household(months_owed=6, owed_fen=180_000, oldest_due=date(2024, 3, 15), contacts=(*knocks, *done))
        advice = advise(facts, settings, NOW)
        assert advice.primary_type == "unreachable"
        key = advice.next_action.key
        steps.append(key)
        if key == "leave_notice":
            done += (dataclasses.replace(contact(1, "not_home"), note="notice"),)
        elif key == "call":
            done += (contact(0.9, "not_home", "phone"), contact(0.6, "not_home", "phone"))
        elif key == "ask_call_back":
            done += (contact(0.4, "note", reason="asked_call_back"),)
        elif key == "check_records":
            done += (contact(0.3, "note", reason="records_checked"),)
        else:
            break
    assert steps == ["leave_notice", "call", "ask_call_back", "check_records", "dunning_letter"]


def test_unreachable_cards_for_third_parties_carry_no_amount(settings: Settings) -> None:
    advice = advise(household(owed_fen=123_456, has_phone=False), settings, NOW)
    third = [c for c in advice.cards if c.audience == "third_party"]
    assert len(third) >= 3
    for card in third:
        for line in card.lines:
            assert "1,234.56" not in line.zh + line.en and "欠" not in line.zh


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("wall_cracks", "defect_dispute"), ("clubhouse_promise", "defect_dispute"), ("not_living_here", "vacant"), ("staff_rude", "soured"), ("no_time", "busy_away"), ("tenant", "busy_away")],
)
def test_a_logged_objection_points_to_its_type(reason: str, expected: str, settings: Settings) -> None:
    facts = household(contacts=(contact(2, "refused", reason=reason),))
    advice = advise(facts, settings, NOW)
    assert expected in advice.type_keys
    assert advice.objections[0].objection.key == reason and advice.objections[0].raised


def test_a_closed_defect_complaint_is_no_dispute(settings: Settings) -> None:
    facts = household(complaints=(complaint(20, "defect", status="closed"),))
    assert advise(facts, settings, NOW).type_keys == ("not_yet_paid",)


def test_rented_home_is_busy_away(settings: Settings) -> None:
    assert advise(household(occupancy="rented"), settings, NOW).primary_type == "busy_away"


def test_nothing_owed_means_wait(settings: Settings) -> None:
    advice = advise(household(owed_fen=0, months_owed=0, oldest_due=None), settings, NOW)
    assert advice.types == () and advice.next_action.key == "wait" and advice.group == "ordinary"


def test_group_is_the_hardest_of_the_types(settings: Settings) -> None:
    facts = dataclasses.replace(_refused_three_months(), occupancy="vacant")
    advice = advise(facts, settings, NOW)
    assert {"wilful_refusal", "vacant"} <= set(advice.type_keys)
    assert advice.primary_type == "wilful_refusal" and advice.group == "hard"


# --------------------------------------------------------------------------- next action


def test_not_yet_paid_starts_with_a_text(settings: Settings) -> None:
    action = advise(household(), settings, NOW).next_action
    assert action.key == "sms" and action.channel == "sms"
    assert action.window is not None and action.window.start == NOW


def test_reminders_start_on_the_configured_day(settings: Settings) -> None:
    early = datetime(2024, 9, 3, 10, 0)
    action = advise(household(oldest_due=date(2024, 9, 1)), settings, early).next_action
    assert action.key == "sms" and action.window is not None
    assert action.window.start == datetime(2024, 9, 6, 9, 0)


def test_text_then_call_then_visit(settings: Settings) -> None:
    texted_yesterday = household(contacts=(contact(1, "note", "sms"), contact(1, "not_home", "sms")))
    action = advise(texted_yesterday, settings, NOW).next_action
    assert action.key == "call" and action.not_before == NOW - timedelta(days=1) + timedelta(days=3)
    texted_long_ago = household(contacts=(contact(4, "not_home", "sms"),))
    action = advise(texted_long_ago, settings, NOW).next_action
    assert action.key == "call" and action.window is not None
    assert action.window.start == NOW.replace(hour=14), "Friday afternoon is the collection-call window"
    called = household(contacts=(contact(4, "not_home", "sms"), contact(2, "not_home", "phone")))
    assert advise(called, settings, NOW).next_action.key == "visit"


def test_visits_are_suggested_in_the_evening_window(settings: Settings) -> None:
    called = household(contacts=(contact(4, "not_home", "sms"), contact(2, "not_home", "phone")))
    window = advise(called, settings, NOW).next_action.window
    assert window is not None and (window.start, window.end) == (NOW.replace(hour=19), NOW.replace(hour=21, minute=30))


def test_no_visit_is_suggested_for_sunday_evening(settings: Settings) -> None:
    sunday_evening = datetime(2024, 9, 22, 18, 0)
    called = household(contacts=(contact(4, "not_home", "sms", now=sunday_evening), contact(2, "not_home", "phone", now=sunday_evening)))
    window = advise(called, settings, sunday_evening).next_action.window
    assert window is not None and window.start == datetime(2024, 9, 23, 19, 0)


def test_a_pending_promise_waits_and_is_reminded_the_day_before(settings: Settings) -> None:
    later = household(promises=(promise(1, 3, "open"),))
    action = advise(later, settings, NOW).next_action
    assert action.key == "wait" and action.not_before == datetime.combine(NOW.date() + timedelta(days=2), time(0))
    tomorrow = household(promises=(promise(1, 1, "open"),))
    assert advise(tomorrow, settings, NOW).next_action.key == "sms"
    today = household(promises=(promise(1, 0, "open"),))
    assert advise(today, settings, NOW).next_action.key == "wait"


def test_the_day_before_card_names_the_promised_part_of_day(settings: Settings) -> None:
    facts = household(promises=(promise(11, -8, "broken"), promise(6, -3, "broken"), promise(1, 1, "open", window="morning")))
    card = next(c for c in advise(facts, settings, NOW).cards if c.key == "day_before")
    assert any("明天上午" in line.zh for line in card.lines)
    assert any("Tomorrow, morning" in line.en for line in card.lines)


def test_an_open_complaint_about_staff_goes_to_a_manager(settings: Settings) -> None:
    facts = household(complaints=(complaint(3, "staff", "保洁员说话难听"),))
    advice = advise(facts, settings, NOW)
    assert advice.primary_type == "soured" and advice.next_action.key == "hand_to_manager"


def test_an_open_repair_complaint_means_a_visit_to_report(settings: Settings) -> None:
    facts = household(complaints=(complaint(3, "repair", "楼道灯不亮"),))
    advice = advise(facts, settings, NOW)
    assert advice.primary_type == "soured" and advice.next_action.key == "visit"
    report = next(c for c in advice.cards if c.key == "report_back")
    assert "楼道灯不亮" in report.lines[0].zh


@pytest.mark.parametrize(("today_count", "tomorrow"), [(2, False), (3, True)])
def test_the_daily_cap_pushes_the_next_contact_to_tomorrow(settings: Settings, today_count: int, tomorrow: bool) -> None:
    evening = NOW.replace(hour=19, minute=0)
    contacts = tuple(contact(i / 24, "refused", "door", now=evening) for i in range(1, today_count + 1))
    facts = household(contacts=(contact(4, "not_home", "sms"), *contacts))
    advice = advise(facts, settings, evening)
    assert advice.contacts_today == today_count
    window = advice.next_action.window
    assert window is not None
    assert (window.start.date() > evening.date()) is tomorrow
    assert contact_allowed(evening, "door", advice.contacts_today, settings).allowed is not tomorrow


# --------------------------------------------------------------------------- the escalation ladder


def _ladder(facts: HouseholdFacts, s: Settings, now: datetime = NOW) -> str | None:
    return escalation_state(facts, s, now).step


def test_dunning_letter_after_three_months_and_three_failed_contacts(settings: Settings) -> None:
    advice = advise(_refused_three_months(), settings, NOW)
    assert advice.next_action.key == "dunning_letter" and advice.next_action.channel == "letter"
    assert advice.next_action.window is None


def test_dunning_holds_back_at_two_months_or_two_failures(settings: Settings) -> None:
    assert _ladder(dataclasses.replace(_refused_three_months(), months_owed=2), settings) is None
    two = dataclasses.replace(_refused_three_months(), contacts=_refused_three_months().contacts[:2])
    assert _ladder(two, settings) is None


def test_broken_promises_and_no_answers_count_as_failed_contacts(settings: Settings) -> None:
    facts = household(
        months_owed=3,
        contacts=(contact(9, "not_home"), contact(7, "refused", "phone")),
        promises=(promise(6, -2, "broken"),),
    )
    assert _ladder(facts, settings) == "dunning_letter"


def test_dunning_thresholds_move_with_settings(with_settings) -> None:  # type: ignore[no-untyped-def]
    facts = _refused_three_months()
    assert _ladder(facts, with_settings("escalation", dunning_min_months=4)) is None
    assert _ladder(dataclasses.replace(facts, months_owed=4), with_settings("escalation", dunning_min_months=4)) == "dunning_letter"
    two = dataclasses.replace(facts, contacts=facts.contacts[:2])
    assert _ladder(two, with_settings("escalation", dunning_min_failed_contacts=2)) == "dunning_letter"
    assert _ladder(two, with_settings("escalation", dunning_min_failed_contacts=3)) is None


@pytest.mark.parametrize(("days", "quiet"), [(0, True), (6, True), (7 - 1 / 1440, True), (7, False), (8, False)])
def test_no_contact_for_seven_days_after_a_letter(settings: Settings, days: float, quiet: bool) -> None:
    facts = dataclasses.replace(_refused_three_months(), escalations=(letter(days),))
    advice = advise(facts, settings, NOW)
    assert (advice.next_action.key == "wait") is quiet
    assert (advice.ladder.quiet_until is not None) is quiet
    if quiet:
        assert advice.next_action.not_before == NOW - timedelta(days=days) + timedelta(days=7)


def test_quiet_days_move_with_settings(with_settings) -> None:  # type: ignore[no-untyped-def]
    facts = dataclasses.replace(_refused_three_months(), escalations=(letter(4),))
    assert advise(facts, with_settings("escalation", quiet_days_after_letter=5), NOW).next_action.key == "wait"
    advice = advise(facts, with_settings("escalation", quiet_days_after_letter=3), NOW)
    assert advice.next_action.key == "visit", "the letter's deadline is still running, so a lead visits"
    assert advice.ladder.due_at == NOW - timedelta(days=4) + timedelta(days=7)


def test_second_dunning_letter_when_the_first_is_unanswered(settings: Settings) -> None:
    facts = dataclasses.replace(_refused_three_months(), escalations=(letter(7),))
    assert _ladder(facts, settings) == "dunning_letter"


def test_lawyer_letter_only_after_two_unanswered_dunning_letters(settings: Settings) -> None:
    facts = dataclasses.replace(_refused_three_months(), escalations=(letter(20), letter(7)))
    assert _ladder(facts, settings) == "lawyer_letter"
    assert advise(facts, settings, NOW).next_action.key == "lawyer_letter"


def test_lawyer_letter_waits_for_the_second_letters_deadline(with_settings) -> None:  # type: ignore[no-untyped-def]
    s = with_settings("escalation", quiet_days_after_letter=2)
    facts = dataclasses.replace(_refused_three_months(), escalations=(letter(20), letter(6)))
    assert _ladder(facts, s) is None
    assert _ladder(dataclasses.replace(facts, escalations=(letter(20), letter(7))), s) == "lawyer_letter"


def test_lawyer_letter_holds_back_below_the_months_threshold(with_settings) -> None:  # type: ignore[no-untyped-def]
    facts = dataclasses.replace(_refused_three_months(), escalations=(letter(20), letter(7)))
    state = escalation_state(facts, with_settings("escalation", lawyer_min_months=4), NOW)
    assert state.step is None and state.held
    assert "under 4" in state.held[0].en


def test_lawyer_letter_count_moves_with_settings(with_settings) -> None:  # type: ignore[no-untyped-def]
    facts = dataclasses.replace(_refused_three_months(), escalations=(letter(20), letter(7)))
    assert _ladder(facts, with_settings("escalation", lawyer_min_dunning_letters=3)) == "dunning_letter"
    three = dataclasses.replace(facts, escalations=(letter(30), letter(20), letter(7)))
    assert _ladder(three, with_settings("escalation", lawyer_min_dunning_letters=3)) == "lawyer_letter"


def test_a_payment_after_the_letters_resets_the_ladder(settings: Settings) -> None:
    facts = dataclasses.replace(
        _refused_three_months(), escalations=(letter(20), letter(9)), last_paid_at=NOW - timedelta(days=8)
    )
    assert _ladder(facts, settings) is None
    assert "wilful_refusal" not in advise(facts, settings, NOW).type_keys


def test_legal_department_after_the_lawyers_letter_runs_out(settings: Settings) -> None:
    base = dataclasses.replace(_refused_three_months(), escalations=(letter(40), letter(30)))
    at_14 = dataclasses.replace(base, escalations=(*base.escalations, letter(14, "lawyer_letter")))
    assert _ladder(at_14, settings) == "hand_to_manager"
    at_13 = dataclasses.replace(base, escalations=(*base.escalations, letter(13, "lawyer_letter")))
    assert _ladder(at_13, settings) is None
    handed = dataclasses.replace(base, escalations=(*at_14.escalations, letter(1, "legal")))
    advice = advise(handed, settings, NOW + timedelta(days=10))
    assert advice.ladder.with_legal and advice.next_action.key == "wait"


def test_an_open_complaint_holds_the_ladder(settings: Settings) -> None:
    facts = dataclasses.replace(_refused_three_months(), complaints=(complaint(30, "repair", "水管漏水"),))
    state = escalation_state(facts, settings, NOW)
    assert state.step is None and "complaint" in state.held[0].en
    assert advise(facts, settings, NOW).next_action.key == "visit"


def test_a_pending_promise_holds_the_ladder(settings: Settings) -> None:
    facts = dataclasses.replace(_refused_three_months(), promises=(promise(1, 4, "open"),))
    assert _ladder(facts, settings) is None
    assert advise(facts, settings, NOW).next_action.key == "wait"


def test_limitation_period_alert(settings: Settings) -> None:
    old = household(months_owed=30, oldest_due=date(2021, 11, 15))
    alerts = advise(old, settings, NOW).alerts
    assert alerts and "limitation" in alerts[0].en
    assert advise(household(months_owed=3, oldest_due=date(2024, 6, 15)), settings, NOW).alerts == ()


# --------------------------------------------------------------------------- guardrails in the advice


@hsettings(max_examples=150, deadline=None)
@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 31)),
    st.sampled_from(sorted(CASES)),
)
def test_advice_never_suggests_a_contact_in_quiet_hours_or_sunday_evening(now: datetime, key: str) -> None:
    s = Settings()
    facts = CASES[key]()
    action = advise(facts, s, now).next_action
    if action.window is None:
        return
    assert action.window.start >= now
    for probe in (action.window.start, action.window.end - timedelta(minutes=1)):
        codes = contact_allowed(probe, action.channel or "door", 0, s).codes
        assert "quiet_hours" not in codes and "no_collection" not in codes, (probe, codes)


# --------------------------------------------------------------------------- visit order

_TEMPLATES = {g: advise(CASES[k](), Settings(), NOW) for g, k in (("ordinary", "not_yet_paid"), ("undecided", "vacant"), ("hard", "wilful_refusal"))}

_rooms = st.tuples(st.integers(1, 12), st.integers(1, 3), st.integers(1, 33), st.integers(1, 4))
_items = st.lists(st.tuples(_rooms, st.sampled_from(GROUPS)), max_size=40)


def _make(items: list[tuple[tuple[int, int, int, int], str]]) -> list[tuple[HouseholdFacts, object]]:
    out = []
    for (building, unit, floor, door), group in items:
        facts = household(room=f"{building}-{unit}-{floor * 100 + door}")
        out.append((facts, dataclasses.replace(_TEMPLATES[group], room=facts.room)))
    return out


@hsettings(max_examples=200, deadline=None)
@given(_items)
def test_visit_order_is_a_stable_total_order(items: list[tuple[tuple[int, int, int, int], str]]) -> None:
    pairs = _make(items)
    ordered = visit_order(pairs)  # type: ignore[arg-type]
    assert sorted(map(id, ordered)) == sorted(map(id, pairs)), "a permutation of the input"
    keys = [(GROUP_RANK[a.group], room_walk_key(f.room)) for f, a in ordered]
    assert keys == sorted(keys), "ordinary < undecided < hard, then building, unit, floor"
    position = {id(p): i for i, p in enumerate(pairs)}
    for before, after in zip(ordered, ordered[1:]):
        if (GROUP_RANK[before[1].group], room_walk_key(before[0].room)) == (GROUP_RANK[after[1].group], room_walk_key(after[0].room)):
            assert position[id(before)] < position[id(after)], "ties keep their input order"
    assert visit_order(ordered) == ordered


@hsettings(max_examples=100, deadline=None)
@given(_items)
def test_visit_order_keeps_each_building_together_within_a_group(items: list[tuple[tuple[int, int, int, int], str]]) -> None:
    ordered = visit_order(_make(items))  # type: ignore[arg-type]
    seen: set[tuple[str, str]] = set()
    previous: tuple[str, str] | None = None
    for facts, advice in ordered:
        block = (advice.group, facts.room.split("-")[0])
        if block != previous:
            assert block not in seen, f"{block} visited twice"
            seen.add(block)
            previous = block


def test_visit_order_example(settings: Settings) -> None:
    rooms = [("10-1-201", "hard"), ("2-1-301", "ordinary"), ("2-1-101", "undecided"), ("9-2-1502", "ordinary"), ("2-1-102", "ordinary")]
    pairs = _make([((int(r.split("-")[0]), int(r.split("-")[1]), int(r.split("-")[2]) // 100, int(r.split("-")[2]) % 100), g) for r, g in rooms])
    assert [f.room for f, _ in visit_order(pairs)] == ["2-1-102", "2-1-301", "9-2-1502", "2-1-101", "10-1-201"]  # type: ignore[arg-type]



# --------------------------------------------------------------------------- time zones

CST = timezone(timedelta(hours=8))


def _aware_case(facts: HouseholdFacts, tz: timezone) -> HouseholdFacts:
    """The same facts with every time on ``tz``'s clock, as the builder hands them over (the same moments if tz is +08:00)."""
    def shift(dt: datetime) -> datetime:
        return dt.replace(tzinfo=CST).astimezone(tz)

    return dataclasses.replace(
        facts,
        contacts=tuple(dataclasses.replace(c, at=shift(c.at)) for c in facts.contacts),
        promises=tuple(dataclasses.replace(p, made_at=shift(p.made_at)) for p in facts.promises),
        complaints=tuple(dataclasses.replace(c, opened_at=shift(c.opened_at)) for c in facts.complaints),
        escalations=tuple(dataclasses.replace(e, at=shift(e.at)) for e in facts.escalations),
        zone=tz,
    )


@pytest.mark.parametrize("key", DEBTOR_TYPES)
@pytest.mark.parametrize("now_tz", [CST, timezone.utc], ids=["+08", "utc"])
def test_aware_facts_give_the_same_advice_on_the_facts_clock(key: str, now_tz: timezone, settings: Settings) -> None:
    """Facts on the community's clock (+08:00, as the builder makes them); ``now`` the same moment in any zone.

    Same advice as the naive wall-time case, and the advice's times on the facts' clock.
    """
    naive = advise(CASES[key](), settings, NOW)
    aware = advise(_aware_case(CASES[key](), CST), settings, NOW.replace(tzinfo=CST).astimezone(now_tz))
    assert aware.type_keys == naive.type_keys
    assert [t.reasons for t in aware.types] == [t.reasons for t in naive.types]
    assert aware.next_action.key == naive.next_action.key
    assert aware.next_action.not_before == naive.next_action.not_before.replace(tzinfo=CST)
    if naive.next_action.window:
        assert aware.next_action.window is not None
        assert aware.next_action.window.start == naive.next_action.window.start.replace(tzinfo=CST)
        assert aware.next_action.window.start.utcoffset() == timedelta(hours=8)
    json.dumps(AdviceView.of(aware, CASES[key](), "en").to_json())


def test_a_contact_stored_in_utc_counts_on_the_local_day(settings: Settings) -> None:
    """01:00 UTC is 09:00 in Hangzhou: the builder puts it on the local clock, the same day as a 10:00 +08:00 clock."""
    morning = on_clock("2024-09-20T01:00:00+00:00", CST)
    assert morning == datetime(2024, 9, 20, 9, 0, tzinfo=CST) and morning.utcoffset() == timedelta(hours=8)
    facts = household(contacts=tuple(dataclasses.replace(contact(0, "refused"), at=morning) for _ in range(3)), zone=CST)
    advice = advise(facts, settings, NOW.replace(tzinfo=CST))
    assert advice.contacts_today == 3
    assert advice.next_action.window is not None and advice.next_action.window.start.date() > NOW.date()


def test_a_time_stored_without_offset_is_wall_time_on_the_clock() -> None:
    assert on_clock("2024-09-20T21:30:00", CST) == datetime(2024, 9, 20, 21, 30, tzinfo=CST)
    assert on_clock("2024-09-20T21:30:00", None) == datetime(2024, 9, 20, 21, 30)


@pytest.mark.parametrize(
    ("at", "zone"),
    [
        (datetime(2024, 9, 20, 1, 0, tzinfo=timezone.utc), CST),  # another offset: the builder should have converted it
        (datetime(2024, 9, 20, 9, 0), CST),  # naive among aware facts
        (datetime(2024, 9, 20, 9, 0, tzinfo=CST), None),  # aware among naive facts
    ],
)
def test_facts_off_their_clock_are_refused_when_made(at: datetime, zone: timezone | None) -> None:
    """The rules never convert, so facts on two clocks cannot be made at all."""
    with pytest.raises(ValueError, match="not on the facts' clock"):
        household(contacts=(dataclasses.replace(contact(0, "refused"), at=at),), zone=zone)
