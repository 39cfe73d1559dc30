"""Benchmark ``knock status`` against the same figures by hand-written SQL (the floor).

Runs on an existing home (``--home``; copy the 100k fixture first, this opens it
read-write like the CLI does) or builds a sample of ``--households`` homes.
Interleaved ``--runs`` times, in a rotating order:

A.  the report in process: :func:`knock.core.reports.community_status` on an open store;
B.  the floor in process: plain :mod:`sqlite3`, the status figures by hand-written
    queries (per-household totals, ageing by cumulative sums per bucket, loads,
    counts), nothing per household in Python;
B2. the textbook floor: the same, but the ageing as a window-function running
    sum per charge (reported for reference; the ratio is taken against the
    faster of B and B2);
AP. ``knock status --json`` as a process (start-up, settings, opening the ledger);
BP. the floor as a process: a fresh interpreter that opens the file with
    :mod:`sqlite3` and runs B's queries.

Every run asserts that A's and B's (and B2's) figures agree, so the floor is
known to compute the same thing. Reported: median wall and CPU seconds (CPU of a
child process from ``wait4``), the ratios A/B and AP/BP. Goal: A/B <= 2.

Run: ``.venv/bin/python bench/bench_status.py --home /tmp/mine/home100k [--date 2026-11-23] [--runs 5]``.
``--date`` defaults to the last day with an assignment (so collector loads are
counted), else today.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Kept free of knock imports so that ``--floor-only`` measures a bare interpreter plus sqlite3.

_LIMITATION_YEARS_DEFAULT = 3


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def floor_status(conn: sqlite3.Connection, day: date, years: int, ageing: str = "buckets") -> dict[str, Any]:
    """The status figures with plain SQL: what a hand-written report would cost."""
    d = day.isoformat()
    p = {
        "day": d,
        "next": (day + timedelta(days=1)).isoformat(),
        "c365": (day - timedelta(days=366)).isoformat(),
        "c180": (day - timedelta(days=181)).isoformat(),
        "c90": (day - timedelta(days=91)).isoformat(),
        "c30": (day - timedelta(days=31)).isoformat(),
    }
    # A charge is past the limitation period when its due date + N years is before the day.
    past = day - timedelta(days=365 * years - 5)
    while _add_years(past, years) >= day:
        past -= timedelta(days=1)
    p["past"] = past.isoformat()
    paid = ("paid AS (SELECT household_id, SUM(amount_fen) AS paid FROM payments WHERE paid_at < :next"
            " AND payment_id NOT IN (SELECT payment_id FROM payment_voids) GROUP BY household_id)")
    live = "c.due_date <= :day AND c.charge_id NOT IN (SELECT charge_id FROM charge_reversals)"
    out: dict[str, Any] = {}
    if ageing == "buckets":
        row = conn.execute(
            f"WITH {paid}, due AS (SELECT c.household_id, SUM(c.amount_fen) AS b0,"
            " SUM(CASE WHEN c.due_date <= :c30 THEN c.amount_fen END) AS b1, SUM(CASE WHEN c.due_date <= :c90 THEN c.amount_fen END) AS b2,"
            " SUM(CASE WHEN c.due_date <= :c180 THEN c.amount_fen END) AS b3, SUM(CASE WHEN c.due_date <= :c365 THEN c.amount_fen END) AS b4,"
            " SUM(CASE WHEN c.due_date <= :past THEN c.amount_fen END) AS bp"
            f" FROM charges c WHERE {live} GROUP BY c.household_id),"
            " x AS (SELECT due.household_id, b0, IFNULL(b1, 0) AS b1, IFNULL(b2, 0) AS b2, IFNULL(b3, 0) AS b3, IFNULL(b4, 0) AS b4,"
            " IFNULL(bp, 0) AS bp, IFNULL(paid, 0) AS p FROM due LEFT JOIN paid USING (household_id))"
            " SELECT COUNT(*), SUM(b0), SUM(MAX(b0 - p, 0)), SUM(b0 > p), SUM(MAX(b0 - MAX(p, b1), 0)), SUM(MAX(b1 - MAX(p, b2), 0)),"
            " SUM(MAX(b2 - MAX(p, b3), 0)), SUM(MAX(b3 - MAX(p, b4), 0)), SUM(MAX(b4 - p, 0)), SUM(bp > p) FROM x",
            p,
        ).fetchone()
        out["billed_households"], out["billed_fen"], out["overdue_fen"], out["arrears_households"] = row[0], row[1] or 0, row[2] or 0, row[3] or 0
        out["ageing_fen"] = dict(zip(("0-30", "31-90", "91-180", "181-365", "365+"), (v or 0 for v in row[4:9])))
        out["limitation_risk_households"] = row[9] or 0
    else:
        row = conn.execute(
            f"WITH {paid} SELECT COUNT(*), SUM(billed), SUM(MAX(billed - IFNULL(paid, 0), 0)), SUM(billed > IFNULL(paid, 0))"
            f" FROM (SELECT c.household_id, SUM(c.amount_fen) AS billed FROM charges c WHERE {live} GROUP BY 1) LEFT JOIN paid USING (household_id)",
            p,
        ).fetchone()
        out["billed_households"], out["billed_fen"], out["overdue_fen"], out["arrears_households"] = row[0], row[1] or 0, row[2] or 0, row[3] or 0
        rows = conn.execute(
            f"WITH {paid}, run AS (SELECT c.household_id, c.amount_fen, c.due_date, SUM(c.amount_fen) OVER"
            " (PARTITION BY c.household_id ORDER BY c.due_date, c.period_start, c.item, c.charge_id ROWS UNBOUNDED PRECEDING) AS upto"
            f" FROM charges c WHERE {live}),"
            " open AS (SELECT run.household_id, run.due_date, MIN(run.amount_fen, run.upto - IFNULL(paid, 0)) AS fen"
            " FROM run LEFT JOIN paid USING (household_id) WHERE run.upto - IFNULL(paid, 0) > 0)"
            " SELECT CASE WHEN due_date > :c30 THEN '0-30' WHEN due_date > :c90 THEN '31-90' WHEN due_date > :c180 THEN '91-180'"
            " WHEN due_date > :c365 THEN '181-365' ELSE '365+' END, SUM(fen) FROM open GROUP BY 1"
            " UNION ALL SELECT 'risk', COUNT(DISTINCT household_id) FROM open WHERE due_date <= :past",
            p,
        ).fetchall()
        got = dict(rows)
        out["ageing_fen"] = {k: got.get(k, 0) for k in ("0-30", "31-90", "91-180", "181-365", "365+")}
        out["limitation_risk_households"] = got.get("risk", 0)
    out["households"] = conn.execute("SELECT COUNT(*) FROM households").fetchone()[0]
    out["staff_active"] = conn.execute("SELECT COUNT(*) FROM staff WHERE active = 1").fetchone()[0]
    out["community"] = conn.execute("SELECT IFNULL((SELECT name FROM communities ORDER BY rowid LIMIT 1), '')").fetchone()[0]
    out["collected_today_fen"] = conn.execute(
        "SELECT IFNULL(SUM(amount_fen), 0) FROM payments WHERE paid_at >= :day AND paid_at < :next"
        " AND payment_id NOT IN (SELECT payment_id FROM payment_voids)",
        p,
    ).fetchone()[0]
    out["loads"] = sorted(
        list(r)
        for r in conn.execute(
            f"WITH {paid}, mine AS (SELECT a.staff_id, a.household_id FROM assignments a WHERE a.day = :day),"
            f" due AS (SELECT c.household_id, SUM(c.amount_fen) AS billed FROM charges c WHERE {live}"
            " AND c.household_id IN (SELECT household_id FROM mine) GROUP BY 1)"
            " SELECT s.staff_id, s.name, s.role, COUNT(*), IFNULL(SUM(MAX(due.billed - IFNULL(paid, 0), 0)), 0)"
            " FROM mine JOIN staff s USING (staff_id) LEFT JOIN due USING (household_id) LEFT JOIN paid USING (household_id)"
            " GROUP BY s.staff_id ORDER BY s.name",
            p,
        )
    )
    return out


def figures_of(status: dict[str, Any]) -> dict[str, Any]:
    """The figures A and B must agree on, from ``Status.to_dict()``."""
    keys = ("households", "billed_households", "arrears_households", "billed_fen", "overdue_fen", "ageing_fen",
            "limitation_risk_households", "staff_active", "community", "collected_today_fen")
    out = {k: status[k] for k in keys}
    out["loads"] = sorted([x["staff_id"], x["name"], x["role"], x["households"], x["overdue_fen"]] for x in status["loads"])
    return out


def _connect(db: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute("PRAGMA cache_size=-65536")  # the same page cache the ledger's Store asks for
    return conn


def timed(func: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = func()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def timed_process(argv: list[str]) -> tuple[float, float, Any]:
    """Wall and CPU (user + system of the reaped child) of one process; its stdout parsed as JSON."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="the home folder to report on (a copy: it is opened read-write); built when empty")
    parser.add_argument("--households", type=int, default=20_000, help="homes in the sample built when --home is empty or absent")
    parser.add_argument("--date", type=date.fromisoformat, help="report day (default: last day with an assignment, else today)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-process", action="store_true", help="skip the AP/BP process runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--floor-only", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--years", type=int, default=_LIMITATION_YEARS_DEFAULT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.floor_only:  # the BP child: a bare interpreter, sqlite3 and the floor's queries
        print(json.dumps(floor_status(_connect(args.floor_only), args.date, args.years), ensure_ascii=False))
        return 0

    import tempfile

    from knock.core.reports import community_status
    from knock.home import open_home
    from knock.sample import build_sample

    folder = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="knock-bench-status-"))
    home = open_home(folder)
    if int(home.store.scalar("SELECT COUNT(*) FROM households")) == 0:
        started = time.perf_counter()
        print(f"building a sample of {args.households:,} households in {folder} …", file=sys.stderr, flush=True)
        build_sample(home, seed=3, households=args.households)
        print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    last = home.store.scalar("SELECT MAX(day) FROM assignments")
    day = args.date or (date.fromisoformat(last) if last else home.ledger.today())
    years = home.settings.escalation.limitation_years
    target = home.settings.targets.collection_rate_percent
    db = home.store.path
    households = int(home.store.scalar("SELECT COUNT(*) FROM households"))
    charges = int(home.store.scalar("SELECT COUNT(*) FROM charges"))
    conn = _connect(db)
    knock = str(Path(sys.executable).with_name("knock"))

    def a() -> Any:
        return community_status(home.store, day, target, years).to_dict()

    plan: list[tuple[str, Callable[[], tuple[float, float, Any]]]] = [
        ("A_in_process", lambda: timed(a)),
        ("B_floor_sql", lambda: timed(lambda: floor_status(conn, day, years))),
        ("B2_floor_window", lambda: timed(lambda: floor_status(conn, day, years, ageing="window"))),
    ]
    if not args.no_process:
        plan += [
            ("AP_knock_status_json", lambda: timed_process([knock, "status", "--json", "--home", str(folder), "--date", day.isoformat()])),
            ("BP_floor_process", lambda: timed_process([sys.executable, __file__, "--floor-only", db, "--date", day.isoformat(), "--years", str(years)])),
        ]
    expected = figures_of(a())
    for _, run in plan:  # warm every path once, and check that they agree before timing anything
        value = run()[2]
        got = figures_of(value) if "rate_by_households" in value else value
        if got != expected:
            raise SystemExit(f"figures disagree:\n A: {json.dumps(expected, ensure_ascii=False)}\n B: {json.dumps(got, ensure_ascii=False)}")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in plan}
    for n in range(args.runs):
        shift = n % len(plan)
        for name, run in plan[shift:] + plan[:shift]:
            wall, cpu, value = run()
            got = figures_of(value) if "rate_by_households" in value else value
            if got != expected:
                raise SystemExit(f"{name}: figures disagree with the report's")
            results[name].append((wall, cpu))
    med = {name: {"wall_s": statistics.median(w for w, _ in v), "cpu_s": statistics.median(c for _, c in v)} for name, v in results.items()}
    floor = min(("B_floor_sql", "B2_floor_window"), key=lambda k: med[k]["cpu_s"])
    report: dict[str, Any] = {
        "households": households, "charges": charges, "day": day.isoformat(), "runs": args.runs, **med, "floor": floor,
        "ratio_A_to_floor_cpu": med["A_in_process"]["cpu_s"] / med[floor]["cpu_s"],
        "ratio_A_to_floor_wall": med["A_in_process"]["wall_s"] / med[floor]["wall_s"],
    }
    if not args.no_process:
        report["ratio_AP_to_BP_cpu"] = med["AP_knock_status_json"]["cpu_s"] / med["BP_floor_process"]["cpu_s"]
        report["ratio_AP_to_BP_wall"] = med["AP_knock_status_json"]["wall_s"] / med["BP_floor_process"]["wall_s"]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"knock status, {households:,} households, {charges:,} charges, day {day}, medians of {args.runs} interleaved runs (figures agree):")
        for name in med:
            print(f"  {name:<22} cpu {med[name]['cpu_s']:7.3f} s   wall {med[name]['wall_s']:7.3f} s")
        print(f"  A / floor ({floor})   cpu {report['ratio_A_to_floor_cpu']:.2f}x   wall {report['ratio_A_to_floor_wall']:.2f}x   (goal <= 2x)")
        if not args.no_process:
            print(f"  AP / BP (processes)            cpu {report['ratio_AP_to_BP_cpu']:.2f}x   wall {report['ratio_AP_to_BP_wall']:.2f}x")
    conn.close()
    home.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
