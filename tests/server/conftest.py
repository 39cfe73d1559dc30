"""The sync world (office, laptops A07 and B02), with laptop clocks on real time so signed requests are fresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from knock.core.events import EventKind as K
from knock.home import Home
from tests.conftest import CST
from tests.server.server_process import ServerProcess, running_server
from tests.sync.conftest import World, world  # noqa: F401  (the fixture, reused)


def busy_day(w: World, laptop: Home, contacts: int, *, payments: tuple[str, ...] = ("1-1-101",), collector: str = "张伟", tag: str = "") -> None:
    """A day of visits (bulk, like a real day) and a few payments on ``laptop``."""
    staff = w.zhang if collector == "张伟" else w.li
    prefix = "1-" if collector == "张伟" else "2-"
    households = [r["household_id"] for r in laptop.store.query("SELECT household_id FROM households WHERE room LIKE ?", (f"{prefix}%",))]
    laptop.ledger.journal.append_many(
        (
            K.CONTACT_LOGGED,
            {
                "contact_id": f"C{tag}{laptop.ledger.device.device_id}{i:07d}", "household_id": households[i % len(households)], "channel": "door",
                "outcome": "not_home", "reason": "", "note": f"visit {i}", "collector_id": staff, "at": "2026-11-23T19:30:00+08:00",
                "override_by": "", "warnings": [], "seen_payment": "",
            },
            staff,
        )
        for i in range(contacts)
    )
    for room in payments:
        laptop.ledger.record_payment(room, 10000, method="cash", collector=collector)


def real_time(*homes_clocks: object) -> None:
    """Set the given FakeClocks to the real time (the server signs-checks against its own clock)."""
    for clock in homes_clocks:
        clock.set(datetime.now(CST))  # type: ignore[attr-defined]


@pytest.fixture
def server(world: World) -> Iterator[ServerProcess]:  # noqa: F811
    """A real server process for the world's office."""
    with running_server(world.office.path) as proc:
        yield proc
