"""The rules as a seasoned collection supervisor would have them, from household facts.

Each test builds the household a collector would meet and asks what the
playbook advises: spread attempts before "unreachable", hardship is not
refusal, depth of arrears matters, and nobody is sent back to a door that
just went unanswered.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from knock.playbook.guardrails import count_toward_cap
from knock.playbook.rules import advise, contacts_today, slot_of
from knock.settings import Settings

from .cases import NOW, contact, household, letter

FRIDAY_EVENING = NOW.replace(hour=19, minute=40)


def test_three_knocks_within_minutes_are_not_unreachable_and_get_no_letter(settings: Settings) -> None:
    """A fresh household owing six months, knocked three times at 19:30, 19:35 and 19:40 tonight."""
    knocks = tuple(dataclasses.replace(contact(0, "not_home"), at=FRIDAY_EVENING - timedelta(minutes=m)) for m in (10, 5, 0))
    facts = household(months_owed=6, owed_fen=90_000, oldest_due=date(2024, 3, 15), contacts=knocks)
    advice = advise(facts, settings, FRIDAY_EVENING)
    assert "unreachable" not in advice.type_keys
    assert advice.next_action.key not in ("dunning_letter", "lawyer_letter")
    assert advice.ladder.step is None
    window = advice.next_action.window
    assert window is not None and window.start.date() > FRIDAY_EVENING.date(), "not 'visit again now'"


def test_not_home_tonight_means_another_day_or_another_slot(settings: Settings) -> None:
    facts = household(contacts=(dataclasses.replace(contact(0, "not_home"), at=FRIDAY_EVENING - timedelta(minutes=5)),))
    action = advise(facts, settings, FRIDAY_EVENING).next_action
    assert action.window is not None
    assert (action.window.start.date(), slot_of(action.window.start)) != (FRIDAY_EVENING.date(), "evening")


def test_daytime_knocks_move_to_the_evening_then_the_phone_then_the_weekend(settings: Settings) -> None:
    tue_morning = contact(3, "not_home")  # Tuesday 10:00
    one = advise(household(contacts=(tue_morning,)), settings, NOW).next_action
    assert one.key == "visit" and one.window is not None and slot_of(one.window.start) == "evening"
    evening = dataclasses.replace(contact(2, "not_home"), at=datetime(2024, 9, 18, 19, 30))
    two = advise(household(contacts=(tue_morning, evening)), settings, NOW).next_action
    assert two.key == "call" and two.window is not None and two.window.start.weekday() in (4, 5)
    no_phone = advise(household(has_phone=False, contacts=(tue_morning, evening)), settings, NOW)
    assert no_phone.next_action.key in ("visit", "leave_notice")
    if no_phone.next_action.key == "visit":
        assert no_phone.next_action.window is not None and slot_of(no_phone.next_action.window.start) == "weekend_daytime"


def test_unreachable_needs_distinct_days_and_slots(settings: Settings) -> None:
    same_slot = household(contacts=(contact(5, "not_home"), contact(4, "not_home"), contact(3, "not_home")))  # Sun, Mon, Tue 10:00
    assert "unreachable" in advise(same_slot, settings, NOW).type_keys, "Sunday daytime and weekdays are two slots"
    weekdays = household(contacts=(contact(3, "not_home"), contact(2, "not_home"), contact(1, "not_home")))  # Tue-Thu 10:00
    assert "unreachable" not in advise(weekdays, settings, NOW).type_keys
    same_day = household(contacts=tuple(dataclasses.replace(contact(1, "not_home"), at=datetime(2024, 9, 19, h, 0)) for h in (10, 15, 20)))
    assert "unreachable" not in advise(same_day, settings, NOW).type_keys


def test_never_reached_gets_no_letter_until_the_walk_is_done(settings: Settings) -> None:
    knocks = (contact(12, "not_home"), contact(9, "not_home", "phone"), dataclasses.replace(contact(6, "not_home"), at=datetime(2024, 9, 14, 19, 30)))
    facts = household(months_owed=8, owed_fen=240_000, oldest_due=date(2024, 1, 15), contacts=knocks)
    advice = advise(facts, settings, NOW)
    assert advice.primary_type == "unreachable"
    assert advice.next_action.key == "leave_notice"
    assert advice.ladder.step is None and advice.ladder.held


def test_cant_afford_leads_to_an_instalment_application_not_a_letter(settings: Settings) -> None:
    said = (contact(20, "refused", reason="cant_afford"), contact(12, "refused", reason="cant_afford"), contact(5, "refused", reason="cant_afford"))
    facts = household(months_owed=5, owed_fen=150_000, oldest_due=date(2024, 4, 15), contacts=said)
    advice = advise(facts, settings, NOW)
    assert advice.primary_type == "hardship"
    assert "wilful_refusal" not in advice.type_keys
    assert advice.next_action.key == "instalment_application"
    assert advice.ladder.step is None
    assert any(c.key == "instalment_request" for c in advice.cards)
    text = " ".join(line.zh for c in advice.cards for line in c.lines)
    assert "经理" in text and "可以分期" not in text


def test_hardship_holds_a_letter_that_would_otherwise_be_due(settings: Settings) -> None:
    refusals = (contact(20, "refused"), contact(15, "refused"), contact(10, "refused"))
    facts = household(months_owed=5, owed_fen=150_000, oldest_due=date(2024, 4, 15), contacts=(*refusals, contact(2, "refused", reason="cant_afford")))
    advice = advise(facts, settings, NOW)
    assert advice.ladder.step is None
    assert any("分期" in h.zh for h in advice.ladder.held)


def test_a_payment_after_hardship_ends_it(settings: Settings) -> None:
    facts = household(months_owed=4, owed_fen=100_000, contacts=(contact(30, "refused", reason="cant_afford"),), last_paid_at=NOW - timedelta(days=10))
    assert "hardship" not in advise(facts, settings, NOW).type_keys


def test_busy_or_away_is_not_refusal(settings: Settings) -> None:
    busy = tuple(contact(d, "refused", reason="no_time") for d in (20, 12, 5))
    facts = household(months_owed=4, owed_fen=120_000, oldest_due=date(2024, 5, 15), contacts=busy)
    advice = advise(facts, settings, NOW)
    assert "wilful_refusal" not in advice.type_keys and "busy_away" in advice.type_keys
    assert advice.ladder.step is None


def test_only_debt_denying_refusals_count_toward_wilful_refusal(settings: Settings) -> None:
    denied = tuple(contact(d, "refused", reason="what_can_you_do") for d in (20, 12, 5))
    facts = household(months_owed=4, owed_fen=120_000, oldest_due=date(2024, 5, 15), contacts=denied)
    advice = advise(facts, settings, NOW)
    assert advice.primary_type == "wilful_refusal" and advice.ladder.step == "dunning_letter"
    disputes = tuple(contact(d, "refused", reason="start_date") for d in (20, 12, 5))
    assert "wilful_refusal" not in advise(dataclasses.replace(facts, contacts=disputes), settings, NOW).type_keys


def test_twenty_months_owed_is_not_an_ordinary_text(settings: Settings) -> None:
    facts = household(months_owed=20, owed_fen=600_000, oldest_due=date(2023, 1, 15), paid_history_months=0)
    advice = advise(facts, settings, NOW)
    assert advice.group != "ordinary"
    assert advice.next_action.key != "sms"
    assert advice.priority in ("high", "urgent")
    assert any("20" in r.zh for t in advice.types for r in t.reasons)


def test_depth_thresholds_come_from_settings(settings: Settings, with_settings) -> None:  # type: ignore[no-untyped-def]
    facts = household(months_owed=6, owed_fen=150_000, oldest_due=date(2024, 3, 15))
    assert advise(facts, settings, NOW).group == "ordinary"
    strict = with_settings("escalation", deep_arrears_months=6)
    assert advise(facts, strict, NOW).group == "undecided"
    assert advise(facts, with_settings("escalation", deep_arrears_fen=100_000), NOW).next_action.key == "visit"


def test_limitation_risk_raises_priority_and_goes_to_the_manager(settings: Settings) -> None:
    facts = household(months_owed=34, owed_fen=850_000, oldest_due=date(2021, 10, 15))
    advice = advise(facts, settings, NOW)
    assert advice.priority == "urgent"
    assert advice.next_action.key == "hand_to_manager"
    assert advice.alerts


def test_letters_count_toward_the_daily_cap_once(settings: Settings) -> None:
    sent = NOW.replace(hour=9)
    facts = household(
        contacts=(contact(0, "not_home"), dataclasses.replace(contact(0, "note"), at=sent), dataclasses.replace(contact(0, "not_home", "letter"), at=sent)),
        escalations=(dataclasses.replace(letter(0), at=sent),),
    )
    assert contacts_today(facts, NOW) == 2
    assert count_toward_cap(NOW.date(), [(sent, "door", "not_home")], [(sent, "dunning_letter"), (sent, "legal")]) == 2
    assert count_toward_cap(NOW.date(), [(sent - timedelta(days=1), "door", "not_home")], []) == 0
