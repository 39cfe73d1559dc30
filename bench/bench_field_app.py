"""Benchmark the field app: first usable frame on a big ledger, and confirm-to-disk.

1. **First usable frame.** A home with ``--households`` homes (default 10,000,
   built once with ``knock sample`` and kept in ``--home``) and ``--assigned``
   of them (default 200) contracted to one collector today. Each run is a fresh
   Python process that starts the clock before importing anything, opens the
   home, starts the field app headless at 80x24 already signed in, and stops
   the clock when the Today list holds all the collector's rows and has been
   drawn (first pass: amounts in building order; search and open work). The
   second pass (the playbook's visit order and advice for every row, in a
   worker with a progress bar) is timed too. The floor is the same measurement for a minimal Textual app that
   shows one label. Reported: median and spread of both, and the ratio.
2. **Confirm to disk.** In the running app, on a household screen with an
   outcome dialog filled in and the confirmation showing, the clock starts
   when the confirm key is pressed and stops when a *separate* SQLite
   connection sees the committed row (WAL, synchronous=FULL: on disk). Done
   for a note and for a cash payment on different households.

Run: ``.venv/bin/python bench/bench_field_app.py [--runs N] [--home DIR]``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD_FIELD = r"""
import time
t0 = time.perf_counter()
import asyncio, sys
from knock.home import open_home
from field_app.app import make_app
from field_app.screens.today import TodayScreen
home = open_home(sys.argv[1])
app = make_app(home, staff_id=sys.argv[2])
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, TodayScreen) and app.screen.view is not None):
            await asyncio.sleep(0.002)
        await asyncio.sleep(0)  # the frame with the rows
        usable = time.perf_counter() - t0
        rows = len(app.screen.view.rows)
        while not app.screen.advised:
            await asyncio.sleep(0.002)
        await pilot.pause()
        print(usable, rows, time.perf_counter() - t0)
asyncio.run(main())
"""

CHILD_MINIMAL = r"""
import time
t0 = time.perf_counter()
import asyncio
from textual.app import App
from textual.widgets import Label
class One(App):
    def compose(self):
        yield Label("Knock")
app = One()
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.query(Label):
            await asyncio.sleep(0.002)
        await asyncio.sleep(0)  # the frame with the label
        print(time.perf_counter() - t0, 1, 0)
asyncio.run(main())
"""


def ensure_home(home_dir: Path, households: int, assigned: int) -> str:
    """Build the sample once; contract ``assigned`` arrears households to one guard today. Returns the staff id."""
    from knock.core.reports import overdue_by_household
    from knock.home import open_home

    if not (home_dir / "knock.db").exists():
        print(f"building a {households:,}-household sample in {home_dir} (once)…", flush=True)
        subprocess.run([str(ROOT / ".venv/bin/knock"), "sample", "--home", str(home_dir), "--households", str(households), "--json"],
                       check=True, stdout=subprocess.DEVNULL)
    home = open_home(home_dir)
    try:
        today = home.ledger.today()
        staff_id = home.store.scalar("SELECT staff_id FROM staff WHERE role = 'guard' AND active = 1 ORDER BY name LIMIT 1")
        mine = home.store.scalar("SELECT COUNT(*) FROM assignments WHERE day = ? AND staff_id = ?", (today.isoformat(), staff_id))
        if mine != assigned:
            owing = sorted(overdue_by_household(home.store, today))[:assigned]
            home.ledger.set_assignments(today, {hid: staff_id for hid in owing})
        return str(staff_id)
    finally:
        home.close()


def run_child(code: str, *args: str) -> tuple[float, int, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def first_frame(home_dir: Path, staff_id: str, runs: int) -> dict[str, object]:
    run_child(CHILD_MINIMAL)  # warm the OS file cache for both
    run_child(CHILD_FIELD, str(home_dir), staff_id)
    field = [run_child(CHILD_FIELD, str(home_dir), staff_id) for _ in range(runs)]
    minimal = [run_child(CHILD_MINIMAL)[0] for _ in range(runs)]
    field_s = [t for t, _n, _a in field]
    advised = [a for _t, _n, a in field]
    return {
        "rows": field[0][1],
        "with_advice_s": {"median": statistics.median(advised), "min": min(advised), "max": max(advised)},
        "field_app_s": {"median": statistics.median(field_s), "min": min(field_s), "max": max(field_s)},
        "minimal_app_s": {"median": statistics.median(minimal), "min": min(minimal), "max": max(minimal)},
        "ratio_median": statistics.median(field_s) / statistics.median(minimal),
    }


def watch(db: Path, sql: str, params: tuple[object, ...], found: dict[str, float]) -> threading.Thread:
    """A thread with its own connection that notes when ``sql`` first returns a row."""

    def poll() -> None:
        conn = sqlite3.connect(db)
        try:
            deadline = time.perf_counter() + 30
            while time.perf_counter() < deadline:
                if conn.execute(sql, params).fetchone():
                    found["at"] = time.perf_counter()
                    return
                time.sleep(0.0005)
        finally:
            conn.close()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    return thread


def confirm_to_disk(home_dir: Path, staff_id: str, samples: int) -> dict[str, object]:
    import asyncio

    from field_app.app import make_app
    from field_app.screens.confirm import ConfirmDialog
    from field_app.screens.household import HouseholdScreen
    from field_app.screens.today import TodayScreen
    from knock.home import open_home

    home = open_home(home_dir)
    db = home_dir / "knock.db"
    app = make_app(home, staff_id=staff_id)
    results: dict[str, list[float]] = {"note": [], "payment": []}

    async def wait(pred, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        end = time.perf_counter() + timeout
        while not pred():
            if time.perf_counter() > end:
                raise TimeoutError("the app did not get there")
            await asyncio.sleep(0.002)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait(lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
            rooms = [r.room for r in app.screen.view.rows if r.owed_fen > 0 and not r.visited]
            for index in range(min(samples * 2, len(rooms))):
                room = rooms[index]
                kind = "note" if index % 2 == 0 else "payment"
                app.push_screen(HouseholdScreen(room))
                await wait(lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
                screen = app.screen
                hid = screen.view.household.household_id
                if kind == "note":
                    await pilot.press("7", "b", "e", "n", "c", "h", "enter")
                    sql = "SELECT 1 FROM contacts WHERE household_id = ? AND outcome = 'note'"
                else:
                    await pilot.press("1", "enter", "1")
                    sql = "SELECT 1 FROM payments WHERE household_id = ?"
                await wait(lambda: isinstance(app.screen, ConfirmDialog))
                found: dict[str, float] = {}
                thread = watch(db, sql, (hid,), found)
                start = time.perf_counter()
                await pilot.press("enter")
                while thread.is_alive():
                    await asyncio.sleep(0.0005)
                results[kind].append(found["at"] - start)
                await wait(lambda: not screen.saving)
                if kind == "payment":  # the receipt step: "2" = done, no printing
                    await wait(lambda: bool(app.screen.query("#info-choices")))
                    await pilot.press("2")
                await wait(lambda: app.screen is screen)
                await pilot.press("escape")
                await wait(lambda: isinstance(app.screen, TodayScreen))

    try:
        asyncio.run(main())
    finally:
        home.close()
    return {kind: {"n": len(v), "median_ms": statistics.median(v) * 1000, "max_ms": max(v) * 1000} for kind, v in results.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "knock-bench-field-app")
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--assigned", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=10, help="confirm-to-disk measurements per outcome")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    staff_id = ensure_home(args.home, args.households, args.assigned)
    report = {
        "households": args.households,
        "assigned": args.assigned,
        "first_usable_frame": first_frame(args.home, staff_id, args.runs),
        "confirm_to_disk": confirm_to_disk(args.home, staff_id, args.samples),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    ff = report["first_usable_frame"]
    print(f"first usable frame, {args.households:,} households, {ff['rows']} on the list (median of {args.runs} fresh processes):")
    print(f"  field app    {ff['field_app_s']['median']:.3f} s  (min {ff['field_app_s']['min']:.3f}, max {ff['field_app_s']['max']:.3f})")
    print(f"  one label    {ff['minimal_app_s']['median']:.3f} s  (min {ff['minimal_app_s']['min']:.3f}, max {ff['minimal_app_s']['max']:.3f})")
    print(f"  ratio        {ff['ratio_median']:.1f}x")
    print(f"  playbook order and advice on all {ff['rows']} rows: {ff['with_advice_s']['median']:.3f} s (second pass, in a worker, with a progress bar)")
    print("confirm key to commit on disk (seen by another connection):")
    for kind, r in report["confirm_to_disk"].items():
        print(f"  {kind:<8} median {r['median_ms']:.1f} ms, max {r['max_ms']:.1f} ms over {r['n']}")


if __name__ == "__main__":
    main()
