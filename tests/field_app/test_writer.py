"""The writing thread: a confirmed outcome commits at once, one write at a time, and none is lost at exit."""

from __future__ import annotations

import threading

import pytest
from fieldapp_support import Community, wait_for
from textual.widgets import Button

from field_app import workers
from field_app.app import make_app
from field_app.screens import household as household_screen
from field_app.screens.confirm import ConfirmDialog
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import TodayScreen
from field_app.workers import Writer

SIZE = (80, 24)


def test_writer_runs_jobs_in_order_on_one_thread_and_hands_back_results_and_errors() -> None:
    writer = Writer()
    seen: list[tuple[int, str]] = []

    def job(n: int) -> int:
        seen.append((n, threading.current_thread().name))
        return n * 10

    def boom() -> None:
        raise ValueError("no ink")

    try:
        results = [writer.submit(job, n) for n in range(5)]
        failed = writer.submit(boom)
        assert [f.result(timeout=5) for f in results] == [0, 10, 20, 30, 40]
        with pytest.raises(ValueError, match="no ink"):
            failed.result(timeout=5)
    finally:
        writer.close()
    assert [n for n, _name in seen] == [0, 1, 2, 3, 4]
    assert {name for _n, name in seen} == {"knock-writer"}
    with pytest.raises(RuntimeError):
        writer.submit(job, 9)


def test_close_waits_for_the_write_under_way() -> None:
    writer = Writer()
    started, release = threading.Event(), threading.Event()
    done: list[str] = []

    def slow() -> None:
        started.set()
        release.wait(5)
        done.append("committed")

    writer.submit(slow)
    assert started.wait(5)
    threading.Timer(0.2, release.set).start()
    writer.close()
    assert done == ["committed"]


async def _confirmation_for_a_note(pilot, community: Community, room: str) -> tuple[HouseholdScreen, ConfirmDialog]:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
    app.push_screen(HouseholdScreen(room))
    await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
    household = app.screen
    await pilot.press("7", "d", "o", "g", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    return household, app.screen


def _notes(community: Community) -> int:
    return int(community.home.store.scalar("SELECT COUNT(*) FROM contacts WHERE outcome = 'note' AND note = 'dog'"))


async def test_enter_on_the_confirmation_commits_on_the_writing_thread_before_the_key_is_done(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    plain = household_screen.save_outcome

    def traced(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        return plain(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(household_screen, "save_outcome", traced)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        household, dialog = await _confirmation_for_a_note(pilot, community, community.rooms[8])
        dialog.action_enter()  # what the Enter key runs; nothing else gets a turn meanwhile
        assert _notes(community) == 1  # committed (WAL, synchronous=FULL) before the key's action returned
        assert dialog.busy is False and not household.saving  # and the confirmation was told at once
        await wait_for(pilot, lambda: app.screen is household)
    assert threads == ["knock-writer"]


async def test_enter_with_the_focus_on_back_goes_back_without_saving(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        household, dialog = await _confirmation_for_a_note(pilot, community, community.rooms[8])
        dialog.query_one("#no", Button).focus()
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is household)
        assert not household.saving
    assert _notes(community) == 0


async def test_a_slow_commit_keeps_the_confirmation_saving_and_keys_waiting_then_lands_once(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    plain = household_screen.save_outcome

    def slow(*args: object, **kwargs: object) -> object:
        release.wait(10)  # a disk that takes its time: longer than the interface waits (WRITE_WAIT)
        return plain(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(household_screen, "save_outcome", slow)
    monkeypatch.setattr(workers, "WRITE_WAIT", 0.01)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        household, dialog = await _confirmation_for_a_note(pilot, community, community.rooms[8])
        await pilot.press("enter", "enter", "escape", "7")  # a second Enter, a Back and a new outcome, queued
        await wait_for(pilot, lambda: str(dialog.query_one("#yes", Button).label) == "正在保存…", workers=False)
        assert app.screen is dialog and dialog.busy and household.saving and _notes(community) == 0
        release.set()
        await wait_for(pilot, lambda: app.screen is not dialog and not household.saving)
        await pilot.pause()
    assert _notes(community) == 1


async def test_a_write_under_way_when_the_app_closes_still_lands(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    started = threading.Event()
    plain = household_screen.save_outcome

    def slow(*args: object, **kwargs: object) -> object:
        started.set()
        threading.Event().wait(0.5)
        return plain(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(household_screen, "save_outcome", slow)
    monkeypatch.setattr(workers, "WRITE_WAIT", 0.01)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        _household, _dialog = await _confirmation_for_a_note(pilot, community, community.rooms[8])
        await pilot.press("enter")
        assert started.wait(5)
        app.exit()
    assert _notes(community) == 1
