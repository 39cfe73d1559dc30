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
