"""A server killed with SIGKILL mid-push, then the push repeated; many laptops pushing at once."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from knock.core.signing import public_key_b64
from knock.home import Home, open_home
from sync.devices import enrol_device, enrolment_bytes, join_office
from sync.online import ServerUnreachable, pending_events, sync_with_server
from tests.conftest import CST, FakeClock
from tests.server.conftest import busy_day
from tests.server.server_process import ServerProcess
from tests.sync.conftest import World


def _counts(w: World, device: str) -> tuple[int, int]:
    return (
        int(w.office.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device,))),
        int(w.office.store.scalar("SELECT COUNT(*) FROM contacts")),
    )


def test_server_killed_mid_push_then_pushed_again_holds_every_event_exactly_once(world: World) -> None:
    device = world.a07.ledger.device.device_id
    rng = random.Random(11)
    server = ServerProcess(world.office.path)
    outcomes: list[str] = []
    # One kill early enough to land on every machine (before or while the file goes up), the
    # others at random points while it is being merged; a fast machine must not dodge them all.
    delays = (0.01, rng.uniform(0.05, 0.4), rng.uniform(0.3, 0.8))
    try:
        server.start()
        for round_no in range(3):
            busy_day(world, world.a07, 4000, payments=(), tag=f"r{round_no}")
            world.a07_clock.set(datetime.now(CST))
            total = int(world.a07.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device,)))
            before, _ = _counts(world, device)
            errors: list[BaseException] = []

            def push() -> None:
                try:
                    sync_with_server(world.a07, server.url, timeout=20)
                except ServerUnreachable as exc:
                    errors.append(exc)

            worker = threading.Thread(target=push)
            worker.start()
            time.sleep(delays[round_no])
            server.kill9()
            worker.join(timeout=60)
            assert not worker.is_alive()
            outcomes.append("interrupted" if errors else "finished first")
            events, _ = _counts(world, device)
            assert events in (before, total), f"round {round_no}: half-merged ({events} of {total})"
            server = ServerProcess(world.office.path)
            server.start()
            world.a07_clock.set(datetime.now(CST))
            again = sync_with_server(world.a07, server.url, timeout=60)
            assert again.pending == 0
            assert _counts(world, device) == (total, 4000 * (round_no + 1)), f"round {round_no}"
    finally:
        server.stop()
    assert "interrupted" in outcomes, outcomes


def _laptop(w: World, tmp: Path, n: int) -> tuple[Home, FakeClock]:
    clock = FakeClock(datetime(2026, 11, 23, 19, 30, tzinfo=CST))
    laptop = open_home(tmp / f"laptop{n}", clock=clock)
    name = f"L{n:02d}"
    enrolled = enrol_device(w.office.ledger, name, public_key_b64(laptop.key), author="office")
    join_office(laptop.store, laptop.key, enrolment_bytes(w.office.key, enrolled), f"{name}.enrol", now="2026-11-23T08:00:00+08:00")
    w.give_office_events(laptop)
    return laptop, clock


LAPTOPS = 58
"""As many laptops as the sample company has collectors, all pushing at once."""
VISITS_EACH = 60
"""A short day each, so the crowd test stays quick; the benchmark pushes full days."""


def test_many_laptops_pushing_at_once_lose_nothing_duplicate_nothing_and_never_see_locked(world: World, tmp_path: Path) -> None:
    laptops = [_laptop(world, tmp_path, n) for n in range(LAPTOPS)]
    for n, (laptop, clock) in enumerate(laptops):
        busy_day(world, laptop, VISITS_EACH, payments=(), collector="张伟" if n % 2 else "李娜", tag=f"L{n}")
        clock.set(datetime.now(CST))
    expected = {laptop.ledger.device.device_id: pending_events(laptop) for laptop, _ in laptops}
    server = ServerProcess(world.office.path)
    stop_office = threading.Event()
    office_writes: list[str] = []

    def office_keeps_working() -> None:
        # The office's own writes (as the CLI would do them) at the same time as the pushes.
        rooms = ["2-1-101", "2-1-102", "1-1-202"]
        for i in range(30):
            if stop_office.is_set():
                break
            world.office.ledger.record_payment(rooms[i % 3], 100 + i, method="cash", collector="王组长")
            office_writes.append(rooms[i % 3])
            time.sleep(0.05)

    try:
        server.start()
        office = threading.Thread(target=office_keeps_working)
        office.start()
        with ThreadPoolExecutor(max_workers=LAPTOPS) as pool:
            results = list(pool.map(lambda pair: sync_with_server(pair[0], server.url, timeout=120), laptops, timeout=300))
        office.join(timeout=60)
    finally:
        stop_office.set()
        server.stop()
        for laptop, _ in laptops:
            laptop.close()
    assert all(r.pending == 0 and r.push_status == "merge" for r in results)
    for device, count in expected.items():
        assert int(world.office.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device,))) == count
    assert int(world.office.store.scalar("SELECT COUNT(*) FROM contacts")) == LAPTOPS * VISITS_EACH
    assert int(world.office.store.scalar("SELECT COUNT(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING COUNT(*) > 1)")) == 0
    assert int(world.office.store.scalar("SELECT COUNT(*) FROM payments WHERE amount_fen < 1000")) == len(office_writes) == 30
