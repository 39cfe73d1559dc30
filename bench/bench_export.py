"""Benchmark ``knock export payments`` against a floor measured in the same run.

A sample community of ``--households`` homes (default 20,000) is built once;
then, interleaved ``--rounds`` times:

- **floor**: one SQL read of every payment line joined to its household, written
  with :mod:`csv` (what any export costs at least);
- **export csv** and **export xlsx**: :func:`knock.exporting.payments.collect_payments`
  and :func:`knock.exporting.payments.render` (the lines, their labels, periods,
  void lines, sorting, the template, and for .xlsx the fixed-timestamp zip).

Medians of wall and CPU time are reported, with the ratio to the floor.

Run: ``.venv/bin/python bench/bench_export.py [--households N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from knock.exporting.payments import collect_payments, render
from knock.home import Home, open_home
from knock.sample import build_sample

_FLOOR_SQL = """
SELECT h.room, h.owner_name, i.item, i.period_start, i.period_end, i.amount_fen, p.paid_at, p.method, p.receipt_no, p.collector_name
FROM payments p JOIN households h USING (household_id) JOIN payment_items i USING (payment_id)
ORDER BY p.paid_at, p.receipt_no, i.line
"""


def floor(home: Home) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    for row in home.store.iterate(_FLOOR_SQL):
        writer.writerow(tuple(row))
        count += 1
    buffer.getvalue().encode("utf-8")
    return count


def export(home: Home, fmt: str) -> int:
    lines = collect_payments(home.ledger)
    render(lines, home.settings.billing, fmt)  # type: ignore[arg-type]
    return len(lines.lines)


def timed(step: Callable[[], int]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    count = step()
    return time.perf_counter() - wall, time.process_time() - cpu, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="knock-bench-export-") as tmp:
        home = open_home(Path(tmp) / "home")
        try:
            build_sample(home, households=args.households, assign=False)
            steps: dict[str, Callable[[], int]] = {
                "floor (SQL + csv)": lambda: floor(home),
                "export csv": lambda: export(home, "csv"),
                "export xlsx": lambda: export(home, "xlsx"),
            }
            results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in steps}
            for _ in range(args.rounds):
                for name, step in steps.items():
                    results[name].append(timed(step))
            payments = home.store.scalar("SELECT COUNT(*) FROM payments")
        finally:
            home.close()
    print(f"knock export benchmark: {args.households:,} households, {payments:,} payments, {args.rounds} interleaved rounds (medians)")
    base_wall = statistics.median(r[0] for r in results["floor (SQL + csv)"])
    base_cpu = statistics.median(r[1] for r in results["floor (SQL + csv)"])
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"  {name:<20} {wall:7.3f} s wall  {cpu:7.3f} s cpu  x{cpu / base_cpu if base_cpu else 0:5.1f} cpu of floor  lines={runs[0][2]:,}")
    del base_wall
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
