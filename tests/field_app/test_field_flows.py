"""Pilot tests: every flow of the field app, checked against what is in the database afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, Static

from field_app.data.household import promise_days
from field_app.screens import household as household_screen
from field_app.app import make_app
from knock.core.pins import lock_state
from field_app.screens.household import HouseholdScreen
from field_app.screens.payment_qr import PaymentQRScreen
from field_app.screens.sign_in import SignInScreen
from field_app.screens.today import TodayScreen
from field_app.widgets.day_list import DayList
from fieldapp_support import MANAGER_PIN, PIN, Community, decode_screen_qr, wait_for

SIZE = (80, 24)


def keys(text: str) -> list[str]:
    """Key names for typing ``text``."""
    names = {"-": "minus", " ": "space", ".": "full_stop"}
    return [names.get(ch, ch) for ch in text]


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their messages land (a few rounds: loads start loads)."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_household(pilot, room: str) -> HouseholdScreen:  # type: ignore[no-untyped-def]
    """From the Today list: type the room into the search and press Enter."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
    await pilot.press(*keys(room), "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
    return app.screen


def rows(community: Community, sql: str, params: tuple = ()) -> list:  # type: ignore[type-arg]
    return community.home.store.query(sql, params)


def text_of(widget: Static) -> str:
    return str(widget.render())


# -- sign in ---------------------------------------------------------------------------------------


async def test_sign_in_with_name_and_pin(community: Community) -> None:
    app = make_app(community.home)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#names"))
        await pilot.press("1")  # 张保安 is first (collectors before managers, by name)
        await pilot.press(*PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        assert app.staff_id == community.collector


async def test_wrong_pins_lock_out_and_survive_a_restart(community: Community) -> None:
    tries = community.home.settings.security.pin_max_tries
    app = make_app(community.home, preselect=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.screen.chosen is not None)
        for n in range(tries):
            await pilot.press(*"0000", "enter")
            await wait_for(pilot, lambda: not app.screen.checking)
        message = text_of(app.screen.query_one("#signin-message", Static))
        assert "19:40" in message  # locked for lockout_minutes from 19:30
        # The right PIN does not help while locked.
        await pilot.press(*PIN, "enter")
        await wait_for(pilot, lambda: not app.screen.checking)
        assert isinstance(app.screen, SignInScreen)
    # The lockout is a ledger fact: no loose file in the home whose deletion clears it.
    assert lock_state(community.home.ledger, community.collector, community.home.ledger.now()).locked_until is not None
    assert not list(community.home.path.glob("*.json"))
    # A new app (a restart) is still locked.
    again = make_app(community.home, preselect=community.collector)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, SignInScreen) and again.screen.chosen is not None)
        await pilot.press(*PIN, "enter")
        await wait_for(pilot, lambda: not again.screen.checking)
        assert isinstance(again.screen, SignInScreen)
    # After the lockout time the right PIN works.
    community.home.ledger.clock.advance(minutes=community.home.settings.security.lockout_minutes + 1)  # type: ignore[attr-defined]
    later = make_app(community.home, preselect=community.collector)
    async with later.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(later.screen, SignInScreen) and later.screen.chosen is not None)
        await pilot.press(*PIN, "enter")
        await wait_for(pilot, lambda: isinstance(later.screen, TodayScreen))


async def test_idle_time_locks_and_the_pin_returns_to_the_same_place(community: Community) -> None:
    ticks = [0.0]
    app = make_app(community.home, staff_id=community.collector, monotonic=lambda: ticks[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[2])
        ticks[0] += community.home.settings.security.idle_lock_minutes * 60 + 1
        app.lock_if_idle()
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.screen.chosen is not None)
        assert app.locked
        await pilot.press("escape")  # Esc does not get past the lock
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*PIN, "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert not app.locked


# -- today -----------------------------------------------------------------------------------------


async def test_today_lists_my_households_in_visit_order_with_counters(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
        screen = app.screen
        assert screen.view.assigned == 16
        assert [r.room for r in screen.view.rows][:3] == ["3-1-201", "3-1-501", "3-1-701"]
        assert screen.query_one(DayList).row_count == 16
        assert "0/16" in text_of(screen.query_one("#today-counters", Static))
        # The promise due today shows in its row.
        row = next(r for r in screen.view.rows if r.room == community.rooms[1])
        assert row.appointment == "evening"
        assert row.debtor_label and row.debtor_label != "…"


@pytest.mark.parametrize(("typed", "expected"), [("3-2-502", ["3-2-502"]), ("8-2", ["8-2-202", "8-2-502", "8-2-702", "8-2-1102"]), ("刘", ["3-2-502"])])
async def test_search_finds_rooms_and_owners_as_you_type(community: Community, typed: str, expected: list[str]) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        if typed.isascii():
            await pilot.press(*keys(typed))
        else:
            app.screen.search_box().value = typed
            await pilot.pause()
        assert [r.room for r in app.screen.shown] == expected


# -- outcomes --------------------------------------------------------------------------------------


async def test_paid_in_full_with_cash(community: Community) -> None:
    room = community.rooms[2]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, room)
        owed = screen.view.account.overdue_fen
        await pilot.press("1")
        amount = app.screen.query_one("#amount", Input)
        assert amount.value == f"{owed // 100}.{owed % 100:02d}"
        await pilot.press("1")  # method 1 = cash; the amount stays as prefilled
        await wait_for(pilot, lambda: "请核对" in text_of(app.screen.query_one(".title", Static)))
        assert "请核对" in text_of(app.screen.query_one(".title", Static))
        await pilot.press("enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM payments"))
        await settle(pilot)
        # The receipt step: the number is on screen.
        assert "收据号" in text_of(app.screen.query_one(".summary", Static))
    payment = rows(community, "SELECT * FROM payments")[0]
    assert (payment["amount_fen"], payment["method"], payment["collector_id"], payment["owed_after_fen"]) == (owed, "cash", community.collector, 0)
    contact = rows(community, "SELECT * FROM contacts WHERE outcome IN ('paid', 'part_paid')")[0]
    assert contact["outcome"] == "paid" and contact["note"] == payment["receipt_no"]


async def test_part_payment_by_wechat(community: Community) -> None:
    room = community.rooms[2]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, room)
        await pilot.press("1")
        await pilot.press("a", *keys("100.50"), "enter", "2")  # A to change the amount on purpose, then WeChat
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentQRScreen) and app.screen.fits)
        assert decode_screen_qr(app.screen) == app.screen.payload
        assert "amount=100.50" in app.screen.payload
        await pilot.press("enter")  # the owner's phone says paid
        await wait_for(pilot, lambda: "请核对" in text_of(app.screen.query_one(".title", Static)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM payments"))
    payment = rows(community, "SELECT * FROM payments")[0]
    assert (payment["amount_fen"], payment["method"]) == (10050, "wechat")
    assert rows(community, "SELECT outcome FROM contacts WHERE outcome = 'part_paid'")


async def test_bad_amount_is_refused_on_screen(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[2])
        await pilot.press("1")
        app.screen.query_one("#amount", Input).value = "0"
        await pilot.press("enter")
        assert "1234.50" in text_of(app.screen.query_one("#dialog-message", Static))
    assert not rows(community, "SELECT 1 FROM payments")


async def test_promise_two_days_then_part_of_day_then_amount(community: Community) -> None:
    room = community.rooms[3]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, room)
        await pilot.press("2", "2", "tab", *keys("300"), "enter", "3", "enter")  # day 2, Tab to the amount, ¥300, evening, confirm
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM promises WHERE amount_fen = 30000"))
    promise = rows(community, "SELECT * FROM promises WHERE amount_fen = 30000")[0]
    first, second = promise_days(community.home.ledger.today(), community.home.settings)
    assert (promise["due_date"], promise["window"]) == (second.isoformat(), "evening")
    contact = rows(community, "SELECT * FROM contacts WHERE contact_id = ?", (promise["contact_id"],))[0]
    assert contact["outcome"] == "promised"


async def test_not_home_without_notice(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[4])
        await pilot.press("3", "2", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'not_home'"))
    assert rows(community, "SELECT note FROM contacts WHERE outcome = 'not_home'")[0]["note"] == ""


async def test_not_home_with_notice_asks_for_the_notice(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[4])
        await pilot.press("3", "1", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'not_home'"))
        await wait_for(pilot, lambda: list((community.home.path / "output").rglob("notice-*.pdf")), timeout=30)
    assert rows(community, "SELECT note FROM contacts WHERE outcome = 'not_home'")[0]["note"] == "notice"


async def test_receipt_step_prints_the_receipt(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[2])
        await pilot.press("1", "enter", "1", "enter")
        await wait_for(pilot, lambda: app.screen.query("#info-choices"))
        await pilot.press("1")  # print the receipt
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM receipt_prints"), timeout=30)
    receipt = rows(community, "SELECT receipt_no FROM payments")[0]["receipt_no"]
    assert rows(community, "SELECT receipt_no FROM receipt_prints")[0]["receipt_no"] == receipt


async def test_refused_with_objection_and_note(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[5])
        first = screen.view.advice.objections[0].key
        await pilot.press("4", "1", *keys("no"), "enter", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'refused'"))
    contact = rows(community, "SELECT * FROM contacts WHERE outcome = 'refused'")[0]
    assert (contact["reason"], contact["note"]) == (first, "no")


async def test_picking_an_objection_shows_its_answer_and_offers_the_follow_up(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[5])
        await pilot.press("right", "right", "right")
        assert screen.query_one("#hh-tabs").active == "tab-objections"
        await pilot.press("down")
        await pilot.pause()
        objection = screen.view.advice.objections[0]
        answer = text_of(screen.query_one("#answer", Static))
        assert objection.answer[0][:10] in answer
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen  # the follow-up flow opened


async def test_complaint_reaches_the_office_the_same_day(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[6])
        await pilot.press("5", "1", "5", *keys("leak"), "enter", "enter")  # repair, "something else", typed
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM complaints"))
    complaint = rows(community, "SELECT * FROM complaints")[0]
    assert (complaint["category"], complaint["text"], complaint["status"], complaint["opened_by"]) == ("repair", "leak", "open", community.collector)
    assert complaint["opened_at"][:10] == community.home.ledger.today().isoformat()
    assert rows(community, "SELECT 1 FROM contacts WHERE outcome = 'complaint'")


async def test_wrong_number_updates_the_contact_details(community: Community) -> None:
    room = community.rooms[7]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, room)
        await pilot.press("6", "2", *keys("13912345678"), "enter", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'wrong_number'"))
    assert community.home.ledger.household(room).phones == ("13912345678",)


async def test_note_only(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[8])
        await pilot.press("7", *keys("dog"), "enter", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'note'"))
    assert rows(community, "SELECT note FROM contacts WHERE outcome = 'note'")[0]["note"] == "dog"


async def test_escape_at_the_confirmation_saves_nothing(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    before = rows(community, "SELECT COUNT(*) AS n FROM events")[0]["n"]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[8])
        await pilot.press("7", *keys("dog"), "enter", "escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
    assert rows(community, "SELECT COUNT(*) AS n FROM events")[0]["n"] == before


async def test_a_storage_failure_is_shown_not_crashed(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(household_screen, "save_outcome", broken)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[8])
        await pilot.press("7", *keys("dog"), "enter", "enter")
        await settle(pilot)
        assert app.screen is screen and not screen.saving
        status = screen.query_one("#hh-status")
        assert "disk full" in status.text and status.has_class("-error")
    assert not rows(community, "SELECT 1 FROM contacts WHERE outcome = 'note'")


# -- guardrails and phones -------------------------------------------------------------------------


async def test_banner_outside_the_visiting_window(community: Community) -> None:
    community.home.ledger.clock.set(community.home.ledger.now().replace(hour=10, minute=0))  # type: ignore[attr-defined]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[0])
        banner = screen.query_one("#banner", Static)
        assert banner.display and "时段" in text_of(banner)


async def test_daily_cap_blocks_until_a_manager_approves(community: Community) -> None:
    room = community.rooms[9]
    ledger = community.home.ledger
    for _ in range(community.home.settings.contact.daily_cap):
        ledger.log_contact(room, channel="phone", outcome="unreachable", collector=community.collector)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, room)
        assert screen.view.guard.blocked
        await pilot.press("3")
        await pilot.pause()
        assert "上限" in text_of(app.screen.query_one(".title", Static))
        await pilot.press("1")  # a manager approves
        await wait_for(pilot, lambda: app.screen.query("#managers") and app.screen.query_one("#managers").option_count)
        await pilot.press("1", *MANAGER_PIN, "enter")
        await wait_for(pilot, lambda: app.screen.query("#notice"))
        await pilot.press("2", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'not_home'"))
    contact = rows(community, "SELECT * FROM contacts WHERE outcome = 'not_home'")[0]
    assert contact["override_by"] == community.manager


async def test_daily_cap_with_a_wrong_manager_pin_saves_nothing(community: Community) -> None:
    room = community.rooms[9]
    for _ in range(community.home.settings.contact.daily_cap):
        community.home.ledger.log_contact(room, channel="phone", outcome="unreachable", collector=community.collector)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, room)
        await pilot.press("3", "1")
        await wait_for(pilot, lambda: app.screen.query("#managers") and app.screen.query_one("#managers").option_count)
        await pilot.press("1", *"1111", "enter")
        await settle(pilot)
        assert "密码" in text_of(app.screen.query_one("#dialog-message", Static))
    assert not rows(community, "SELECT 1 FROM contacts WHERE outcome = 'not_home'")


async def test_phone_is_masked_until_asked_and_the_look_is_logged(community: Community) -> None:
    room = community.rooms[0]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, room)
        phone = community.home.ledger.household(room).phones[0]
        assert phone not in text_of(screen.query_one("#hh-summary", Static))
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.phones is not None)
        assert phone in text_of(screen.query_one("#hh-summary", Static))
    reveal = rows(community, "SELECT * FROM phone_reveals")
    assert len(reveal) == 1 and reveal[0]["staff_id"] == community.collector


# -- gate lookup, end of day, settings -------------------------------------------------------------


async def gate(pilot, room: str) -> str:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.screen.query_one("#gate-room", Input).value = room
    await pilot.press("enter")
    await settle(pilot)
    return text_of(app.screen.query_one("#gate-answer", Static))


async def test_gate_lookup_shows_the_amount_only_to_the_assigned_collector(community: Community) -> None:
    ledger = community.home.ledger
    paid_room = community.rooms[0]
    ledger.record_payment(paid_room, 22250, method="cash", collector=community.collector)
    other_room = "5-1-201"  # assigned to the other collector
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("g")
        mine = await gate(pilot, community.rooms[2])
        theirs = await gate(pilot, other_room)
        paid = await gate(pilot, paid_room)
        unknown = await gate(pilot, "99-9-999")
    assert "¥" in mine and "您好" in mine
    assert "¥" not in theirs and "还有欠费" in theirs and "您好" in theirs
    assert "已缴清" in paid
    assert "没有这个房号" in unknown


async def test_end_of_day_lists_cash_by_method_with_receipt_numbers(community: Community) -> None:
    ledger = community.home.ledger
    cash = ledger.record_payment(community.rooms[0], 22250, method="cash", collector=community.collector)
    wechat = ledger.record_payment(community.rooms[2], 10000, method="wechat", collector=community.collector)
    ledger.log_contact(community.rooms[3], channel="door", outcome="not_home", collector=community.collector)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("e")
        await settle(pilot)
        sheet = text_of(app.screen.query_one("#eod", Static))
    assert cash.receipt_no in sheet and wechat.receipt_no in sheet
    assert "现金：¥222.50" in sheet and "微信支付：¥100.00" in sheet and "合计：¥322.50" in sheet  # the receipt's words (vocabulary)
    assert f"{cash.receipt_no}  {community.rooms[0]}  ¥222.50" in sheet  # each receipt with its room, for the count
    assert "不在家：1" in sheet and "待同步" in sheet


async def test_switching_to_english(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("s")
        await pilot.pause()
        assert "设置" in text_of(app.screen.query_one(".header", Static))
        await pilot.press("2")
        await settle(pilot)
        assert "Settings" in text_of(app.screen.query_one(".header", Static))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        assert "Visited" in text_of(app.screen.query_one("#today-counters", Static))
