"""Benchmark the ledger: per-action append cost, then community scale (build, import, report).

First the append cost of each action kind (payment, contact, promise, receipt print, charge)
against a raw one-row insert with the same durability, interleaved, medians of wall and CPU
time (:mod:`ledger_append`; ``--append-only`` stops there). Then steps, each timed (wall
clock, and this process's CPU time, which is the figure to trust on a busy machine) with the
process's peak resident memory so far (getrusage maxrss) and, with ``--trace``, its peak
Python heap (tracemalloc, which makes Python code several times slower, so it is off by default):

1. build a sample community of ``--households`` homes (default 100,000) in a
   temporary home with :func:`knock.sample.build_sample`;
2. write an arrears CSV in the billing system's format (Chinese headers, one
   row per home: next month's property fee) and import it, in process with
   :func:`knock.importing.import_households` or, when that package is missing,
   with ``knock import households FILE --home DIR`` in a subprocess;
3. compute ``knock status`` (:func:`knock.core.reports.community_status`), in
   process and through the CLI.

The ledger's size is reported after the build, in KB per household (after a VACUUM into a
scratch file, so free pages do not count).

Run: ``.venv/bin/python bench/bench_ledger.py [--households N] [--keep] [--trace] [--append-only]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ledger_append  # noqa: E402  (bench/ledger_append.py, beside this file)
from knock.core.money import apply_rate, format_yuan
from knock.core.reports import community_status
from knock.home import Home, open_home
from knock.sample import build_sample, default_sizes

HEADERS = ("楼栋", "单元", "房号", "业主姓名", "联系电话", "建筑面积", "收费项目", "起始日期", "截止日期", "应收金额")
"""The billing system's arrears list columns."""

REPO = Path(__file__).resolve().parent.parent


def maxrss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


def children_cpu_seconds() -> float:
    """User and system CPU time of all finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Steps:
    """Collects one line of figures per step."""

    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.rows: list[dict[str, Any]] = []

    @contextmanager
    def step(self, name: str, *, trace: bool | None = None) -> Iterator[dict[str, Any]]:
        """Time a step; ``extra`` filled in by the step is printed with it."""
        extra: dict[str, Any] = {}
        traced = self.trace if trace is None else trace
        if traced:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        yield extra
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        heap = None
        if traced:
            heap = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        row = {"step": name, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "heap_peak_mib": None if heap is None else round(heap, 1),
               "maxrss_mib": round(maxrss_mib(), 1), **extra}
        self.rows.append(row)
        heap_text = "     n/a    " if heap is None else f"{heap:8.1f} MiB"
        notes = "  ".join(f"{k}={v}" for k, v in extra.items())
        print(f"{name:<26} {seconds:9.2f} s (cpu {cpu:8.2f} s)  heap peak {heap_text}  maxrss {row['maxrss_mib']:8.1f} MiB  {notes}", flush=True)


def size_breakdown(db: Path, top: int = 12) -> list[tuple[str, float]]:
    """The largest tables and indexes of ``db`` in MB (SQLite's dbstat): where the size goes."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT ?", (top,)).fetchall()
    except sqlite3.OperationalError:  # an SQLite built without dbstat
        return []
    finally:
        conn.close()
    return [(name, round(size / 1e6, 1)) for name, size in rows]


def next_month(today: date) -> tuple[date, date]:
    """First and last day of the month after ``today``'s."""
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def write_arrears_csv(home: Home, path: Path) -> int:
    """One row per household of the community: next month's property fee. Returns the row count."""
    rate = home.settings.fees.property_fee_per_m2_month
    start, end = next_month(home.ledger.today())
    rows = home.store.query("SELECT building, unit, room_no, owner_name, phones, area_centi_m2 FROM households ORDER BY rowid")
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for r in rows:
            area = int(r["area_centi_m2"])
            writer.writerow((
                r["building"], r["unit"], r["room_no"], r["owner_name"], "/".join(json.loads(r["phones"])),
                f"{area // 100}.{area % 100:02d}", "物业服务费", start.isoformat(), end.isoformat(),
                format_yuan(apply_rate(area, rate), grouping=False),
            ))
    return len(rows)


_CLI_WRAPPER = """
import sys
from knock.cli.main import cli
try:
    cli.main(sys.argv[1:], prog_name="knock")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
try:
    hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
except (OSError, IndexError):
    hwm = "0"
print("KNOCK_BENCH_HWM_KIB", hwm, file=sys.stderr)
sys.exit(code)
"""
"""Runs the CLI and reports the child's own peak RSS (VmHWM). getrusage(RUSAGE_CHILDREN) cannot
be used for that: a child forked from this large process inherits its high-water mark."""


def knock_cli(*args: str) -> tuple[subprocess.CompletedProcess[str], float | None, float]:
    """Run ``knock ARGS`` in a fresh interpreter: (result, its peak RSS in MiB when known, its CPU seconds)."""
    cpu_before = children_cpu_seconds()
    done = subprocess.run([sys.executable, "-c", _CLI_WRAPPER, *args], capture_output=True, text=True, check=False)
    cpu = children_cpu_seconds() - cpu_before
    hwm = None
    for line in done.stderr.splitlines():
        if line.startswith("KNOCK_BENCH_HWM_KIB"):
            hwm = int(line.split()[1]) / 1024 or None
    return done, hwm, cpu


def import_in_process() -> Callable[..., Any] | None:
    """The importer, when the ``knock.importing`` package is there."""
    try:
        from knock.importing import import_households
    except ImportError:
        return None
    return import_households


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000, help="homes in the community (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--home", help="build here instead of a temporary folder (must be empty)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home and print where it is")
    parser.add_argument("--trace", action="store_true",
                        help="measure each step's peak Python heap with tracemalloc (several times slower; maxrss is always reported)")
    parser.add_argument("--trace-build", action="store_true",
                        help="with --trace, trace the build step too (it is left out otherwise)")
    parser.add_argument("--append-rounds", type=int, default=200, help="rounds of the per-action append benchmark (default 200; 0 skips it)")
    parser.add_argument("--append-only", action="store_true", help="run only the per-action append benchmark")
    parser.add_argument("--import-via-cli", action="store_true",
                        help="import with `knock import households` in a subprocess even when the importer can be called directly")
    args = parser.parse_args(argv)

    if args.append_rounds:
        with tempfile.TemporaryDirectory(prefix="knock-append-") as tmp:
            print(f"per-action append cost ({args.append_rounds} rounds, interleaved with the floor), each action with its commit:", flush=True)
            ledger_append.report(ledger_append.run(args.append_rounds, 300, Path(tmp)))
            print("one event appended (journal.append) against a raw INSERT of an event row, inside one transaction:", flush=True)
            ledger_append.report(ledger_append.run_events(args.append_rounds * 5, 300, Path(tmp)))
    if args.append_only:
        return 0
    arrears, staff, buildings = default_sizes(args.households)
    base = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="knock-bench-"))
    home_dir = base / "home" if not args.home else base
    print(f"knock ledger benchmark: {args.households:,} households ({arrears:,} in arrears, {staff:,} staff, "
          f"{buildings:,} buildings), seed {args.seed}, home {home_dir}", flush=True)
    tracing = ("on, build included" if args.trace_build else "on, except the build") if args.trace else "off"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, tracemalloc {tracing}", flush=True)
    steps = Steps(args.trace)
    try:
        home = open_home(home_dir)
        with steps.step("build sample", trace=args.trace and args.trace_build) as extra:
            started = time.perf_counter()

            def progress(done: int, total: int) -> None:
                if done % 10_000 == 0 or done == total:
                    print(f"  {done:>9,} / {total:,} households  {time.perf_counter() - started:8.1f} s", flush=True)

            summary = build_sample(home, seed=args.seed, households=args.households, arrears=arrears, staff=staff,
                                   buildings=buildings, progress=progress)
            events = int(home.store.scalar("SELECT COUNT(*) FROM event_log"))
            extra.update(events=events, charges=summary.charges, payments=summary.payments, contacts=summary.contacts,
                         us_per_event=round(summary.seconds / events * 1e6))
        with steps.step("size (VACUUM INTO)", trace=False) as extra:
            packed = base / "vacuumed.db"
            home.store.conn.execute("VACUUM INTO ?", (str(packed),))
            size = packed.stat().st_size
            breakdown = size_breakdown(packed)
            packed.unlink()
            extra.update(mb=round(size / 1e6, 1), kb_per_household=round(size / 1e3 / args.households, 2))
        print("  largest tables and indexes (MB): " + ", ".join(f"{name} {mb}" for name, mb in breakdown), flush=True)
        csv_path = base / "arrears.csv"
        with steps.step("write arrears CSV") as extra:
            extra["rows"] = write_arrears_csv(home, csv_path)
            extra["mib"] = round(csv_path.stat().st_size / 2**20, 1)
        importer = None if args.import_via_cli else import_in_process()
        if importer is not None:
            with steps.step("import CSV (in process)") as extra:
                report = importer(home.ledger, csv_path)
                extra.update(ok=report.ok, charges_new=report.charges_new, errors=len(report.errors))
                if report.errors:
                    print("\n".join(str(e) for e in report.errors[:5]), file=sys.stderr)
            home.close()
        else:
            home.close()
            with steps.step("import CSV (knock import)") as extra:
                done, hwm, cpu = knock_cli("import", "households", str(csv_path), "--home", str(home_dir))
                extra.update(exit=done.returncode, child_peak_rss_mib=hwm and round(hwm, 1), child_cpu_seconds=round(cpu, 2))
                if done.returncode:
                    print(done.stderr[-2000:], file=sys.stderr)
        home = open_home(home_dir)
        with steps.step("community_status") as extra:
            status = community_status(home.store, home.ledger.today(), home.settings.targets.collection_rate_percent,
                                      home.settings.escalation.limitation_years)
            extra.update(arrears=status.arrears_households, rate=f"{status.rate_by_households}%", amount_rate=f"{status.rate_by_amount}%")
        with steps.step("knock status --json (CLI)", trace=False) as extra:
            done, hwm, cpu = knock_cli("status", "--json", "--home", str(home_dir))
            extra.update(exit=done.returncode, child_peak_rss_mib=hwm and round(hwm, 1), child_cpu_seconds=round(cpu, 2))
        extra["db_mib"] = round(sum(f.stat().st_size for f in home_dir.glob("knock.db*")) / 2**20, 1)
        home.close()
        print(json.dumps({"households": args.households, "when": datetime.now().isoformat(timespec="seconds"),
                          "db_mib": extra["db_mib"], "steps": steps.rows}, ensure_ascii=False), flush=True)
    finally:
        if args.keep or args.home:
            print(f"home kept at {home_dir}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
