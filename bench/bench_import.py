"""Benchmark the arrears import: a 100,000-row billing export into a 100,000-household ledger.

Set-up (not timed): a copy of a 100,000-household home (``--fixture``, default the shared
``/work/brief/fixtures/home100k``, which is only ever read and copied; or ``--households N``
to build one with the sample builder), and an arrears CSV in the billing system's format with
one row per household of that home (next month's property fee), as ``bench_ledger.py`` writes it.

Each run is a fresh subprocess (its peak resident memory, ``ru_maxrss``, is its own) on a fresh
copy of the home, timing :func:`knock.importing.import_households` (read, check every row,
write all of it in one transaction): wall clock and this process's CPU time. ``--baseline DIR``
names another source tree (``git archive main | tar -x -C DIR``) run interleaved with this one,
round by round. Medians are reported. Targets: under 8 s and under 250 MiB peak RSS.

``--phases`` also times the check alone (a dry run: read and check every row, write nothing) in
its own fresh process per side and round, so the write's share is the difference. ``--work DIR``
keeps the base home and the CSV in DIR and reuses them next time (copying and migrating the
shared fixture takes a minute or more).

Run: ``.venv/bin/python bench/bench_import.py [--rounds 3] [--baseline DIR] [--phases] [--work DIR]``.
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
sys.path.insert(0, str(REPO))
CST = timezone(timedelta(hours=8))
FIXTURE = Path("/work/brief/fixtures/home100k")
NOW = datetime(2026, 11, 23, 21, 30, tzinfo=CST)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clock() -> datetime:
    return NOW


def run_child(source: Path, home_dir: Path, csv_path: Path, dry_run: bool = False) -> dict[str, Any]:
    """One import (or its check alone), in this (fresh) process, with the ``knock`` package of ``source``."""
    sys.path.insert(0, str(source))
    for name in [m for m in sys.modules if m == "knock" or m.startswith("knock.")]:
        del sys.modules[name]
    from knock.home import open_home
    from knock.importing import import_households

    home = open_home(home_dir, clock=_clock)
    wall, cpu = time.perf_counter(), time.process_time()
    report = import_households(home.ledger, csv_path, dry_run=dry_run)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    home.close()
    if not (report.ok if dry_run else report.applied):
        raise SystemExit("import refused: " + "; ".join(str(e) for e in report.errors[:5]))
    return {"wall": wall, "cpu": cpu, "rows": report.rows, "charges_new": report.charges_new, "maxrss_mib": _maxrss_mib()}


def prepare(work: Path, fixture: Path | None, households: int) -> tuple[Path, Path]:
    """The base home (copied or built) and the arrears CSV written from it (kept ones reused)."""
    from bench.bench_ledger import write_arrears_csv
    from knock.home import open_home

    base = work / "base"
    csv_path = work / "arrears.csv"
    if (base / "knock.db").exists() and csv_path.exists():
        print(f"reusing base home {base} and {csv_path}", flush=True)
        return base, csv_path
    shutil.rmtree(base, ignore_errors=True)
    if fixture is not None:
        base.mkdir()
        for name in ("knock.db", "device.key"):
            shutil.copy2(fixture / name, base / name)
        home = open_home(base, clock=_clock)
    else:
        from knock.sample import build_sample

        home = open_home(base, clock=_clock)
        build_sample(home, seed=1, households=households)
    rows = write_arrears_csv(home, csv_path)
    home.close()
    print(f"base home {base} ({sum(f.stat().st_size for f in base.glob('knock.db*')) / 2**20:,.0f} MiB), "
          f"{csv_path.name}: {rows:,} rows, {csv_path.stat().st_size / 2**20:.1f} MiB", flush=True)
    return base, csv_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixture", type=Path, default=FIXTURE, help="a home folder to copy (never written)")
    parser.add_argument("--households", type=int, help="build the base home with the sample builder instead of copying --fixture")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another source tree to run interleaved with this one")
    parser.add_argument("--phases", action="store_true", help="also time the check alone (a dry run) in its own process")
    parser.add_argument("--work", type=Path, help="keep the base home and the CSV here and reuse them next time")
    parser.add_argument("--child", nargs=4, metavar=("SOURCE", "HOME", "CSV", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        source, home_dir, csv_path, mode = args.child
        print("BENCH " + json.dumps(run_child(Path(source), Path(home_dir), Path(csv_path), dry_run=mode == "check")))
        return

    sides = {"this": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    modes = ("import", "check") if args.phases else ("import",)
    kept = args.work is not None
    work = args.work.resolve() if kept else Path(tempfile.mkdtemp(prefix="knock-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[tuple[str, str], list[dict[str, Any]]] = {(name, mode): [] for name in sides for mode in modes}
    try:
        base, csv_path = prepare(work, None if args.households else args.fixture, args.households or 0)
        for round_no in range(args.rounds):
            order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
            for name in order:
                for mode in modes:
                    row = _run(sides[name], work / f"{name}-{round_no}", base, csv_path, mode)
                    results[(name, mode)].append(row)
                    print(f"  round {round_no + 1} {name:<8} {mode:<6} wall {row['wall']:6.1f} s  cpu {row['cpu']:6.1f} s  "
                          f"{row['rows']:,} rows, {row['charges_new']:,} new charges  peak RSS {row['maxrss_mib']:.0f} MiB", flush=True)
    finally:
        for leftover in work.glob("*-[0-9]*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if not kept:
            shutil.rmtree(work, ignore_errors=True)
    print("medians:")
    summary: dict[str, Any] = {"rounds": args.rounds}
    for name in sides:
        for mode in modes:
            rows = results[(name, mode)]
            med = {k: statistics.median(r[k] for r in rows) for k in ("wall", "cpu", "maxrss_mib", "rows")}
            summary[name if mode == "import" else f"{name} check"] = med
            target = "  (targets: < 8 s, < 250 MiB)" if mode == "import" else ""
            print(f"  {name:<8} {mode:<6} wall {med['wall']:6.1f} s  cpu {med['cpu']:6.1f} s  rows {med['rows']:,.0f}  "
                  f"peak RSS {med['maxrss_mib']:.0f} MiB{target}")
        if args.phases:
            write = summary[name]["cpu"] - summary[f"{name} check"]["cpu"]
            print(f"  {name:<8} write  cpu {write:6.1f} s  (import - check)")
    print(json.dumps(summary))


def _run(source: Path, home_dir: Path, base: Path, csv_path: Path, mode: str) -> dict[str, Any]:
    """One child process on a fresh copy of ``base`` (a check only reads it, so it runs on ``base`` itself)."""
    target = base
    if mode == "import":
        shutil.copytree(base, home_dir)
        target = home_dir
    try:
        done = subprocess.run([sys.executable, __file__, "--child", str(source), str(target), str(csv_path), mode],
                              capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(home_dir, ignore_errors=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"{source} {mode} failed:\n{done.stderr[-3000:]}{done.stdout[-2000:]}")
    return dict(json.loads(line[6:]))


if __name__ == "__main__":
    main()
