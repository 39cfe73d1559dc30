"""Benchmark the nightly summary against the same figures by hand-written SQL (the floor).

A sample community of ``--households`` homes is built (or reused with
``--home``), and a collection evening is played on it: about one in six of
today's assigned households is visited, a third of those pay (cash, WeChat,
Alipay), some promise to pay tomorrow. Then, interleaved ``--runs`` times:

A. ``knock summary``'s work in process: the figures
   (:func:`knock.core.reports.summary.nightly_summary`) and the whole A4 PDF
   (:func:`knock.documents.render.render_summary`);
A0. the figures alone;
B. the floor: the same figures with plain SQL only — one query per table,
   oldest-first settlement with a window function, no Python per household.
   The escalation ladder cannot be written in SQL, so the floor only selects
   its candidates; the summary runs the playbook's ladder on each of them.

Reported: median wall and CPU seconds of each, the ratio A/B and A0/B, and
the PDF's page count. Goal: the whole PDF under 5 s and within 3x of the floor.

Run: ``.venv/bin/python bench/bench_summary.py [--households N] [--runs N] [--home DIR]``.
Building the sample takes about 1.3 s per 1,000 households on one core.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from knock.core.store import Store
from knock.core.reports.summary import nightly_summary
from knock.core.reports.summary_sync import sync_facts_for
from knock.home import Home, open_home
from knock.sample import build_sample

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 21, 30, tzinfo=CST)
DAY = NOW.date()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def play_evening(home: Home, clock: Clock, seed: int) -> dict[str, int]:
    """Visits, payments and promises on today's assignment, as a busy evening would bring."""
    rng = random.Random(seed)
    rows = home.store.query(
        "SELECT h.room, s.name FROM assignments a JOIN households h USING (household_id) JOIN staff s USING (staff_id) WHERE a.day = ?",
        (DAY.isoformat(),),
    )
    counts = {"visits": 0, "payments": 0, "promises": 0}
    clock.now = datetime(2026, 11, 23, 19, 0, tzinfo=CST)
    with home.store.transaction():
        for r in rows:
            if rng.random() > 1 / 6:
                continue
            clock.now += timedelta(seconds=2)
            roll = rng.random()
            if roll < 1 / 3:
                method = rng.choice(("cash", "cash", "wechat", "alipay"))
                home.ledger.record_payment(r["room"], rng.randrange(5000, 60000), method=method, collector=r["name"])
                home.ledger.log_contact(r["room"], channel="door", outcome="part_paid", collector=r["name"])
                counts["payments"] += 1
            elif roll < 0.5:
                home.ledger.log_contact(r["room"], channel="door", outcome="promised", collector=r["name"])
                home.ledger.make_promise(r["room"], due_date=DAY + timedelta(days=1), window="evening", collector=r["name"])
                counts["promises"] += 1
            else:
                home.ledger.log_contact(r["room"], channel="door", outcome=rng.choice(("not_home", "refused")), collector=r["name"])
            counts["visits"] += 1
    clock.now = NOW
    return counts


_PER_HOUSEHOLD = """
WITH due AS (SELECT household_id, SUM(amount_fen) AS billed FROM charges
             WHERE due_date <= :day AND charge_id NOT IN (SELECT charge_id FROM charge_reversals) GROUP BY household_id),
     paid AS (SELECT household_id, SUM(amount_fen) AS paid FROM payments
              WHERE payment_id NOT IN (SELECT payment_id FROM payment_voids) AND substr(paid_at, 1, 10) <= :day GROUP BY household_id)
SELECT due.household_id, billed, COALESCE(paid, 0) AS paid, MAX(billed - COALESCE(paid, 0), 0) AS overdue
FROM due LEFT JOIN paid USING (household_id)
"""

_OPEN_CHARGES = """
WITH paid AS (SELECT household_id, SUM(amount_fen) AS paid FROM payments
              WHERE payment_id NOT IN (SELECT payment_id FROM payment_voids) AND substr(paid_at, 1, 10) <= :day GROUP BY household_id),
run AS (SELECT c.household_id, c.amount_fen, c.due_date,
               SUM(c.amount_fen) OVER (PARTITION BY c.household_id ORDER BY c.due_date, c.period_start, c.item, c.charge_id) AS upto
        FROM charges c WHERE c.due_date <= :day AND c.charge_id NOT IN (SELECT charge_id FROM charge_reversals))
SELECT run.household_id, run.due_date,
       MIN(run.amount_fen, MAX(run.upto - COALESCE(paid.paid, 0), 0)) AS open_fen,
       CAST(julianday(:day) - julianday(run.due_date) AS INTEGER) AS age
FROM run LEFT JOIN paid USING (household_id)
"""


def floor_sql(store: Store, day: date, warn_days: int, min_contacts: int) -> dict[str, Any]:
    """The summary's figures with plain SQL: what a hand-written report would cost."""
    p = {"day": day.isoformat(), "tomorrow": (day + timedelta(days=1)).isoformat(), "week": (day + timedelta(days=6)).isoformat(),
         "since": (day - timedelta(days=6)).isoformat(), "warn": warn_days, "need": min_contacts}
    q = lambda sql: [tuple(r) for r in store.query(sql, p)]  # noqa: E731
    out: dict[str, Any] = {}
    out["headline"] = q(f"SELECT COUNT(*), SUM(overdue > 0), SUM(billed), SUM(overdue) FROM ({_PER_HOUSEHOLD})")
    out["today"] = q("SELECT COUNT(*), COUNT(DISTINCT household_id), SUM(amount_fen) FROM payments WHERE substr(paid_at, 1, 10) = :day"
                     " AND payment_id NOT IN (SELECT payment_id FROM payment_voids)")
    out["campaign"] = q("SELECT SUM(amount_fen) FROM payments WHERE substr(paid_at, 1, 10) BETWEEN (SELECT MIN(day) FROM assignments) AND :day"
                        " AND payment_id NOT IN (SELECT payment_id FROM payment_voids)")
    out["assigned"] = q("SELECT staff_id, COUNT(*) FROM assignments WHERE day = :day GROUP BY staff_id")
    out["contacts"] = q("SELECT collector_id, outcome, COUNT(*), COUNT(DISTINCT CASE WHEN channel = 'door' THEN household_id END)"
                        " FROM contacts WHERE substr(at, 1, 10) = :day GROUP BY collector_id, outcome")
    out["money"] = q("SELECT p.collector_id, p.method, SUM(CASE WHEN v.payment_id IS NULL THEN p.amount_fen ELSE 0 END), COUNT(*),"
                     " MIN(p.receipt_no), MAX(p.receipt_no) FROM payments p LEFT JOIN payment_voids v USING (payment_id)"
                     " WHERE substr(p.paid_at, 1, 10) = :day GROUP BY p.collector_id, p.method")
    out["voids"] = q("SELECT p.collector_id, COUNT(*) FROM payment_voids v JOIN payments p USING (payment_id) WHERE substr(v.voided_at, 1, 10) = :day GROUP BY 1")
    out["cash"] = q("SELECT collector_id, counted_fen FROM cash_counts WHERE day = :day")
    out["buildings"] = q(f"SELECT h.building, COUNT(*), SUM(x.overdue > 0) FROM ({_PER_HOUSEHOLD}) x JOIN households h USING (household_id) GROUP BY 1")
    out["promises"] = q("SELECT pr.*, h.room, (SELECT SUM(amount_fen) FROM payments p WHERE p.household_id = pr.household_id AND p.paid_at >= pr.made_at"
                        " AND substr(p.paid_at, 1, 10) <= pr.due_date) FROM promises pr JOIN households h USING (household_id) WHERE pr.due_date IN (:day, :tomorrow)")
    out["complaints"] = q("SELECT c.*, h.room FROM complaints c JOIN households h USING (household_id) WHERE status = 'open' OR substr(opened_at, 1, 10) = :day")
    out["ladder_candidates"] = q("SELECT household_id FROM escalations UNION SELECT household_id FROM (SELECT household_id FROM contacts"
                                 " UNION ALL SELECT household_id FROM promises) GROUP BY household_id HAVING COUNT(*) >= :need")
    out["deadlines"] = q("SELECT e.*, h.room FROM escalations e JOIN households h USING (household_id) WHERE deadline BETWEEN :day AND :week")
    out["ageing"] = q(f"SELECT CASE WHEN age <= 30 THEN 0 WHEN age <= 90 THEN 1 WHEN age <= 180 THEN 2 WHEN age <= 365 THEN 3 ELSE 4 END,"
                      f" COUNT(DISTINCT household_id), SUM(open_fen) FROM ({_OPEN_CHARGES}) WHERE open_fen > 0 GROUP BY 1")
    out["limitation"] = q(f"SELECT household_id, MIN(due_date), SUM(open_fen) FROM ({_OPEN_CHARGES}) WHERE open_fen > 0"
                          f" AND date(due_date, '+3 years') BETWEEN :day AND date(:day, '+' || :warn || ' days') GROUP BY 1")
    out["quiet"] = q(f"SELECT x.household_id, x.overdue, a.staff_id IS NULL, (SELECT MAX(at) FROM contacts c WHERE c.household_id = x.household_id)"
                     f" FROM ({_PER_HOUSEHOLD}) x LEFT JOIN assignments a ON a.household_id = x.household_id AND a.day = :day WHERE x.overdue > 0")
    out["hard"] = q(f"SELECT x.household_id, h.room, x.overdue, (SELECT MAX(at) FROM contacts c WHERE c.household_id = x.household_id)"
                    f" FROM ({_PER_HOUSEHOLD}) x JOIN households h USING (household_id) ORDER BY x.overdue DESC LIMIT 20")
    return out


def timed(func: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = func()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000, help="homes in the community (default 20000; 100000 takes minutes to build)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--home", help="reuse (or build into) this folder instead of a temporary one")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from knock.documents.render import render_summary

    folder = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="knock-bench-summary-"))
    clock = Clock(NOW)
    home = open_home(folder, clock=clock)
    if int(home.store.scalar("SELECT COUNT(*) FROM households")) == 0:
        started = time.perf_counter()
        print(f"building a sample of {args.households:,} households in {folder} …", file=sys.stderr, flush=True)
        build_sample(home, seed=args.seed, households=args.households)
        print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    if not home.store.scalar("SELECT 1 FROM payments WHERE substr(paid_at, 1, 10) = ? LIMIT 1", (DAY.isoformat(),)):
        print(f"  evening: {play_evening(home, clock, args.seed)}", file=sys.stderr, flush=True)
    households = int(home.store.scalar("SELECT COUNT(*) FROM households"))
    events = int(home.store.scalar("SELECT COUNT(*) FROM events"))
    settings = home.settings

    def figures() -> Any:
        return nightly_summary(home.store, settings, DAY, now=NOW, sync=sync_facts_for(home.store))

    def whole() -> Any:
        summary = figures()
        return render_summary(summary, "zh")

    def floor() -> Any:
        return floor_sql(home.store, DAY, settings.escalation.limitation_warn_days, settings.escalation.dunning_min_failed_contacts)

    whole()  # warm: fonts, stylesheets, templates, page cache
    floor()
    results: dict[str, list[tuple[float, float]]] = {"whole_pdf": [], "figures": [], "floor_sql": []}
    pages = 0
    plan = [("floor_sql", floor), ("whole_pdf", whole), ("figures", figures)]
    for run in range(args.runs):
        order = plan[run % 3:] + plan[: run % 3]
        for name, func in order:
            wall, cpu, value = timed(func)
            results[name].append((wall, cpu))
            if name == "whole_pdf":
                import pypdfium2 as pdfium

                pages = len(pdfium.PdfDocument(value))
    medians = {name: {"wall_s": statistics.median(w for w, _ in v), "cpu_s": statistics.median(c for _, c in v)} for name, v in results.items()}
    floor_wall = medians["floor_sql"]["wall_s"]
    report = {
        "households": households,
        "events": events,
        "runs": args.runs,
        "pages": pages,
        **medians,
        "ratio_whole_to_floor": medians["whole_pdf"]["wall_s"] / floor_wall,
        "ratio_figures_to_floor": medians["figures"]["wall_s"] / floor_wall,
        "ratio_whole_to_floor_cpu": medians["whole_pdf"]["cpu_s"] / medians["floor_sql"]["cpu_s"],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"nightly summary, {households:,} households, {events:,} events, medians of {args.runs} interleaved runs:")
        for name in ("whole_pdf", "figures", "floor_sql"):
            print(f"  {name:<10} wall {medians[name]['wall_s']:7.3f} s   cpu {medians[name]['cpu_s']:7.3f} s")
        print(f"  PDF pages  {pages}")
        print(f"  ratio whole PDF / floor   {report['ratio_whole_to_floor']:.2f}x (cpu {report['ratio_whole_to_floor_cpu']:.2f}x)")
        print(f"  ratio figures / floor     {report['ratio_figures_to_floor']:.2f}x")
    home.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
