"""Reading a promised day as typed at the door."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knock.core.dates import DateTextError, parse_day

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10", date(2026, 12, 10)),
        ("10号", date(2026, 12, 10)),
        ("30", date(2026, 11, 30)),  # today counts
        ("31", date(2026, 12, 31)),  # November has no 31st
        ("12-10", date(2026, 12, 10)),
        ("12/10", date(2026, 12, 10)),
        ("１２－１０", date(2026, 12, 10)),  # a Chinese keyboard's full-width digits
        ("12月10日", date(2026, 12, 10)),
        ("1-5", date(2027, 1, 5)),  # January is next year's
        ("2026-12-10", date(2026, 12, 10)),
        ("明天", date(2026, 12, 1)),
        ("后天", date(2026, 12, 2)),
        ("大后天", date(2026, 12, 3)),
        ("周五", date(2026, 12, 4)),
        ("星期五", date(2026, 12, 4)),
        ("这周五", date(2026, 12, 4)),
        ("下周五", date(2026, 12, 11)),
        ("下周一", date(2026, 12, 7)),
        ("下下周二", date(2026, 12, 15)),
        ("周一", MONDAY),
        ("周日", date(2026, 12, 6)),
        ("fri", date(2026, 12, 4)),
        ("Friday", date(2026, 12, 4)),
        ("next fri", date(2026, 12, 11)),
        ("tomorrow", date(2026, 12, 1)),
    ],
)
def test_days_as_owners_say_them(typed: str, expected: date) -> None:
    assert parse_day(typed, MONDAY) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("soon", "unreadable"),
        ("下个月", "unreadable"),
        ("32", "no_such_day"),
        ("0", "no_such_day"),
        ("2-30", "no_such_day"),
        ("13-1", "no_such_day"),
        ("2026-11-29", "past"),
        ("2027-11-29", "too_far"),
        ("99999999999999999999", "unreadable"),
        ("12-10\x00", "unreadable"),
    ],
)
def test_what_is_not_a_day_says_why(typed: str, reason: str) -> None:
    with pytest.raises(DateTextError) as caught:
        parse_day(typed, MONDAY)
    assert caught.value.reason == reason


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 60))
def test_a_month_day_typed_is_that_day_within_a_year(today: date, ahead: int) -> None:
    target = today + timedelta(days=ahead)
    assert parse_day(f"{target.month}-{target.day}", today) == target
    assert parse_day(f"{target.month}月{target.day}日", today) == target


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.text(max_size=12))
def test_any_text_is_a_day_or_a_clear_refusal(today: date, typed: str) -> None:
    try:
        found = parse_day(typed, today)
    except DateTextError as error:
        assert error.reason in {"empty", "unreadable", "no_such_day", "past", "too_far"}
    else:
        assert today <= found <= today + timedelta(days=92)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(-2, 2), st.sampled_from(["T00:00:00+08:00", "T23:59:59+08:00", "T12:30:00Z", ""]))
def test_day_range_picks_the_rows_a_date_prefix_picks(day: date, shift: int, time_part: str) -> None:
    from knock.core.reports.collected import day_range

    stamp = (day + timedelta(days=shift)).isoformat() + time_part
    start, end = day_range(day)
    assert (start <= stamp < end) == (stamp[:10] == day.isoformat())
