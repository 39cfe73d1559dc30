"""A merge killed with SIGKILL at any moment leaves the file fully merged or not at all."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from knock.core.events import EventKind as K
from knock.core.store import Store
from tests.sync.conftest import World

_MERGE = "import sys; from knock.cli.main import cli; sys.argv[0] = 'knock'; cli()"


def _busy_day(world: World, contacts: int) -> None:
    led = world.a07.ledger
    households = [r["household_id"] for r in world.a07.store.query("SELECT household_id FROM households WHERE room LIKE '1-%'")]
    led.journal.append_many(
        (
            K.CONTACT_LOGGED,
            {
                "contact_id": f"C{i:08d}", "household_id": households[i % len(households)], "channel": "door", "outcome": "not_home",
                "reason": "", "note": f"visit {i}", "collector_id": world.zhang, "at": "2026-11-23T19:30:00+08:00",
                "override_by": "", "warnings": [], "seen_payment": "",
            },
            world.zhang,
        )
        for i in range(contacts)
    )
    for room in ("1-1-101", "1-1-102", "1-1-201"):
        led.record_payment(room, 10000, method="cash", collector="张伟")


def _counts(path: Path, device: str) -> tuple[int, int, int]:
    store = Store(path)
    try:
        return (
            int(store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device,))),
            int(store.scalar("SELECT COUNT(*) FROM contacts")),
            int(store.scalar("SELECT COUNT(*) FROM payments")),
        )
    finally:
        store.close()


def test_merge_killed_at_random_points_then_merged_again_holds_every_event_once(world: World) -> None:
    _busy_day(world, 6000)
    path = world.export(world.a07)
    device = world.a07.ledger.device.device_id
    total = int(world.a07.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device,)))
    office_dir = world.office.path
    db = office_dir / "knock.db"
    world.office.close()
    env = {**os.environ, "KNOCK_HOME": str(office_dir)}
    command = [sys.executable, "-c", _MERGE, "sync", "merge", str(path), "--no-report"]
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    full = time.monotonic() - started
    # undo by starting from a copy of the office before the merge: rebuild the office each round
    assert _counts(db, device) == (total, 6000, 3)

    rng = random.Random(10)
    seen_states: set[str] = set()
    for round_no in range(4):
        fresh = office_dir.parent / f"office-{round_no}"
        _copy_home_before_merge(world, fresh)
        env_round = {**os.environ, "KNOCK_HOME": str(fresh)}
        proc = subprocess.Popen(command, env=env_round, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[2])
        time.sleep(rng.uniform(0.05, max(0.1, full)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        events, contacts, payments = _counts(fresh / "knock.db", device)
        assert (events, contacts, payments) in ((0, 0, 0), (total, 6000, 3)), f"round {round_no}: half-merged {events, contacts, payments}"
        seen_states.add("none" if events == 0 else "all")
        subprocess.run(command, env=env_round, check=True, capture_output=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
        assert _counts(fresh / "knock.db", device) == (total, 6000, 3)
    assert seen_states, "the kill never happened"


def _copy_home_before_merge(world: World, target: Path) -> None:
    """An office home in the state before the merge: its key and the office's own events."""
    import shutil

    from knock.core.events import Event

    target.mkdir()
    shutil.copy(world.office.path / "device.key", target / "device.key")
    source = Store(world.office.path / "knock.db")
    dest = Store(target / "knock.db")
    try:
        from knock.core.journal import Journal

        rows = source.query(
            "SELECT * FROM events WHERE device_id != ? AND kind != ? ORDER BY rowid", (world.a07.ledger.device.device_id, K.SYNC_MERGED)
        )
        office_rows = [r for r in rows if r["device_id"] == world.office.ledger.device.device_id]
        Journal(dest, "copy").ingest_many([Event.from_row(r) for r in office_rows if int(r["seq"]) <= _office_seq_before(source, world)])
    finally:
        source.close()
        dest.close()


def _office_seq_before(source: Store, world: World) -> int:
    """The office's last own event before the merge wrote its sync.merged / flags."""
    first_merge = source.scalar(
        "SELECT MIN(seq) FROM events WHERE device_id = ? AND kind IN (?, ?, ?)",
        (world.office.ledger.device.device_id, K.SYNC_MERGED, K.SYNC_FLAGGED, K.SYNC_PARKED),
    )
    return int(first_merge) - 1 if first_merge else 10**9
