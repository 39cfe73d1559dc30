"""Pilot tests: the end-of-day sync file key and the team lead's merge screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from field_app.app import make_app
from field_app.screens.merge import MergeScreen
from field_app.screens.today import TodayScreen
from fieldapp_support import Community, wait_for
from knock.core.events import Event
from knock.core.signing import public_key_b64
from knock.home import open_home
from sync.devices import enrol_device
from sync.export import export_sync_file
from sync.files import read_sync_file

SIZE = (80, 24)


def text_of(widget: Static) -> str:
    return str(widget.render())


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_end_of_day_writes_the_sync_file_to_the_usb_drive_with_one_key(community: Community, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr("sync.export.removable_folders", lambda: [usb])
    receipt = community.home.ledger.record_payment(community.rooms[0], 22250, method="cash", collector=community.collector)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await wait_for(pilot, lambda: "同步文件已写入" in text_of(app.screen.query_one("#export", Static)))
    (written,) = usb.glob("*.sync.tar.gz")
    events = read_sync_file(written).events
    assert any(e.payload.get("receipt_no") == receipt.receipt_no for e in events)


async def test_without_a_usb_drive_the_app_asks_for_a_folder(community: Community, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sync.export.removable_folders", lambda: [])
    target = tmp_path / "chosen"
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        box = app.screen.query_one("#folder", Input)
        assert box.value.endswith("sync-out")
        box.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: "同步文件已写入" in text_of(app.screen.query_one("#export", Static)))
    assert len(list(target.glob("*.sync.tar.gz"))) == 1


async def test_merge_screen_is_for_managers_only(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)


async def test_team_lead_checks_then_merges_and_counts_cash(community: Community, tmp_path: Path) -> None:
    lead_home = community.home
    other = open_home(tmp_path / "a07", clock=lead_home.ledger.clock)
    rows = lead_home.store.query("SELECT * FROM events ORDER BY rowid")
    other.ledger.journal.ingest_many([Event.from_row(r) for r in rows if r["device_id"] != other.ledger.device.device_id])
    enrol_device(lead_home.ledger, "A07", public_key_b64(other.key), author="office")
    other.ledger.record_payment(community.rooms[0], 22250, method="cash", collector=community.collector)
    sticks = tmp_path / "sticks"
    export_sync_file(other, sticks)
    other.close()
    app = make_app(lead_home, staff_id=community.manager)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MergeScreen))
        app.screen.query_one("#merge-source", Input).value = str(sticks)
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: "可合并" in text_of(app.screen.query_one("#merge-verdicts", Static)))
        assert lead_home.store.scalar("SELECT COUNT(*) FROM payments") == 0  # nothing before the lead says so
        await pilot.press("a")
        await settle(pilot)
        await wait_for(pilot, lambda: "已合并" in text_of(app.screen.query_one("#merge-verdicts", Static)))
        assert "张保安" in text_of(app.screen.query_one("#merge-report", Static))
        assert lead_home.store.scalar("SELECT COUNT(*) FROM payments") == 1
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#cash-name", Input).value = "张保安"
        app.screen.query_one("#cash-amount", Input).focus()
        app.screen.query_one("#cash-amount", Input).value = "200"
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, MergeScreen) and "差额" in text_of(app.screen.query_one("#merge-report", Static)))
        flag_id = lead_home.store.scalar("SELECT flag_id FROM sync_flags WHERE kind = 'cash_difference'")
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#flag-id", Input).value = flag_id[-8:]
        await pilot.press("enter")
        app.screen.query_one("#flag-reason", Input).value = "少交的 22.50 元次日补交"
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, MergeScreen) and "已处理" in text_of(app.screen.query_one("#merge-report", Static)))
    assert lead_home.store.scalar("SELECT difference_fen FROM cash_counts") == 20000 - 22250
    assert lead_home.store.scalar("SELECT resolved_by FROM sync_flags WHERE kind = 'cash_difference'") == community.manager
