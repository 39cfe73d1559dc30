"""A small office and two enrolled laptops, each a real home with its own key and clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from knock.core.events import Event
from knock.home import Home, open_home
from sync.devices import enrol_device, enrolment_bytes, join_office
from sync.export import export_sync_file
from sync.files import SyncFile, read_sync_file
from sync.merge import Merger, MergeRun
from tests.conftest import CST, FakeClock

DAY = date(2026, 11, 23)
ROOMS = ["1-1-101", "1-1-102", "1-1-201", "1-1-202", "2-1-101", "2-1-102"]


@dataclass
class World:
    """The office, laptops A07 and B02, the collectors and where files go."""

    office: Home
    a07: Home
    b02: Home
    office_clock: FakeClock
    a07_clock: FakeClock
    b02_clock: FakeClock
    stick: Path
    zhang: str
    li: str
    lead: str

    def give_office_events(self, laptop: Home) -> None:
        """What a full pack would bring: the office's chain (used where packs are not the subject)."""
        rows = self.office.store.query("SELECT * FROM events WHERE device_id = ? ORDER BY seq", (self.office.ledger.device.device_id,))
        have = int(laptop.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (self.office.ledger.device.device_id,)))
        laptop.ledger.journal.ingest_many([Event.from_row(r) for r in rows][have:])

    def export(self, laptop: Home, folder: Path | None = None) -> Path:
        """The laptop writes its sync file (to the stick by default)."""
        target = folder or self.stick
        return export_sync_file(laptop, target).path

    def merge(self, *paths: Path, dry_run: bool = False) -> MergeRun:
        """The lead merges at the office."""
        return Merger(self.office.ledger, author=self.lead).run(list(paths), dry_run=dry_run)

    def merge_bytes(self, data: bytes, name: str = "a07.sync.tar.gz") -> MergeRun:
        """The lead merges a file that came as bytes (as the server hands them over)."""
        return Merger(self.office.ledger, author=self.lead).run([(name, data)])

    def read(self, path: Path) -> SyncFile:
        return read_sync_file(path)


def _enrol(office: Home, laptop: Home, name: str) -> None:
    from knock.core.signing import public_key_b64

    enrolled = enrol_device(office.ledger, name, public_key_b64(laptop.key), author="office")
    join_office(laptop.store, laptop.key, enrolment_bytes(office.key, enrolled), f"{name}.enrol", now="2026-11-23T08:00:00+08:00")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    office_clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=CST))
    a07_clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=CST))
    b02_clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=CST))
    office = open_home(tmp_path / "office", clock=office_clock)
    a07 = open_home(tmp_path / "a07", clock=a07_clock)
    b02 = open_home(tmp_path / "b02", clock=b02_clock)
    led = office.ledger
    led.create_community("阳光花园")
    for room in ROOMS:
        led.register_household(room, f"业主{room}")
        led.add_charge(room, "property_fee", date(2026, 1, 1), date(2026, 6, 30), date(2026, 1, 15), 120000)
    zhang = led.register_staff("张伟", "guard")
    li = led.register_staff("李娜", "cleaner")
    lead = led.register_staff("王组长", "manager")
    households = {r["room"]: r["household_id"] for r in office.store.query("SELECT room, household_id FROM households")}
    led.set_assignments(DAY, {households[r]: (zhang if r.startswith("1-") else li) for r in ROOMS})
    _enrol(office, a07, "A07")
    _enrol(office, b02, "B02")
    stick = tmp_path / "stick"
    stick.mkdir()
    w = World(office, a07, b02, office_clock, a07_clock, b02_clock, stick, zhang, li, lead)
    w.give_office_events(a07)
    w.give_office_events(b02)
    for clock in (office_clock, a07_clock, b02_clock):
        clock.set(datetime(2026, 11, 23, 19, 30, tzinfo=CST))
    yield w
    for h in (office, a07, b02):
        h.close()


@pytest.fixture
def c09(world: World, tmp_path: Path) -> Iterator[Home]:
    """A new laptop C09 for 张伟 that has only ever had packs."""
    from knock.core.signing import public_key_b64

    laptop = open_home(tmp_path / "c09", clock=FakeClock(datetime(2026, 11, 23, 8, 30, tzinfo=CST)))
    enrolled = enrol_device(world.office.ledger, "C09", public_key_b64(laptop.key), author="office")
    join_office(laptop.store, laptop.key, enrolment_bytes(world.office.key, enrolled), "C09.enrol", now="2026-11-23T08:30:00+08:00")
    yield laptop
    laptop.close()
