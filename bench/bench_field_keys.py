"""Benchmark key to screen: Enter on the Today list to the household drawn, and 1 to the payment dialog drawn.

Goal (issue 15): under 100 ms on this machine. The app runs headless at 80x24
on the demo community (``knock demo --prepare-only``, 1,800 households), signed
in as the demo collector. For each sample the clock starts just before the key
is sent and stops when the screen the key asked for is up *with its content*
(the household's facts loaded from SQLite in a worker and rendered; the payment
dialog composed with its amount) and the app is idle again (the frame drawn).

The floor is the same measurement in a minimal Textual app in the same
process, where a key pushes a screen with one label: what Textual itself costs
per key. Samples of the three are interleaved (A, B, floor, A, B, floor...);
reported are medians and spread of wall time and of CPU time (process time,
which includes the worker thread's SQLite reads).

Run: ``.venv/bin/python bench/bench_field_keys.py [--samples N] [--home DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare(home_dir: Path) -> str:
    """The demo community in ``home_dir`` (built once, as ``knock demo`` builds it); the demo collector's staff id."""
    from knock.cli.demo_cmds import prepare_demo
    from knock.home import open_home

    home = open_home(home_dir)
    try:
        staff_id, _name = prepare_demo(home, seed=1, echo=False)
        return staff_id
    finally:
        home.close()


def summary(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"median_ms": round(statistics.median(ms), 1), "min_ms": round(ms[0], 1), "max_ms": round(ms[-1], 1)}


async def measure(home_dir: Path, staff_id: str, samples: int) -> dict[str, object]:
    from textual import events
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static

    from field_app.app import make_app
    from field_app.screens.household import HouseholdScreen
    from field_app.screens.record_paid import RecordPaidDialog
    from field_app.screens.today import TodayScreen
    from knock.home import open_home

    class Label(Screen[None]):
        BINDINGS = [("escape", "app.pop_screen", "")]

        def compose(self) -> ComposeResult:
            yield Static("household 3-2-501")

    class Minimal(App[None]):
        BINDINGS = [("enter", "open", "")]

        def compose(self) -> ComposeResult:
            yield Static("today")

        def action_open(self) -> None:
            self.push_screen(Label())

    results: dict[str, list[tuple[float, float]]] = {"open_household": [], "open_payment_dialog": [], "floor_push_screen": []}
    home = open_home(home_dir)
    app = make_app(home, staff_id=staff_id, locale="zh")
    floor_app = Minimal()

    async def timed(pilot, key: str, done) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """Send ``key`` as the terminal would; stop when ``done()`` and the next frame is drawn."""
        target = pilot.app
        drawn = asyncio.get_running_loop().create_future()
        wall, cpu = time.perf_counter(), time.process_time()
        target.post_message(events.Key(key, key if len(key) == 1 else None))
        while not done():
            await asyncio.sleep(0.0005)
        target.screen.call_after_refresh(lambda: drawn.done() or drawn.set_result(None))
        await drawn
        result = time.perf_counter() - wall, time.process_time() - cpu
        await pilot.pause()
        return result

    async with app.run_test(size=(80, 24)) as pilot, floor_app.run_test(size=(80, 24)) as floor:
        while not (isinstance(app.screen, TodayScreen) and app.screen.advised):
            await asyncio.sleep(0.01)
        await pilot.pause()
        today = app.screen
        rows = len(today.shown)
        for n in range(samples):
            today.query_one("DayList").move_cursor(row=n % rows)  # a different household each time
            await pilot.pause()
            results["open_household"].append(
                await timed(pilot, "enter", lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
            )
            results["open_payment_dialog"].append(
                await timed(pilot, "1", lambda: isinstance(app.screen, RecordPaidDialog) and app.screen.query("#amount"))
            )
            await pilot.press("escape")
            await pilot.press("escape")
            while app.screen is not today:
                await asyncio.sleep(0.001)
            results["floor_push_screen"].append(await timed(floor, "enter", lambda: isinstance(floor_app.screen, Label)))
            await floor.press("escape")
    home.close()
    report: dict[str, object] = {"samples": samples, "households_on_list": rows}
    for name, pairs in results.items():
        report[name] = {"wall": summary([w for w, _c in pairs]), "cpu": summary([c for _w, c in pairs])}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--home", type=Path, help="demo home to use (built on first use); default: a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home_dir = args.home or Path(tmp) / "demo"
        staff_id = prepare(home_dir)
        report = asyncio.run(measure(home_dir, staff_id, args.samples))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
