"""Shared fixtures: a fresh home on a tmp folder with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from knock.home import Home, open_home

CST = timezone(timedelta(hours=8))


class FakeClock:
    """A settable device clock (China Standard Time)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when

    def advance(self, **kwargs: float) -> None:
        self.current = self.current + timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    """Monday 2026-11-23 19:30 in Hangzhou: inside the default door-visit window."""
    return FakeClock(datetime(2026, 11, 23, 19, 30, tzinfo=CST))


@pytest.fixture
def home(tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    """An empty Knock home in a tmp folder."""
    monkeypatch.setenv("KNOCK_HOME", str(tmp_path / "home"))
    opened = open_home(tmp_path / "home", clock=clock)
    yield opened
    opened.close()


def visiting_hours_clock() -> object:
    """The system clock moved to 19:30 today (still ticking): inside the door-visit window.

    Quiet hours (22:00-08:00) refuse a visit, so a test that logs contacts on
    the system clock would fail when the suite runs at night. Same date as the
    real clock, so "today" still agrees with ``date.today()``.
    """
    real = datetime.now().astimezone()
    shift = real.replace(hour=19, minute=30, second=0, microsecond=0) - real

    def now() -> datetime:
        return datetime.now().astimezone() + shift

    return now


@pytest.fixture
def visiting_hours(monkeypatch: pytest.MonkeyPatch) -> object:
    """The CLI (in-process) opens its home on :func:`visiting_hours_clock`; returns that clock."""
    import functools

    import knock.cli.common

    clock = visiting_hours_clock()
    monkeypatch.setattr(knock.cli.common, "open_home", functools.partial(open_home, clock=clock))
    return clock
