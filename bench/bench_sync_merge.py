"""Benchmark the merge: a day of 58 laptops, one million events, into a central ledger.

Set-up (not timed): an office ledger with ``--households`` homes, 58 collectors and 58
enrolled laptops; for each laptop a signed sync file holding its share of ``--events``
events (visits 70 %, payments 15 %, promises 10 %, receipt prints 5 %), each a valid hash
chain. Then, interleaved for ``--rounds`` rounds, each in a fresh subprocess so that peak
memory is its own:

A. **merge**: ``Merger.run`` over the 58 files into a copy of the office ledger (read,
   decompress, check signatures and chains, bulk-ingest with projections, flag checks), one
   transaction per file;
B. **floor**: the same event rows (already parsed, not timed) inserted with one raw
   ``executemany`` into an empty table of the event log's shape (taken from the office ledger's
   schema, with its indexes), same pragmas, one transaction.

C. **writes** (a yardstick): only the SQL the merge must write (event-log and projection rows,
   made before timing), one transaction per file into a copy of the office ledger: what a merge
   would cost if reading, checking and flagging were free.

Reported: median wall and CPU seconds of each, events per second, the ratio A/B of rates
and each side's peak resident memory. The goal is a ratio of at least 0.5.

Run: ``.venv/bin/python bench/bench_sync_merge.py [--events 1000000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEVICES = 58
CST = timezone(timedelta(hours=8))


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_office(led: Any, households: int) -> tuple[list[str], list[tuple[str, str]]]:
    """A community of ``households`` homes and one collector per laptop, in one bulk append.

    Returns the household ids and the (staff id, name) pairs; the push benchmark seeds its office the same way."""
    from knock.core.events import EventKind as K
    from knock.core.journal import new_id

    rooms = [f"{b}-{u}-{f}{r:02d}" for b in range(1, 200) for u in (1, 2) for f in range(1, 30) for r in (1, 2)][:households]
    items = [(K.COMMUNITY_CREATED, {"community_id": new_id(), "name": "基准小区", "address": ""}, "system")]
    ids = []
    for room in rooms:
        hid = new_id()
        ids.append(hid)
        items.append((K.HOUSEHOLD_REGISTERED, {"household_id": hid, "room": room, "owner_name": "业主", "gender": "", "phones": [],
                                                "area_centi_m2": 9000, "occupancy": "occupied", "notes": "", "tags": []}, "system"))
    staff = []
    for n in range(DEVICES):
        sid = new_id()
        staff.append((sid, f"收费员{n:02d}"))
        items.append((K.STAFF_REGISTERED, {"staff_id": sid, "name": f"收费员{n:02d}", "role": "guard", "team": "", "phone": "", "active": True, "pin_hash": ""}, "system"))
    led.journal.append_many(items)
    return ids, staff


def build(workdir: Path, events: int, households: int) -> None:
    """The office home and the 58 sync files."""
    import random

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from knock.core.events import EventKind as K, canonical_json, chain_digest
    from knock.core.journal import new_id
    from knock.core.signing import DeviceKey, public_key_b64
    from knock.core.events import GENESIS
    from knock.home import open_home
    from sync.devices import enrol_device
    from sync.files import encode_sync_file

    clock = lambda: datetime(2026, 11, 23, 21, 0, tzinfo=CST)  # noqa: E731
    office = open_home(workdir / "office", clock=clock)
    led = office.ledger
    ids, staff = seed_office(led, households)
    rng = random.Random(58)
    per_device = events // DEVICES
    files = workdir / "files"
    files.mkdir()
    for n in range(DEVICES):
        key = DeviceKey(Ed25519PrivateKey.generate())
        enrol_device(led, f"L{n:02d}", public_key_b64(key), author="office")
        device = key.device_id
        code = device[1:7]
        sid, name = staff[n]
        mine = ids[n::DEVICES]
        rows: list[dict[str, Any]] = []
        prev = GENESIS
        receipt = 0
        start = datetime(2026, 11, 23, 9, 0, tzinfo=CST)
        for seq in range(1, per_device + (events % DEVICES if n == 0 else 0) + 1):
            at = (start + timedelta(seconds=seq * 2)).isoformat(timespec="seconds")
            hid = mine[seq % len(mine)]
            roll = rng.random()
            if roll < 0.70:
                kind, payload = K.CONTACT_LOGGED, {"contact_id": new_id(), "household_id": hid, "channel": "door", "outcome": "not_home", "reason": "",
                                                   "note": "", "collector_id": sid, "at": at, "override_by": "", "warnings": [], "seen_payment": ""}
            elif roll < 0.85 or receipt == 0:
                receipt += 1
                fen = rng.randrange(1000, 300000)
                kind, payload = K.PAYMENT_RECORDED, {"payment_id": new_id(), "household_id": hid, "amount_fen": fen, "method": "cash", "collector_id": sid,
                                                     "collector_name": name, "paid_at": at, "receipt_no": f"{code}-{receipt:06d}", "receipt_seq": receipt,
                                                     "qr_text": "", "items": [{"charge_id": None, "item": "credit", "period_start": None, "period_end": None, "amount_fen": fen}],
                                                     "owed_after_fen": 0, "credit_after_fen": fen, "seen_payment": ""}
            elif roll < 0.95:
                kind, payload = K.PROMISE_MADE, {"promise_id": new_id(), "household_id": hid, "contact_id": "", "made_at": at, "due_date": "2026-11-30",
                                                 "window": "evening", "amount_fen": None, "collector_id": sid}
            else:
                kind, payload = K.RECEIPT_PRINTED, {"receipt_no": f"{code}-{receipt:06d}", "reprint": False}
            event_id = new_id()
            text = canonical_json(payload)
            digest = chain_digest(prev, event_id, device, seq, sid, at, kind, text)
            rows.append({"event_id": event_id, "device_id": device, "seq": seq, "author": sid, "device_time": at, "kind": kind,
                         "payload": text, "prev_hash": prev, "hash": digest})
            prev = digest
        data, _ = encode_sync_file(rows, key, device_name=f"L{n:02d}", created_at=clock(), collectors=[{"staff_id": sid, "name": name}],
                                   prev_hash=GENESIS, seq_before=0)
        (files / f"knock-L{n:02d}-2026-11-23.sync.tar.gz").write_bytes(data)
    office.close()


def run_merge(workdir: Path, tag: str) -> dict[str, float]:
    """Side A, in this (fresh) process."""
    from knock.home import open_home
    from sync.merge import Merger, expand_sources

    home_dir = workdir / f"office-{tag}"
    shutil.rmtree(home_dir, ignore_errors=True)
    shutil.copytree(workdir / "office", home_dir)
    clock = lambda: datetime(2026, 11, 23, 21, 5, tzinfo=CST)  # noqa: E731
    office = open_home(home_dir, clock=clock)
    sources = expand_sources([workdir / "files"])
    wall, cpu = time.perf_counter(), time.process_time()
    run = Merger(office.ledger).run(sources)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    merged = sum(v.new_events for v in run.verdicts)
    refused = [v.reason for v in run.verdicts if v.status == "refused"]
    office.close()
    shutil.rmtree(home_dir, ignore_errors=True)
    if refused:
        raise SystemExit(f"merge refused files: {refused[:3]}")
    return {"wall": wall, "cpu": cpu, "events": merged, "maxrss_mib": _maxrss_mib()}


def run_floor(workdir: Path, tag: str) -> dict[str, float]:
    """Side B: the same rows, one raw executemany into an empty table of the event log's shape.

    The table (with its indexes) is created from the office ledger's own schema and filled with
    the very statement and rows the ledger's bulk path writes, so the floor follows the log's
    shape whatever it becomes."""
    import sqlite3

    from knock.core.journal import _EVENT_INSERT
    from sync.files import read_sync_file
    from sync.merge import expand_sources

    office = sqlite3.connect(workdir / "office" / "knock.db")
    shape = [sql for (sql,) in office.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'event_log' AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC")]
    office.close()
    rows = []
    received = "2026-11-23T21:05:00+08:00"
    for path in expand_sources([workdir / "files"]):
        f = read_sync_file(path)
        rows.extend((e.event_id, e.device_id, e.seq, e.author, e.device_time, e.kind, text, bytes.fromhex(e.hash), received, None)
                    for e, text in zip(f.events, f.payload_json, strict=True))
        del f
    db = workdir / f"floor-{tag}.db"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "cache_size=-65536"):
        conn.execute(f"PRAGMA {pragma}")
    for sql in shape:
        conn.execute(sql)
    wall, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(_EVENT_INSERT, rows)
    conn.execute("COMMIT")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return {"wall": wall, "cpu": cpu, "events": len(rows), "maxrss_mib": _maxrss_mib()}


def run_writes(workdir: Path, tag: str) -> dict[str, float]:
    """Side C (a yardstick, not a goal): only the SQL a merge must write, with no Python work.

    The same event-log rows and the projection rows the projectors make for them (made before
    timing), written into a copy of the office ledger the way the merge writes them: one
    transaction per file, the ledger's pragmas, the merge's checkpoint setting. Its rate is the
    best a merge could reach against the floor if reading, checking and flagging cost nothing."""
    import sqlite3

    from knock.core.journal import _EVENT_INSERT
    from knock.core.projections import project
    from sync.files import read_sync_file
    from sync.merge import MERGE_CHECKPOINT_PAGES, expand_sources

    class Recorder:
        """Collects each projector statement's rows, in first-seen order (as the bulk path's batches)."""

        def __init__(self) -> None:
            self.rows: dict[str, list[Any]] = {}

        def execute(self, sql: str, params: Any = ()) -> None:
            self.rows.setdefault(sql, []).append(params)

    received = "2026-11-23T21:05:00+08:00"
    batches = []
    for path in expand_sources([workdir / "files"]):
        f = read_sync_file(path)
        recorder = Recorder()
        for event in f.events:
            project(recorder, event)  # type: ignore[arg-type]
        rows = [(e.event_id, e.device_id, e.seq, e.author, e.device_time, e.kind, text, bytes.fromhex(e.hash), received, None)
                for e, text in zip(f.events, f.payload_json, strict=True)]
        batches.append((rows, recorder.rows))
        del f
    home_dir = workdir / f"office-{tag}"
    shutil.rmtree(home_dir, ignore_errors=True)
    shutil.copytree(workdir / "office", home_dir)
    conn = sqlite3.connect(home_dir / "knock.db", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "cache_size=-65536", f"wal_autocheckpoint={MERGE_CHECKPOINT_PAGES}"):
        conn.execute(f"PRAGMA {pragma}")
    wall, cpu = time.perf_counter(), time.process_time()
    count = 0
    for rows, projected in batches:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.executemany(_EVENT_INSERT, rows)
        for sql, params in projected.items():
            conn.executemany(sql, params)
        conn.execute("COMMIT")
        count += len(rows)
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    conn.close()
    shutil.rmtree(home_dir, ignore_errors=True)
    return {"wall": wall, "cpu": cpu, "events": count, "maxrss_mib": _maxrss_mib()}


SIDES = {"merge": run_merge, "floor": run_floor, "writes": run_writes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--side", choices=list(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="0", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        result = SIDES[args.side](Path(args.workdir), args.tag)
        print(json.dumps(result))
        return
    workdir = Path(tempfile.mkdtemp(prefix="knock-bench-sync-"))
    try:
        started = time.perf_counter()
        build(workdir, args.events, args.households)
        size = sum(p.stat().st_size for p in (workdir / "files").iterdir())
        print(f"set-up: {args.events:,} events in {DEVICES} files ({size / 1e6:.1f} MB) and an office of {args.households:,} homes, {time.perf_counter() - started:.0f} s")
        results: dict[str, list[dict[str, float]]] = {"merge": [], "floor": [], "writes": []}
        for round_no in range(args.rounds):
            for side in ("merge", "floor", "writes") if round_no % 2 == 0 else ("writes", "floor", "merge"):
                out = subprocess.run(
                    [sys.executable, __file__, "--side", side, "--workdir", str(workdir), "--tag", f"{side}{round_no}"],
                    check=True, capture_output=True, text=True,
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
                results[side].append(result)
                print(f"  round {round_no + 1} {side:<5} wall {result['wall']:7.2f} s  cpu {result['cpu']:7.2f} s  {result['events'] / result['wall']:>10,.0f} ev/s  peak {result['maxrss_mib']:.0f} MiB")
        med = {side: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "events", "maxrss_mib")} for side, rs in results.items()}
        rate = {side: m["events"] / m["wall"] for side, m in med.items()}
        cpu_rate = {side: m["events"] / m["cpu"] for side, m in med.items()}
        print()
        print(f"merge  median wall {med['merge']['wall']:.2f} s, cpu {med['merge']['cpu']:.2f} s: {rate['merge']:,.0f} events/s (cpu {cpu_rate['merge']:,.0f}/s), peak {med['merge']['maxrss_mib']:.0f} MiB")
        print(f"floor  median wall {med['floor']['wall']:.2f} s, cpu {med['floor']['cpu']:.2f} s: {rate['floor']:,.0f} events/s (cpu {cpu_rate['floor']:,.0f}/s), peak {med['floor']['maxrss_mib']:.0f} MiB")
        print(f"writes median wall {med['writes']['wall']:.2f} s, cpu {med['writes']['cpu']:.2f} s: {rate['writes']:,.0f} events/s (cpu {cpu_rate['writes']:,.0f}/s)"
              f"   (the merge's own SQL alone: at best {cpu_rate['writes'] / cpu_rate['floor']:.2f} of the floor by cpu)")
        ratio = rate["merge"] / rate["floor"]
        print(f"ratio merge/floor (wall): {ratio:.2f}   (cpu: {cpu_rate['merge'] / cpu_rate['floor']:.2f})   goal >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
