"""Per-action append cost: each ledger action against a raw one-row insert, interleaved.

Part of ``bench_ledger.py`` (and runnable alone: ``.venv/bin/python bench/ledger_append.py``).
A small home (``--households`` rooms, each with a year of charges) is written on a clock
fixed inside visiting hours; then, round after round, every action kind runs once and so
does the floor: in one round the order is floor, action, floor, action … so a busy moment
on the shared machine hits both sides alike. Each action is one transaction with a
FULL-sync commit, as in the product; the floor is the same durability with nothing of
Knock's: ``BEGIN IMMEDIATE``, one ``INSERT`` of an event-sized row, ``COMMIT`` on a
connection with WAL and ``synchronous=FULL``, in a file beside the ledger. Medians of wall
time and of this process's CPU time (the figure to trust on a shared machine) per kind.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from itertools import count
from pathlib import Path
from typing import Any

from knock.home import Home, open_home

CST = timezone(timedelta(hours=8))
EVENT_LIKE_ROW = (
    "01M8Q5XYX1H5VTFF8DAS584BDF", "DT5VQ2PC5BH", 0, "01M8Q5XYVH9PN67XJQ5TR37HDP", "2026-11-23T19:30:00+08:00", "contact.logged",
    '{"at":"2026-11-23T19:30:00+08:00","channel":"door","collector_id":"01M8Q5XYVH9PN67XJQ5TR37HDP","contact_id":"01M8Q5XYXQ8DE6CQV50J60BWPP",'
    '"household_id":"01M8Q5XYX2F7T957QCR084F962","note":"","outcome":"not_home","override_by":"","reason":"","warnings":[]}',
    "7395d0ff5588ea387305fead5b242e9e932a22f0fb1c6ca1d1510d8d78a4bd45",
)
"""What the floor inserts: a contact event's row as the ledger stored it before issue 13."""


class FixedClock:
    """The device clock held at 19:30 on a Monday (inside visiting hours), one second per read."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 19, 30, tzinfo=CST)

    def __call__(self) -> datetime:
        return self.now


def seed(home: Home, households: int) -> tuple[list[str], str]:
    """Rooms with a year of quarterly charges, and one collector. Returns (rooms, collector name)."""
    ledger = home.ledger
    ledger.register_staff("王保安", "guard")
    rooms = []
    for n in range(households):
        building, rest = divmod(n, 200)
        room = f"{building + 1}-{rest // 50 + 1}-{(rest % 50) // 2 + 1:02d}{rest % 2 + 1:02d}"
        ledger.register_household(room, f"业主{n}", phones=["13800000000"], area_centi_m2=8000, occupancy="occupied")
        for quarter in range(4):
            start = date(2026, 1 + 3 * quarter, 1)
            end = (start + timedelta(days=92)).replace(day=1) - timedelta(days=1)
            ledger.add_charge(room, "property_fee", start, end, start + timedelta(days=14), 60000)
        rooms.append(room)
    return rooms, "王保安"


def actions(home: Home, rooms: list[str], collector: str) -> dict[str, Callable[[], Any]]:
    """One callable per action kind; each call is one complete action (its own transaction)."""
    ledger = home.ledger
    next_room = {kind: count() for kind in ("pay", "contact", "promise", "charge")}
    receipts: list[str] = []

    def room(kind: str) -> str:
        return rooms[next(next_room[kind]) % len(rooms)]

    def pay() -> None:
        receipts.append(ledger.record_payment(room("pay"), 12345, method="cash", collector=collector).receipt_no)

    def contact() -> None:
        ledger.log_contact(room("contact"), channel="door", outcome="not_home", collector=collector)

    def promise() -> None:
        ledger.make_promise(room("promise"), due_date=date(2026, 12, 1), window="evening", collector=collector)

    def receipt_print() -> None:
        ledger.record_receipt_print(receipts[-1] if receipts else ledger.record_payment(
            rooms[0], 100, method="cash", collector=collector).receipt_no, author="system")

    charge_period = count()

    def charge() -> None:
        n = next(charge_period)
        start = date(2027, 1, 1) + timedelta(days=n // len(rooms))
        ledger.add_charge(room("charge"), "parking", start, start, start, 10000)

    return {"payment.recorded": pay, "contact.logged": contact, "promise.made": promise,
            "receipt.printed": receipt_print, "charge.added": charge}


class Floor:
    """One durable single-row insert, the way a hand-written script would do it."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, device_id TEXT, seq INTEGER, author TEXT,"
            " device_time TEXT, kind TEXT, payload TEXT, hash TEXT, UNIQUE (device_id, seq))"
        )
        self.seq = count(1)

    def __call__(self) -> None:
        seq = next(self.seq)
        row = (f"{EVENT_LIKE_ROW[0]}{seq}", EVENT_LIKE_ROW[1], seq, *EVENT_LIKE_ROW[3:])
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?)", row)
        self.conn.execute("COMMIT")


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall, cpu) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def run(rounds: int, households: int, directory: Path) -> list[dict[str, Any]]:
    """Time every action kind against the floor, interleaved; one result row per kind."""
    home = open_home(directory / "home", clock=FixedClock())
    try:
        rooms, collector = seed(home, households)
        kinds = actions(home, rooms, collector)
        floor = Floor(directory / "floor.db")
        for fn in (*kinds.values(), floor):  # warm caches and code paths once
            fn()
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in (*kinds, "floor")}
        for _ in range(rounds):
            for name, fn in kinds.items():
                samples["floor"].append(timed(floor))
                samples[name].append(timed(fn))
        floor.conn.close()
    finally:
        home.close()
    return _rows(samples, "floor")


def event_payloads(home: Home, rooms: list[str], collector: str) -> dict[str, Callable[[], dict[str, Any]]]:
    """A fresh, valid payload per call for three kinds, to append bare (no action logic around it)."""
    from knock.core.journal import new_id

    ledger = home.ledger
    staff = ledger.staff(collector)
    household = ledger.household(rooms[0]).household_id
    charge = home.store.query_one("SELECT * FROM charges WHERE household_id = ? ORDER BY due_date LIMIT 1", (household,))
    receipt_seq = count(10_000_000)

    def payment() -> dict[str, Any]:
        seq = next(receipt_seq)
        return {"payment_id": new_id(), "household_id": household, "amount_fen": 100, "method": "cash", "collector_id": staff.staff_id,
                "collector_name": staff.name, "payer": "", "paid_at": "2026-11-23T19:30:00+08:00", "receipt_no": f"BENCH-{seq}",
                "receipt_seq": seq, "qr_text": "", "owed_after_fen": 0, "credit_after_fen": 0, "seen_payment": "",
                "items": [{"charge_id": charge["charge_id"], "item": charge["item"], "period_start": charge["period_start"],
                           "period_end": charge["period_end"], "amount_fen": 100}]}

    def contact() -> dict[str, Any]:
        return {"contact_id": new_id(), "household_id": household, "channel": "door", "outcome": "not_home", "reason": "", "note": "",
                "collector_id": staff.staff_id, "at": "2026-11-23T19:30:00+08:00", "override_by": "", "warnings": [], "seen_payment": ""}

    def receipt_print() -> dict[str, Any]:
        return {"receipt_no": "BENCH-1", "reprint": True}

    return {"payment.recorded": payment, "contact.logged": contact, "receipt.printed": receipt_print}


def run_events(rounds: int, households: int, directory: Path) -> list[dict[str, Any]]:
    """``journal.append`` of one event (id, clock, JSON, hash, row, projection) against a raw INSERT
    of an event-sized row, both inside one open transaction (no commit): Knock's own cost per event."""
    home = open_home(directory / "home-events", clock=FixedClock())
    samples: dict[str, list[tuple[float, float]]] = {}
    try:
        rooms, collector = seed(home, min(households, 20))
        makers = event_payloads(home, rooms, collector)
        conn = home.store.conn
        conn.execute("CREATE TABLE bench_floor (event_id TEXT PRIMARY KEY, device_id TEXT, seq INTEGER, author TEXT,"
                     " device_time TEXT, kind TEXT, payload TEXT, hash TEXT, UNIQUE (device_id, seq))")
        floor_seq = count(1)

        def floor() -> None:
            seq = next(floor_seq)
            conn.execute("INSERT INTO bench_floor VALUES (?,?,?,?,?,?,?,?)", (f"{EVENT_LIKE_ROW[0]}{seq}", EVENT_LIKE_ROW[1], seq, *EVENT_LIKE_ROW[3:]))

        samples = {name: [] for name in (*makers, "raw insert")}
        with home.store.transaction():
            for _ in range(rounds):
                for kind, make in makers.items():
                    payload = make()
                    samples["raw insert"].append(timed(floor))
                    samples[kind].append(timed(lambda: home.ledger.journal.append(kind, payload, author=collector)))  # noqa: B023
    finally:
        home.close()
    return _rows(samples, "raw insert")


def _rows(samples: dict[str, list[tuple[float, float]]], floor_name: str) -> list[dict[str, Any]]:
    floor_wall = statistics.median(w for w, _ in samples[floor_name])
    floor_cpu = statistics.median(c for _, c in samples[floor_name])
    rows = []
    for name, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        rows.append({"action": name, "n": len(values), "wall_us": round(wall * 1e6, 1), "cpu_us": round(cpu * 1e6, 1),
                     "x_floor_wall": round(wall / floor_wall, 2), "x_floor_cpu": round(cpu / floor_cpu, 2) if floor_cpu else None})
    return rows


def report(rows: list[dict[str, Any]]) -> None:
    """Print the table."""
    print(f"  {'action':<18} {'n':>5} {'wall µs':>9} {'cpu µs':>9} {'x floor (wall)':>15} {'x floor (cpu)':>14}", flush=True)
    for r in rows:
        print(f"  {r['action']:<18} {r['n']:>5} {r['wall_us']:>9} {r['cpu_us']:>9} {r['x_floor_wall']:>15} {r['x_floor_cpu']!s:>14}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="rounds; each runs every action kind and the floor once per kind (default 200)")
    parser.add_argument("--households", type=int, default=300, help="rooms in the small home (default 300)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="knock-append-") as tmp:
        print(f"append cost: {args.rounds} rounds, {args.households} households, python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
        print("whole actions, each its own FULL-sync transaction, against one durable single-row insert:", flush=True)
        report(run(args.rounds, args.households, Path(tmp)))
        print("one event appended (journal.append) against a raw INSERT of an event row, inside one transaction:", flush=True)
        report(run_events(args.rounds * 5, args.households, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
