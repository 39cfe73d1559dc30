"""Benchmark the field app on a big ledger: first usable frame, memory, and confirm key to durable commit.

1. **First usable frame.** Each run is a fresh Python process that starts
   the clock before importing anything, does what ``knock field`` does after
   the command is dispatched (import ``knock.cli.field_cmds``, open the home,
   make the app, the cycle collector held meanwhile and the start's objects frozen out of it after), starts the app headless at 80x24 already signed in, and
   stops the clock at the end of the first refresh after the Today list got
   its first rows (first pass: amounts in building order; the list puts the
   rows one screen shows first and the rest right after that frame, and keys
   wait for the rest): the list's ``add_rows`` asks for a callback after the
   next refresh, so nothing the app schedules after that frame is counted in it.
   The floor is the same measurement for a minimal Textual app that shows one
   label. Field and floor runs are interleaved (F, L, F, L, ...); reported are
   medians and spread of wall time (from the parent's spawn) and of CPU time
   (the child's process time at that frame, all threads, interpreter start
   included), and their ratios. Knock's sources are byte-compiled first, as
   an installed Knock is. The second pass (the playbook's visit order
   and advice for every row, in a worker) is timed too.
2. **Memory.** Peak RSS (``VmHWM``) of the field app process at the first usable frame,
   after the second pass, and after opening one household (what a collector
   has in memory at the first door).
3. **Confirm key to durable commit, every outcome.** In one running app, on
   a household screen with an outcome's dialogs filled in and the
   confirmation showing, the clock starts when the confirm key is pressed and
   stops when the outermost transaction's COMMIT returned (WAL,
   synchronous=FULL: on disk); a separate connection then checks the row is
   there. One sample of each outcome kind per round (paid cash, promised, not
   home, refused, complaint, wrong number, note), interleaved with the floor:
   one row inserted and committed with the same pragmas in a file beside the
   ledger. Reported per kind: median wall and CPU, and the split (before the
   transaction, the journal's appends, other SQL in it, the COMMIT), and when
   the confirmation closed (the household screen takes keys again).

Run: ``.venv/bin/python bench/bench_field_app.py [--runs N] [--rounds N] [--home DIR]``.
``--home`` a copy of a big ledger (it is written to: assignments and outcomes);
without it a ``--households`` sample is built once in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CHILD_FIELD = r"""
import time
t0 = time.perf_counter()
import asyncio, sys
def rss_mb():  # this process's peak (VmHWM; ru_maxrss would carry the forking parent's peak over exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
import knock.cli.field_cmds
from knock.cli.common import open_cli_home
from field_app.start import start_up
with start_up():  # as knock field does
    from field_app.app import make_app
    home = open_cli_home(sys.argv[1])
    app = make_app(home, staff_id=sys.argv[2])
from field_app.widgets.day_list import DayList
drawn = None
plain_render_lines = DayList.render_lines
def render_lines(self, crop):  # the first refresh that draws rows: the clock stops right after it
    if self.row_count and drawn is not None and not drawn.done():
        asyncio.get_running_loop().call_soon(lambda: drawn.done() or drawn.set_result((time.perf_counter() - t0, time.time(), time.process_time(), rss_mb())))
    return plain_render_lines(self, crop)
DayList.render_lines = render_lines
async def main():
    global drawn
    drawn = asyncio.get_running_loop().create_future()
    async with app.run_test(size=(80, 24)) as pilot:
        wall, epoch, cpu, rss = await drawn  # the frame with the rows
        rows = app.screen.view.assigned  # the day (the first frame shows the rows one screen holds)
        while not app.screen.advised:
            await asyncio.sleep(0.002)
        await pilot.pause()
        advised, rss_advised = time.perf_counter() - t0, rss_mb()
        from field_app.screens.household import HouseholdScreen
        await pilot.press("enter")
        while not (isinstance(app.screen, HouseholdScreen) and app.screen.view is not None):
            await asyncio.sleep(0.002)
        await pilot.pause()
        print(wall, epoch, cpu, rss, rows, advised, rss_advised, rss_mb())
asyncio.run(main())
home.close()
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
drawn = None
plain_render_lines = Label.render_lines
def render_lines(self, crop):  # the first refresh that draws the label: the clock stops right after it
    if drawn is not None and not drawn.done():
        asyncio.get_running_loop().call_soon(lambda: drawn.done() or drawn.set_result(None))
    return plain_render_lines(self, crop)
Label.render_lines = render_lines
async def main():
    global drawn
    drawn = asyncio.get_running_loop().create_future()
    async with app.run_test(size=(80, 24)) as pilot:
        await drawn  # the frame with the label
        wall, epoch, cpu = time.perf_counter() - t0, time.time(), time.process_time()
        with open("/proc/self/status") as status:
            rss = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
        print(wall, epoch, cpu, rss, 1, 0, rss, rss)
asyncio.run(main())
"""

OUTCOMES: dict[str, tuple[tuple[str, ...], str]] = {
    # kind: (keys up to the confirmation, a row that shows it was saved)
    "paid_cash": (("1", "enter", "1"), "SELECT 1 FROM payments WHERE household_id = ?"),
    "promised": (("2", "1", "enter", "1"), "SELECT 1 FROM promises WHERE household_id = ?"),
    "not_home": (("3", "2"), "SELECT 1 FROM contacts WHERE household_id = ? AND outcome = 'not_home'"),
    "refused": (("4", "1", "n", "o", "enter"), "SELECT 1 FROM contacts WHERE household_id = ? AND outcome = 'refused'"),
    "complaint": (("5", "1", "5", "l", "e", "a", "k", "enter"), "SELECT 1 FROM complaints WHERE household_id = ?"),
    "wrong_number": (("6", "2", *"13912345678", "enter"), "SELECT 1 FROM contacts WHERE household_id = ? AND outcome = 'wrong_number'"),
    "note": (("7", "d", "o", "g", "enter"), "SELECT 1 FROM contacts WHERE household_id = ? AND outcome = 'note'"),
}


def stats(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, float]:
    v = sorted(x * scale for x in values)
    return {"median": round(statistics.median(v), digits), "min": round(v[0], digits), "max": round(v[-1], digits)}


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
        if mine < assigned:
            owing = sorted(overdue_by_household(home.store, today))[:assigned]
            home.ledger.set_assignments(today, {hid: staff_id for hid in owing})
        return str(staff_id)
    finally:
        home.close()


def run_child(code: str, *args: str) -> list[float]:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    wall, epoch, cpu, rss, rows, advised, rss_advised, rss_open = (float(x) for x in out[-8:])
    return [epoch - start, cpu, rss, rows, advised, rss_advised, rss_open, wall]


def compile_sources() -> None:
    """Byte-compile Knock's sources, as ``pip install .`` does: with PYTHONDONTWRITEBYTECODE set (or an
    editable install that never ran), every start would compile them again and the floor (Textual,
    installed compiled) would not pay the same."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "knock", "field_app", "sync"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def first_frame(home_dir: Path, staff_id: str, runs: int) -> dict[str, Any]:
    compile_sources()
    run_child(CHILD_MINIMAL)  # warm the OS file cache for both
    run_child(CHILD_FIELD, str(home_dir), staff_id)
    field, minimal = [], []
    for _ in range(runs):  # interleaved: F, L, F, L, ...
        field.append(run_child(CHILD_FIELD, str(home_dir), staff_id))
        minimal.append(run_child(CHILD_MINIMAL))
    fw, fc = [r[0] for r in field], [r[1] for r in field]
    mw, mc = [r[0] for r in minimal], [r[1] for r in minimal]
    return {
        "rows": int(field[0][3]),
        "field_app": {"wall_s": stats(fw), "cpu_s": stats(fc)},
        "one_label": {"wall_s": stats(mw), "cpu_s": stats(mc)},
        "ratio_wall": round(statistics.median(fw) / statistics.median(mw), 2),
        "ratio_cpu": round(statistics.median(fc) / statistics.median(mc), 2),
        "with_advice_s": stats([r[4] for r in field]),
        "peak_rss_mb": {
            "field_first_frame": stats([r[2] for r in field], digits=1),
            "field_after_advice": stats([r[5] for r in field], digits=1),
            "field_household_open": stats([r[6] for r in field], digits=1),
            "one_label": stats([r[2] for r in minimal], digits=1),
        },
    }


class TimedConnection:
    """The store's connection, noting when each COMMIT starts and returns (everything else passes through)."""

    def __init__(self, conn: sqlite3.Connection, marks: dict[str, float]) -> None:
        self._conn = conn
        self._marks = marks

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql == "COMMIT":
            self._marks["commit_start"] = time.perf_counter()
            cursor = self._conn.execute(sql, *args)
            self._marks["committed"] = time.perf_counter()
            self._marks["committed_cpu"] = time.process_time()
            return cursor
        if sql == "BEGIN IMMEDIATE":
            self._marks["begin"] = time.perf_counter()
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def floor_commit(path: Path) -> tuple[float, float]:
    """One row inserted and committed, WAL and synchronous=FULL, in its own file: the durable-commit floor."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, at TEXT NOT NULL, note TEXT NOT NULL)")
        wall, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO floor (at, note) VALUES (?, ?)", (datetime.now().isoformat(), "bench"))
        conn.execute("COMMIT")
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        conn.close()


def confirm_to_commit(home_dir: Path, staff_id: str, rounds: int) -> dict[str, Any]:
    import asyncio

    from field_app.app import make_app
    from field_app.screens.confirm import ConfirmDialog
    from field_app.screens.household import HouseholdScreen
    from field_app.screens.today import TodayScreen
    from knock.core.journal import system_clock
    from knock.home import open_home

    def daytime() -> datetime:  # inside the visiting hours, whatever the bench machine's hour
        return datetime.combine(system_clock().date(), clock_time(10, 30), system_clock().tzinfo)

    home = open_home(home_dir, clock=daytime)
    marks: dict[str, float] = {}
    home.store.conn = TimedConnection(home.store.conn, marks)  # type: ignore[assignment]
    journal = home.ledger.journal
    plain_append = journal.append
    appends: list[float] = []

    def timed_append(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return plain_append(*args, **kwargs)
        finally:
            appends.append(time.perf_counter() - start)

    journal.append = timed_append  # type: ignore[method-assign]
    plain_dismiss = ConfirmDialog.dismiss

    def timed_dismiss(self: ConfirmDialog, result: Any = None) -> Any:
        marks.setdefault("closed", time.perf_counter())
        return plain_dismiss(self, result)

    ConfirmDialog.dismiss = timed_dismiss  # type: ignore[method-assign, assignment]
    app = make_app(home, staff_id=staff_id, clock=daytime)
    results: dict[str, list[dict[str, float]]] = {kind: [] for kind in (*OUTCOMES, "floor_commit")}
    check = sqlite3.connect(home_dir / "knock.db")
    floor_db = home_dir / "bench-floor.db"

    async def wait(pred, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        end = time.perf_counter() + timeout
        while not pred():
            if time.perf_counter() > end:
                raise TimeoutError("the app did not get there")
            await asyncio.sleep(0.001)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait(lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
            with home.store.transaction():
                pass
            today = home.ledger.today().isoformat()
            rooms = [
                r.room for r in app.screen.view.rows
                if r.owed_fen > 0 and not r.visited
                and not check.execute("SELECT 1 FROM contacts c JOIN households h USING (household_id) WHERE h.room = ? AND c.at >= ?", (r.room, today)).fetchone()
            ]
            need = rounds * len(OUTCOMES)
            if len(rooms) < need:
                raise SystemExit(f"only {len(rooms)} unvisited households on the list; {need} needed (raise --assigned)")
            index = 0
            for _round in range(rounds):
                for kind, (keys, sql) in OUTCOMES.items():
                    room = rooms[index]
                    index += 1
                    app.push_screen(HouseholdScreen(room))
                    await wait(lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
                    screen = app.screen
                    hid = screen.view.household.household_id
                    await pilot.press(*keys)
                    await wait(lambda: isinstance(app.screen, ConfirmDialog))
                    await pilot.pause()
                    marks.clear()
                    appends.clear()
                    cpu, wall = time.process_time(), time.perf_counter()
                    await pilot.press("enter")
                    await wait(lambda: "committed" in marks and not screen.saving)
                    journal_s = sum(appends)
                    results[kind].append({
                        "wall": marks["committed"] - wall,
                        "cpu": marks["committed_cpu"] - cpu,
                        "before_tx": marks["begin"] - wall,
                        "journal": journal_s,
                        "other_sql": marks["commit_start"] - marks["begin"] - journal_s,
                        "commit": marks["committed"] - marks["commit_start"],
                        "closed": marks["closed"] - wall,
                    })
                    if not check.execute(sql, (hid,)).fetchone():
                        raise SystemExit(f"{kind}: confirmed but not on disk for {room}")
                    if kind == "paid_cash":  # the receipt step: "2" = done, no printing
                        await wait(lambda: bool(app.screen.query("#info-choices")))
                        await pilot.press("2")
                    if kind == "not_home":
                        pass
                    await wait(lambda: app.screen is screen)
                    await pilot.press("escape")
                    await wait(lambda: isinstance(app.screen, TodayScreen))
                    await pilot.pause()
                    floor_wall, floor_cpu = floor_commit(floor_db)  # interleaved with the outcomes
                    results["floor_commit"].append({"wall": floor_wall, "cpu": floor_cpu})

    try:
        asyncio.run(main())
    finally:
        ConfirmDialog.dismiss = plain_dismiss  # type: ignore[method-assign]
        check.close()
        home.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{floor_db}{suffix}").unlink(missing_ok=True)
    floor = statistics.median(s["wall"] for s in results["floor_commit"])
    report: dict[str, Any] = {}
    for kind, samples in results.items():
        entry: dict[str, Any] = {"n": len(samples)}
        for part in samples[0]:
            entry[f"{part}_ms"] = stats([s[part] for s in samples], 1000, 2)
        entry["ratio_to_floor"] = round(statistics.median(s["wall"] for s in samples) / floor, 2)
        report[kind] = entry
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "knock-bench-field-app")
    parser.add_argument("--households", type=int, default=10_000, help="sample size when --home has no ledger yet")
    parser.add_argument("--assigned", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per side for the first frame")
    parser.add_argument("--rounds", type=int, default=5, help="samples of each outcome kind for confirm-to-commit")
    parser.add_argument("--skip-frame", action="store_true")
    parser.add_argument("--skip-confirm", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    staff_id = ensure_home(args.home, args.households, args.assigned)
    report: dict[str, Any] = {"assigned": args.assigned}
    if not args.skip_frame:
        report["first_usable_frame"] = first_frame(args.home, staff_id, args.runs)
    if not args.skip_confirm:
        report["confirm_to_commit"] = confirm_to_commit(args.home, staff_id, args.rounds)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    if "first_usable_frame" in report:
        ff = report["first_usable_frame"]
        print(f"first usable frame, {ff['rows']} on the list (medians of {args.runs} interleaved fresh processes):")
        for name in ("field_app", "one_label"):
            w, c = ff[name]["wall_s"], ff[name]["cpu_s"]
            print(f"  {name:<10} wall {w['median']:.3f} s ({w['min']:.3f}-{w['max']:.3f})   cpu {c['median']:.3f} s ({c['min']:.3f}-{c['max']:.3f})")
        print(f"  ratio      wall {ff['ratio_wall']:.2f}x   cpu {ff['ratio_cpu']:.2f}x   (goal <= 1.5x)")
        print(f"  playbook order and advice on all rows: {ff['with_advice_s']['median']:.3f} s from start")
        rss = ff["peak_rss_mb"]
        print(f"  peak RSS: first frame {rss['field_first_frame']['median']:.0f} MB, after advice {rss['field_after_advice']['median']:.0f} MB,"
              f" household open {rss['field_household_open']['median']:.0f} MB (goal < 100 MB); one label {rss['one_label']['median']:.0f} MB")
    if "confirm_to_commit" in report:
        print(f"confirm key to durable commit (medians of {args.rounds}, interleaved with the floor; ms):")
        print(f"  {'kind':<13}{'wall':>7}{'cpu':>7}{'x floor':>8}{'pre-tx':>8}{'journal':>8}{'other':>8}{'commit':>8}{'closed':>8}")
        for kind, r in report["confirm_to_commit"].items():
            parts = [r.get(f"{p}_ms", {}).get("median") for p in ("before_tx", "journal", "other_sql", "commit", "closed")]
            tail = "".join(f"{p:>8.2f}" if p is not None else f"{'':>8}" for p in parts)
            print(f"  {kind:<13}{r['wall_ms']['median']:>7.2f}{r['cpu_ms']['median']:>7.2f}{r['ratio_to_floor']:>8.2f}{tail}")


if __name__ == "__main__":
    main()
