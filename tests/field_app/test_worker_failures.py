"""A worker that fails ends in one clear sentence where the collector is looking, never a traceback.

The workers return results and raise (field_app/workers.py); these tests make
the domain underneath fail in ways nobody planned for and read the screen.
"""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from field_app import i18n
from field_app.app import make_app
from field_app.screens import end_of_day as end_of_day_screen
from field_app.screens import household as household_screen
from field_app.screens import today as today_screen
from field_app.screens.end_of_day import EndOfDayScreen
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import TodayScreen
from field_app.widgets.common import StatusLine
from fieldapp_support import Community, wait_for

SIZE = (80, 24)
FIELD_APP = Path(__file__).resolve().parents[2] / "field_app"


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("disk on fire")


def _locked(*_args: object, **_kwargs: object) -> None:
    raise sqlite3.OperationalError("database is locked")


async def _open(pilot, room: str) -> HouseholdScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
    app.screen.search_box().value = room
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen))
    return app.screen


@pytest.mark.parametrize(("locale", "said"), [("zh", "出了点问题：disk on fire"), ("en", "Something went wrong: disk on fire")])
async def test_a_household_that_cannot_load_says_so_in_the_collectors_language(
    community: Community, monkeypatch: pytest.MonkeyPatch, locale: str, said: str
) -> None:
    monkeypatch.setattr(household_screen, "load_household", _boom)
    app = make_app(community.home, staff_id=community.collector, locale=locale)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, community.rooms[0])
        await wait_for(pilot, lambda: screen.load_failed)
        summary = str(screen.query_one("#hh-summary", Static).render())
        assert said in summary
        assert "Traceback" not in summary and "RuntimeError" not in summary
        assert screen.ready_for_keys()  # the key gate does not hang on a failed load
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        assert app.is_running
    i18n.set_locale("zh")


async def test_a_save_that_fails_says_not_saved_and_the_screen_takes_keys_again(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(household_screen, "save_outcome", _locked)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, community.rooms[0])
        await wait_for(pilot, lambda: screen.view is not None)
        screen.save(household_screen.NotHome(community.rooms[0], leave_notice=False))
        await wait_for(pilot, lambda: not screen.saving)
        status = screen.query_one("#hh-status", StatusLine)
        assert status.text.startswith("没有保存：账本文件无法使用：database is locked")
        assert screen.ready_for_keys()
    assert community.home.store.scalar("SELECT COUNT(*) FROM contacts WHERE outcome = 'not_home'") == 0


async def test_a_notice_that_cannot_print_says_not_printed(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    from knock.documents import service

    monkeypatch.setattr(service, "print_notice", _boom)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, community.rooms[0])
        await wait_for(pilot, lambda: screen.view is not None)
        screen.start_print(room=community.rooms[0])
        status = screen.query_one("#hh-status", StatusLine)
        await wait_for(pilot, lambda: status.text.startswith("没有打印"))
        assert status.text == "没有打印：出了点问题：disk on fire"


async def test_end_of_day_that_cannot_be_read_says_so_on_the_sheet(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(end_of_day_screen, "end_of_day", _boom)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EndOfDayScreen) and "disk on fire" in str(app.screen.query_one("#eod", Static).render()))
        assert "出了点问题" in str(app.screen.query_one("#eod", Static).render())


def test_no_exception_is_swallowed_in_the_field_app() -> None:
    """``except Exception: pass`` (or ``...``) nowhere: a failure is always said (issue 9)."""
    swallowed = []
    for path in sorted(FIELD_APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) for s in node.body):
                swallowed.append(f"{path.relative_to(FIELD_APP.parent)}:{node.lineno}")
    assert swallowed == []


def test_workers_hand_results_back_through_textual_not_hand_written_messages() -> None:
    """No worker posts a Loaded/Failed message; every screen with a worker routes it through WorkerResults."""
    assert not (FIELD_APP / "messages.py").exists()
    for path in sorted((FIELD_APP / "screens").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "@work(" in source:
            assert "WorkerResults" in source, path.name
            for node in ast.walk(ast.parse(source)):  # a worker raises; Textual hands its failure to worker_failed
                if isinstance(node, ast.FunctionDef) and any("work" in ast.unparse(d) for d in node.decorator_list):
                    handlers = [h for h in ast.walk(node) if isinstance(h, ast.ExceptHandler)]
                    assert not handlers, f"{path.name}: {node.name} catches what it should raise"


@pytest.mark.parametrize("part", ["first screenful", "rest of the day"])
async def test_a_day_that_cannot_be_read_says_so_in_red_and_nothing_crashes(
    community: Community, monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    real = today_screen.load_today

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if part == "first screenful" or kwargs.get("first") is None:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real(*args, **kwargs)

    monkeypatch.setattr(today_screen, "load_today", failing)
    app = make_app(community.home, locale="en", staff_id=community.collector)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.failed)
        said = str(app.screen.query_one("#today-counters", Static).render())
        assert said == "The ledger file could not be used: database disk image is malformed"
        today = app.screen
        await pilot.press("down", "enter")  # keys do not crash it either
        if part == "first screenful":  # no rows: nothing to open
            await pilot.pause()
            assert app.is_running and app.screen is today and not today.shown
        else:  # the rows shown are real: the one under the cursor opens
            await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen))
            assert app.screen.room == today.shown[1].room
