"""Quiet hours, windows and the daily cap, held at their edges."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from knock.playbook.guardrails import contact_allowed, in_quiet_hours, next_window
from knock.settings import Settings, Window

MON = datetime(2024, 9, 16)
"""A Monday."""


def at(hh: int, mm: int, day: datetime = MON) -> datetime:
    return day.replace(hour=hh, minute=mm)


@pytest.mark.parametrize(
    ("hh", "mm", "quiet"),
    [(21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True), (7, 59, True), (8, 0, False), (12, 0, False)],
)
@pytest.mark.parametrize("channel", ["door", "phone", "sms"])
def test_quiet_hours_edges(settings: Settings, hh: int, mm: int, quiet: bool, channel: str) -> None:
    verdict = contact_allowed(at(hh, mm), channel, 0, settings)  # type: ignore[arg-type]
    assert ("quiet_hours" in verdict.codes) is quiet
    assert verdict.allowed is not quiet, "quiet hours block a visit, call or text"
    assert verdict.blocked_by == (("quiet_hours",) if quiet else ())


@pytest.mark.parametrize("channel", ["door", "phone", "sms"])
def test_a_manager_override_lifts_quiet_hours_and_says_so(settings: Settings, channel: str) -> None:
    verdict = contact_allowed(at(22, 15), channel, 0, settings, quiet_override=True)  # type: ignore[arg-type]
    assert verdict.allowed and verdict.overridden == ("quiet_hours",) and "quiet_override" in verdict.codes
    assert any("22:00" in t for t in verdict.texts("en"))


def test_sunday_evening_and_meal_times_warn_but_do_not_block(settings: Settings) -> None:
    sunday = MON + timedelta(days=6)
    for when, code in ((at(19, 30, sunday), "no_collection"), (at(12, 0), "meal_or_rest")):
        verdict = contact_allowed(when, "door", 0, settings)
        assert verdict.allowed and code in verdict.codes and verdict.texts("zh")


def test_letters_have_no_time_rules(settings: Settings) -> None:
    assert contact_allowed(at(23, 0), "letter", 0, settings).codes == ()


def test_quiet_hours_move_with_settings(with_settings) -> None:  # type: ignore[no-untyped-def]
    s = with_settings("contact", quiet_start=time(21, 0), quiet_end=time(9, 0))
    assert "quiet_hours" in contact_allowed(at(21, 0), "door", 0, s).codes
    assert "quiet_hours" in contact_allowed(at(8, 30), "door", 0, s).codes
    assert "quiet_hours" not in contact_allowed(at(20, 59), "door", 0, s).codes
    assert "quiet_hours" not in contact_allowed(at(9, 0), "door", 0, s).codes


def test_quiet_hours_that_do_not_wrap_midnight(with_settings) -> None:  # type: ignore[no-untyped-def]
    s = with_settings("contact", quiet_start=time(0, 0), quiet_end=time(7, 0))
    assert in_quiet_hours(at(0, 0), s) and in_quiet_hours(at(6, 59), s)
    assert not in_quiet_hours(at(7, 0), s) and not in_quiet_hours(at(23, 59), s)


def test_visit_window_edges(settings: Settings) -> None:
    assert "outside_window" in contact_allowed(at(18, 59), "door", 0, settings).codes
    assert "outside_window" not in contact_allowed(at(19, 0), "door", 0, settings).codes
    assert "outside_window" not in contact_allowed(at(21, 29), "door", 0, settings).codes
    assert "outside_window" in contact_allowed(at(21, 30), "door", 0, settings).codes


def test_sunday_evening_is_no_collection(settings: Settings) -> None:
    sunday = MON - timedelta(days=1)
    assert "no_collection" in contact_allowed(at(19, 30, sunday), "door", 0, settings).codes
    assert "no_collection" not in contact_allowed(at(16, 59, sunday), "door", 0, settings).codes
    assert "no_collection" in contact_allowed(at(17, 0, sunday), "phone", 0, settings).codes
    assert "no_collection" not in contact_allowed(at(19, 30), "door", 0, settings).codes


def test_meal_times_warn_for_calls_and_visits(settings: Settings) -> None:
    assert "meal_or_rest" in contact_allowed(at(12, 0), "phone", 0, settings).codes
    assert "meal_or_rest" not in contact_allowed(at(14, 0), "phone", 0, settings).codes


def test_third_contact_is_allowed_fourth_is_blocked(settings: Settings) -> None:
    evening = at(19, 30)
    third = contact_allowed(evening, "door", 2, settings)
    assert third.allowed and "daily_cap" not in third.codes and not third.override_used
    fourth = contact_allowed(evening, "door", 3, settings)
    assert not fourth.allowed and "daily_cap" in fourth.codes


def test_fourth_contact_with_override_is_allowed_and_marked_for_the_log(settings: Settings) -> None:
    verdict = contact_allowed(at(19, 30), "phone", 3, settings, override=True)
    assert verdict.allowed and verdict.override_used and "cap_override" in verdict.codes
    assert verdict.to_dict("en")["override_used"] is True


def test_an_override_below_the_cap_changes_nothing(settings: Settings) -> None:
    verdict = contact_allowed(at(19, 30), "door", 1, settings, override=True)
    assert verdict.allowed and not verdict.override_used


def test_cap_moves_with_settings(with_settings) -> None:  # type: ignore[no-untyped-def]
    s = with_settings("contact", daily_cap=2)
    assert contact_allowed(at(19, 30), "door", 1, s).allowed
    assert not contact_allowed(at(19, 30), "door", 2, s).allowed


def test_warnings_speak_both_locales(settings: Settings) -> None:
    verdict = contact_allowed(at(22, 0), "door", 3, settings)
    for w in verdict.warnings:
        assert w.zh and w.en
    assert "22:00" in verdict.to_dict("en")["warnings"][0]["text"]  # type: ignore[index]


def test_next_window_starts_at_the_seed_defaults(settings: Settings) -> None:
    start, end = next_window(at(10, 0), settings.contact.visit_windows, settings)  # type: ignore[misc]
    assert (start, end) == (at(19, 0), at(21, 30))
    start, _ = next_window(at(21, 20), settings.contact.visit_windows, settings)  # type: ignore[misc]
    assert start == at(19, 0, MON + timedelta(days=1)), "ten minutes left is not a window"


def test_a_window_widened_into_the_night_is_clipped(with_settings) -> None:  # type: ignore[no-untyped-def]
    s = with_settings("contact", visit_windows=[Window(start=time(19, 0), end=time(23, 59))])
    start, end = next_window(at(10, 0), s.contact.visit_windows, s)  # type: ignore[misc]
    assert (start, end) == (at(19, 0), at(22, 0))


@hsettings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)),
    st.sampled_from(["visit_windows", "call_windows", "sms_windows"]),
)
def test_next_window_is_never_in_blocked_time(now: datetime, which: str) -> None:
    s = Settings()
    found = next_window(now, getattr(s.contact, which), s)
    assert found is not None
    start, end = found
    assert now <= start < end
    probe = start
    while probe < end:
        verdict = contact_allowed(probe, "door", 0, s)
        assert not {"quiet_hours", "no_collection", "meal_or_rest"} & set(verdict.codes), probe
        probe += timedelta(minutes=15)
