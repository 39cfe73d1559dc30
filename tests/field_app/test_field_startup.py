"""Start-up on a big ledger: the list first, the integrity check beside it on its own connection, a small page cache."""

from __future__ import annotations

import sqlite3

import pytest
from fieldapp_support import Community, wait_for

from field_app.app import make_app
from field_app.screens.confirm import InfoDialog
from field_app.screens.today import TodayScreen
from knock.core.store import APP_CACHE_KIB, IMPORT_CACHE_KIB
from knock.home import Home

SIZE = (80, 24)


async def test_a_ledger_edited_outside_knock_stops_the_app_once_the_list_is_up(community: Community) -> None:
    home = community.home
    home.store.conn.execute("UPDATE staff SET role = 'manager' WHERE staff_id = ?", (community.collector,))  # an SQLite shell
    app = make_app(home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, InfoDialog), timeout=10)
        today = next(s for s in app.screen_stack if isinstance(s, TodayScreen))
        assert today.view is not None and len(today.view.rows) == len(community.rooms)  # the list came first
        assert "staff" in "\n".join(app.screen.lines)


async def test_an_intact_ledger_opens_without_a_finding(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app._check_started, timeout=10)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)


def test_the_app_keeps_a_small_page_cache_the_importer_a_large_one(home: Home) -> None:
    assert home.store.scalar("PRAGMA cache_size") == -IMPORT_CACHE_KIB
    make_app(home)
    assert home.store.scalar("PRAGMA cache_size") == -APP_CACHE_KIB


def test_a_reader_sees_the_ledger_and_cannot_change_it(community: Community) -> None:
    store = community.home.store
    with store.reader() as reader:
        assert reader is not store
        assert reader.scalar("SELECT COUNT(*) FROM households") == store.scalar("SELECT COUNT(*) FROM households") == 24
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.conn.execute("INSERT INTO sync_marks (device_id, seq, hash, marked_at, source) VALUES ('x', 1, '', '', '')")
    with pytest.raises(sqlite3.ProgrammingError):
        reader.scalar("SELECT 1")  # closed afterwards


async def test_the_list_is_laid_out_again_when_the_terminal_narrows(community: Community) -> None:
    from field_app.widgets.day_list import DayList

    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
        table = app.screen.query_one(DayList)

        def widths() -> dict[str, int]:
            return {column.key: column.width for column in table.columns}

        wide = widths()
        await pilot.resize_terminal(50, 24)  # type and next action are cut short now
        await wait_for(pilot, lambda: widths() != wide)
        assert sum(widths().values()) < sum(wide.values()) and table.row_count == len(community.rooms)
