"""Pilot test of call mode (电话): the list in order, the number shown only on the call and logged, outcomes in a key or two."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from textual.widgets import DataTable, Static

from field_app.app import make_app
from field_app.screens.calls import CallModeScreen
from field_app.screens.record_promise import RecordPromiseDialog
from field_app.screens.today import TodayScreen
from fieldapp_support import Community, wait_for
from tests.conftest import CST, FakeClock

SIZE = (80, 24)
FRIDAY_AFTERNOON = datetime(2026, 11, 27, 14, 30, tzinfo=CST)


def _calls_to_make(community: Community, clock: FakeClock) -> list[str]:
    """Three households the playbook would call: two texted a week ago, one vacant."""
    ledger = community.home.ledger
    rooms = []
    for i, room in enumerate(("9-1-101", "9-1-102")):
        hid = ledger.register_household(room, "周某某", phones=[f"1390000000{i}"], gender="m")
        ledger.add_charge(room, "property_fee", date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 15), 30000 + i * 10000)
        ledger.record_message_sent(hid, message_id=f"m{i}", template="overdue.monthly", sender=community.manager, at=clock() - timedelta(days=7))
        rooms.append(room)
    ledger.register_household("9-2-101", "吴某某", phones=["13900000009"], occupancy="vacant", gender="f")
    ledger.add_charge("9-2-101", "property_fee", date(2026, 6, 1), date(2026, 10, 31), date(2026, 6, 15), 90000)
    return rooms


def _text(screen: CallModeScreen) -> str:
    return str(screen.query_one("#calls-detail", Static).render())


async def test_call_mode_reveals_on_the_call_and_records_outcomes(community: Community, clock: FakeClock) -> None:
    _calls_to_make(community, clock)
    clock.set(FRIDAY_AFTERNOON)
    store = community.home.store
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CallModeScreen) and app.screen.calls is not None)
        screen = app.screen
        assert isinstance(screen, CallModeScreen)
        table = screen.query_one(DataTable)
        listed = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert listed == ["9-1-101", "9-1-102", "9-2-101"]  # ordinary before undecided (vacant); ties by room
        assert "1390000000" not in _text(screen) and "Enter" in _text(screen)
        assert store.scalar("SELECT COUNT(*) FROM phone_reveals") == 0

        # an outcome before the call is refused
        await pilot.press("1")
        await pilot.pause()
        assert store.scalar("SELECT COUNT(*) FROM contacts WHERE channel = 'phone'") == 0

        # Enter: the number for this call, logged; 1: no answer
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.active == "9-1-101")
        assert "13900000000" in _text(screen) and "13900000001" not in _text(screen)
        assert store.scalar("SELECT COUNT(*) FROM phone_reveals WHERE staff_id = ?", (community.collector,)) == 1
        await pilot.press("1")
        await wait_for(pilot, lambda: "9-1-101" in screen.done)
        assert table.cursor_row == 1 and screen.active is None
        assert "1390000000" not in _text(screen)

        # the next: Enter, 2 promised, then day 1, afternoon, no amount
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.active == "9-1-102")
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordPromiseDialog))
        await pilot.press("1", "2")  # the day, the part of the day: the promise is taken
        await wait_for(pilot, lambda: "9-1-102" in screen.done)
        contacts = [tuple(r) for r in store.query(
            "SELECT h.room, c.channel, c.outcome, c.collector_id FROM contacts c JOIN households h USING (household_id) WHERE c.channel = 'phone' ORDER BY c.at, h.room"
        )]
        assert sorted(contacts) == [("9-1-101", "phone", "unreachable", community.collector), ("9-1-102", "phone", "promised", community.collector)]
        promise = store.query_one("SELECT p.window, p.contact_id, p.due_date FROM promises p JOIN households h USING (household_id) WHERE h.room = '9-1-102'")
        assert promise is not None and promise["window"] == "afternoon" and promise["contact_id"]
        assert promise["due_date"] > "2026-11-27"
        assert store.scalar("SELECT COUNT(*) FROM phone_reveals") == 2

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))


async def test_outside_call_hours_the_number_stays_hidden(community: Community, clock: FakeClock) -> None:
    _calls_to_make(community, clock)  # Monday 19:30: collection calls are for Friday and Saturday afternoons
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CallModeScreen) and app.screen.calls is not None)
        screen = app.screen
        assert "11月27日" in str(screen.query_one("#calls-header", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert screen.active is None and "1390000000" not in _text(screen)
        assert community.home.store.scalar("SELECT COUNT(*) FROM phone_reveals") == 0


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_call_mode_snapshot(snap_compare, community: Community, clock: FakeClock, locale: str) -> None:  # type: ignore[no-untyped-def]
    """Call mode at 80x24 on Friday afternoon, the first call's number revealed."""
    _calls_to_make(community, clock)
    clock.set(FRIDAY_AFTERNOON)
    app = make_app(community.home, locale=locale, staff_id=community.collector)

    async def open_call_mode(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CallModeScreen) and app.screen.calls is not None)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.active is not None)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_call_mode)
