"""Pilot tests: the field app's background sync never gets in the way, and money is on disk before the network."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from textual.widgets import Input, Static

from field_app import background_sync
from field_app.app import make_app
from field_app.background_sync import BackgroundSync
from field_app.screens.end_of_day import EndOfDayScreen
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import TodayScreen
from knock.core import payload_codec
from fieldapp_support import Community, wait_for

SIZE = (80, 24)


def keys(text: str) -> list[str]:
    names = {"-": "minus", " ": "space", ".": "full_stop"}
    return [names.get(ch, ch) for ch in text]


def text_of(widget: Static) -> str:
    return str(widget.render())


def with_server(community: Community, url: str = "http://127.0.0.1:9") -> None:
    """Put a server address in this laptop's settings (as settings.toml would)."""
    settings = community.home.settings
    community.home.settings = settings.model_copy(update={"sync": settings.sync.model_copy(update={"server_url": url})})


def eod_text(app) -> str:  # type: ignore[no-untyped-def]
    """The end-of-day sheet's text ('' until the screen is composed)."""
    if not isinstance(app.screen, EndOfDayScreen):
        return ""
    found = app.screen.query("#eod")
    return text_of(found.first()) if found else ""


def payments_on_disk(db: Path) -> int:
    """Count payments through a connection of its own: what a crash right now would leave."""
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM payments").fetchone()[0])
    finally:
        conn.close()


async def pay_in_full(pilot, room: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
    await pilot.press(*keys(room), "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
    await pilot.press("1")
    await wait_for(pilot, lambda: bool(app.screen.query(Input)))
    await pilot.press("1")
    await wait_for(pilot, lambda: "请核对" in text_of(app.screen.query_one(".title", Static)))
    await pilot.press("enter")


async def test_offline_the_payment_is_on_disk_before_any_network_io_and_the_header_just_says_offline(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background_sync, "DEBOUNCE_SECONDS", 0.2)
    with_server(community)
    db = community.home.path / "knock.db"
    seen: list[tuple[str, int]] = []

    def unplugged(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, payments_on_disk(db)))
        raise httpx.ConnectError("network is unreachable", request=request)

    app = make_app(community.home, staff_id=community.collector)
    app.background_sync = BackgroundSync(app, transport=httpx.MockTransport(unplugged))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and "离线" in text_of(app.screen.query_one("#today-header", Static)))
        before = len(seen)
        assert before >= 1 and all(n == 0 for _, n in seen)
        await pay_in_full(pilot, community.rooms[2])
        await wait_for(pilot, lambda: len(seen) > before, timeout=10)
        # The push that the saved payment triggered found the payment already committed.
        assert seen[before] == ("/v1/push", 1)
        assert app.background_sync.state.state == "offline" and app.background_sync.state.pending > 0
        # No dialog about the network: the receipt step (or the household) is what is on screen.
        assert "网络" not in " ".join(text_of(w) for w in app.screen.query(Static))
        app.push_screen(EndOfDayScreen())
        await wait_for(pilot, lambda: "U 盘" in eod_text(app))
        assert "还有记录未在线送达办公室" in eod_text(app)
    assert payments_on_disk(db) == 1


async def test_when_the_server_takes_everything_the_header_says_synced_and_no_usb_export_is_needed(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background_sync, "DEBOUNCE_SECONDS", 0.2)
    with_server(community)
    db = community.home.path / "knock.db"
    device = community.home.ledger.device.device_id

    def office(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/pull":
            return httpx.Response(304)
        conn = sqlite3.connect(db)
        payload_codec.register(conn)  # the events view reads payloads through knock_payload
        try:
            seq, hash_ = conn.execute("SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", (device,)).fetchone()
        finally:
            conn.close()
        body = {"verdict": {"status": "merge", "new_events": seq, "flags": []}, "ack": {"seq": seq, "hash": hash_}, "unparked": 0}
        return httpx.Response(200, content=json.dumps(body).encode())

    app = make_app(community.home, staff_id=community.collector)
    app.background_sync = BackgroundSync(app, transport=httpx.MockTransport(office))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and "已同步" in text_of(app.screen.query_one("#today-header", Static)))
        await pilot.press("e")  # the end-of-day key on the Today list
        await wait_for(pilot, lambda: "无需再导出" in eod_text(app))


async def test_without_a_server_in_settings_nothing_is_tried_and_the_header_is_unchanged(community: Community) -> None:
    calls: list[str] = []
    app = make_app(community.home, staff_id=community.collector)
    app.background_sync = BackgroundSync(app, transport=httpx.MockTransport(lambda r: calls.append(r.url.path) or httpx.Response(500)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        assert "同步" not in text_of(app.screen.query_one("#today-header", Static))
        app.background_sync.sync_now()  # even when asked (as after a save), there is nothing to try
        app.background_sync.soon(0)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert not any(w.name == BackgroundSync.WORKER for w in app.workers)
    assert calls == []
