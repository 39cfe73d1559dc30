"""Benchmark the sample builder: ``build_sample`` of a whole community into an empty home.

Each run is a fresh subprocess (so its peak resident memory, ``ru_maxrss``, is its own) that
opens an empty home with a fixed clock and times what ``knock sample`` does: plan and write
the community (:func:`knock.sample.build_sample` without assigning: into a private file beside
the ledger, renamed over it when complete, see ``Store.rebuilt``), then assign today's rounds
with the real planner (``assign_day``) on the home's own WAL + synchronous=FULL ledger, each
part and the total, wall clock and this process's CPU time (the figure to trust on a shared
machine), and beside it the CPU time of the payload press, the helper process that deflates the
payloads on the second core (``knock/core/payload_press.py``).

``--baseline DIR`` names another source tree (for example ``git archive main | tar -x -C DIR``)
whose ``knock`` package is run the same way; its runs are interleaved with this tree's, round by
round, so both see the same machine load. Medians are reported. The target at 100,000
households (about a million events) is under 60 s.

Run: ``.venv/bin/python bench/bench_sample.py [--households 100000] [--rounds 1] [--baseline DIR]``.
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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CST = timezone(timedelta(hours=8))


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(source: Path, home_dir: Path, households: int, seed: int) -> dict[str, Any]:
    """One build, in this (fresh) process, with the ``knock`` package of ``source``."""
    sys.path.insert(0, str(source))
    from knock.home import open_home
    from knock.sample import build_sample

    from knock.core.assignment_db import assign_day

    clock = lambda: datetime(2026, 11, 23, 21, 30, tzinfo=CST)  # noqa: E731
    home = open_home(home_dir, clock=clock)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = build_sample(home, seed=seed, households=households, assign=False)
    write_wall, write_cpu = time.perf_counter() - wall, time.process_time() - cpu
    with home.store.transaction():
        assign_day(home.ledger, home.ledger.today())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    events = int(home.store.scalar("SELECT COUNT(*) FROM events"))
    home.close()
    helper = resource.getrusage(resource.RUSAGE_CHILDREN)  # the payload press (knock/core/payload_press.py), ended by now
    return {"wall": wall, "cpu": cpu, "helper_cpu": helper.ru_utime + helper.ru_stime, "write_wall": write_wall, "write_cpu": write_cpu, "assign_cpu": cpu - write_cpu,
            "events": events, "charges": summary.charges, "payments": summary.payments, "contacts": summary.contacts,
            "maxrss_mib": _maxrss_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", type=Path, help="another source tree to run interleaved with this one")
    parser.add_argument("--child", nargs=2, metavar=("SOURCE", "HOME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("BENCH " + json.dumps(run_child(Path(args.child[0]), Path(args.child[1]), args.households, args.seed)))
        return

    sides = {"this": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    work = Path(tempfile.mkdtemp(prefix="knock-bench-sample-"))
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
    print(f"sample build: {args.households:,} households, seed {args.seed}, {args.rounds} round(s), sides {', '.join(sides)}", flush=True)
    try:
        for round_no in range(args.rounds):
            order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
            for name in order:
                home_dir = work / f"{name}-{round_no}"
                done = subprocess.run(
                    [sys.executable, __file__, "--households", str(args.households), "--seed", str(args.seed),
                     "--child", str(sides[name]), str(home_dir)],
                    capture_output=True, text=True, check=False,
                )
                shutil.rmtree(home_dir, ignore_errors=True)
                line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
                if done.returncode or line is None:
                    raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
                row = json.loads(line[6:])
                results[name].append(row)
                print(f"  round {round_no + 1} {name:<8} wall {row['wall']:7.1f} s  cpu {row['cpu']:7.1f} s + helper {row.get('helper_cpu', 0.0):.1f} s  "
                      f"(write {row['write_cpu']:.1f} s = {row['write_cpu'] / row['events'] * 1e6:.0f} µs CPU per event, assign {row['assign_cpu']:.1f} s)  "
                      f"{row['events']:,} events  peak RSS {row['maxrss_mib']:.0f} MiB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("medians:")
    summary: dict[str, Any] = {"households": args.households, "rounds": args.rounds}
    for name, rows in results.items():
        med = {k: statistics.median(r.get(k, 0.0) for r in rows) for k in ("wall", "cpu", "helper_cpu", "write_wall", "write_cpu", "assign_cpu", "maxrss_mib", "events")}
        summary[name] = med
        print(f"  {name:<8} wall {med['wall']:7.1f} s  cpu {med['cpu']:7.1f} s + helper {med['helper_cpu']:.1f} s  (write: wall {med['write_wall']:.1f} s, cpu {med['write_cpu']:.1f} s;"
              f" assign: cpu {med['assign_cpu']:.1f} s)  events {med['events']:,.0f}  peak RSS {med['maxrss_mib']:.0f} MiB"
              f"  (target: < 60 s at 100,000 households)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
