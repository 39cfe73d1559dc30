"""Benchmark online sync: 58 laptops pushing a day each to ``knock serve`` at once, over loopback.

Set-up (not timed): an office ledger with ``--households`` homes, 58 collectors and 58 enrolled
laptops, and for each laptop a signed sync file of ``--per-device`` events (visits 80 %,
payments 20 %), each a valid hash chain. Then, interleaved for ``--rounds`` rounds, each side on
a fresh copy of the office:

A. **push**: a real ``knock serve`` process on 127.0.0.1 (free port); 58 client threads each
   push their file at the same moment (signed requests, the server merges one at a time);
   total wall time, the server process's CPU time, and each push's latency;
B. **floor**: the same 58 files merged locally with ``Merger.run`` (what ``knock sync merge``
   does with the USB sticks): no HTTP, no signing of requests, no queueing.

Reported: medians of wall and CPU time, events per second, the ratio A/B, and p50/p99 push
latency over all rounds.

Run: ``.venv/bin/python bench/bench_server_push.py [--per-device 2000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEVICES = 58
CST = timezone(timedelta(hours=8))
_SERVE = "import sys; from knock.cli.main import cli; sys.argv[0] = 'knock'; cli()"


def build(workdir: Path, per_device: int, households: int) -> list[Any]:
    """The office home and the 58 sync files; returns the 58 device keys (kept in memory only)."""
    import random

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from knock.core.events import GENESIS, EventKind as K, canonical_json, chain_digest
    from knock.core.journal import new_id
    from knock.core.signing import DeviceKey, public_key_b64
    from knock.home import open_home
    from sync.devices import enrol_device
    from sync.files import encode_sync_file

    from bench_sync_merge import seed_office

    now = datetime.now(CST)
    office = open_home(workdir / "office")
    led = office.ledger
    ids, staff = seed_office(led, households)
    rng = random.Random(58)
    files = workdir / "files"
    files.mkdir()
    keys = []
    for n in range(DEVICES):
        key = DeviceKey(Ed25519PrivateKey.generate())
        keys.append(key)
        enrol_device(led, f"L{n:02d}", public_key_b64(key), author="office")
        device, code = key.device_id, key.device_id[1:7]
        sid, name = staff[n]
        mine = ids[n::DEVICES]
        rows: list[dict[str, Any]] = []
        prev, receipt = GENESIS, 0
        start = now - timedelta(hours=8)
        for seq in range(1, per_device + 1):
            at = (start + timedelta(seconds=seq * 2)).isoformat(timespec="seconds")
            hid = mine[seq % len(mine)]
            if rng.random() < 0.8:
                kind, payload = K.CONTACT_LOGGED, {"contact_id": new_id(), "household_id": hid, "channel": "door", "outcome": "not_home", "reason": "",
                                                   "note": "", "collector_id": sid, "at": at, "override_by": "", "warnings": [], "seen_payment": ""}
            else:
                receipt += 1
                fen = rng.randrange(1000, 300000)
                kind, payload = K.PAYMENT_RECORDED, {"payment_id": new_id(), "household_id": hid, "amount_fen": fen, "method": "cash", "collector_id": sid,
                                                     "collector_name": name, "paid_at": at, "receipt_no": f"{code}-{receipt:06d}", "receipt_seq": receipt,
                                                     "qr_text": "", "items": [{"charge_id": None, "item": "credit", "period_start": None, "period_end": None, "amount_fen": fen}],
                                                     "owed_after_fen": 0, "credit_after_fen": fen, "seen_payment": ""}
            event_id = new_id()
            text = canonical_json(payload)
            digest = chain_digest(prev, event_id, device, seq, sid, at, kind, text)
            rows.append({"event_id": event_id, "device_id": device, "seq": seq, "author": sid, "device_time": at, "kind": kind,
                         "payload": text, "prev_hash": prev, "hash": digest})
            prev = digest
        data, _ = encode_sync_file(rows, key, device_name=f"L{n:02d}", created_at=now, collectors=[{"staff_id": sid, "name": name}],
                                   prev_hash=GENESIS, seq_before=0)
        (files / f"knock-L{n:02d}.sync.tar.gz").write_bytes(data)
    office.close()
    return keys


def _fresh_office(workdir: Path, tag: str) -> Path:
    target = workdir / f"office-{tag}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(workdir / "office", target)
    return target


def _proc_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_push(workdir: Path, keys: list[Any], tag: str) -> dict[str, Any]:
    """Side A: a real server, 58 concurrent signed pushes."""
    import socket

    import httpx

    from sync.request_auth import sign_request

    home = _fresh_office(workdir, tag)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-c", _SERVE, "serve", "--home", str(home), "--port", str(port), "--log-level", "warning"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")
        bodies = [(workdir / "files" / f"knock-L{n:02d}.sync.tar.gz").read_bytes() for n in range(DEVICES)]
        latencies: list[float] = [0.0] * DEVICES
        merged: list[int] = [0] * DEVICES
        go = threading.Barrier(DEVICES + 1)

        def push(n: int) -> None:
            with httpx.Client(timeout=600) as client:
                go.wait()
                started = time.perf_counter()
                headers = sign_request(keys[n], "POST", "/v1/push", bodies[n], now=datetime.now(CST))
                answer = client.post(url + "/v1/push", content=bodies[n], headers=headers)
                latencies[n] = time.perf_counter() - started
                if answer.status_code != 200:
                    raise SystemExit(f"L{n:02d}: {answer.status_code} {answer.text[:200]}")
                merged[n] = int(answer.json()["verdict"]["new_events"])

        threads = [threading.Thread(target=push, args=(n,)) for n in range(DEVICES)]
        for t in threads:
            t.start()
        cpu0 = _proc_cpu_seconds(proc.pid)
        go.wait()
        wall = time.perf_counter()
        for t in threads:
            t.join(timeout=900)
        wall = time.perf_counter() - wall
        cpu = _proc_cpu_seconds(proc.pid) - cpu0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    return {"wall": wall, "cpu": cpu, "events": sum(merged), "latencies": latencies}


def run_floor(workdir: Path, tag: str) -> dict[str, Any]:
    """Side B: the same files merged locally, as from USB sticks."""
    from knock.home import open_home
    from sync.merge import Merger

    home = _fresh_office(workdir, tag)
    office = open_home(home)
    sources = sorted((workdir / "files").iterdir())
    wall, cpu = time.perf_counter(), time.process_time()
    run = Merger(office.ledger).run(sources)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    office.close()
    shutil.rmtree(home, ignore_errors=True)
    refused = [v.reason for v in run.verdicts if v.status == "refused"]
    if refused:
        raise SystemExit(f"merge refused files: {refused[:3]}")
    return {"wall": wall, "cpu": cpu, "events": sum(v.new_events for v in run.verdicts)}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-device", type=int, default=2000, help="events in each laptop's day")
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="knock-bench-push-"))
    try:
        started = time.perf_counter()
        keys = build(workdir, args.per_device, args.households)
        size = sum(p.stat().st_size for p in (workdir / "files").iterdir())
        print(f"set-up: {DEVICES} laptops x {args.per_device:,} events ({size / 1e6:.1f} MB of sync files), {args.households:,} homes, {time.perf_counter() - started:.0f} s")
        results: dict[str, list[dict[str, Any]]] = {"push": [], "floor": []}
        for round_no in range(args.rounds):
            for side in ("push", "floor") if round_no % 2 == 0 else ("floor", "push"):
                tag = f"{side}{round_no}"
                result = run_push(workdir, keys, tag) if side == "push" else run_floor(workdir, tag)
                results[side].append(result)
                print(f"  round {round_no + 1} {side:<5} wall {result['wall']:7.2f} s  cpu {result['cpu']:7.2f} s  {result['events'] / result['wall']:>9,.0f} ev/s")
        med = {side: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "events")} for side, rs in results.items()}
        latencies = [x for r in results["push"] for x in r["latencies"]]
        print()
        for side, label in (("push", "58 pushes over loopback (server CPU)"), ("floor", "local merge of the same files")):
            m = med[side]
            print(f"{side:<6} median wall {m['wall']:.2f} s, cpu {m['cpu']:.2f} s: {m['events'] / m['wall']:,.0f} events/s  [{label}]")
        print(f"ratio push/floor (events/s, wall): {(med['push']['events'] / med['push']['wall']) / (med['floor']['events'] / med['floor']['wall']):.2f}")
        print(f"push latency over {len(latencies)} pushes: p50 {_percentile(latencies, 50):.2f} s, p99 {_percentile(latencies, 99):.2f} s, max {max(latencies):.2f} s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
