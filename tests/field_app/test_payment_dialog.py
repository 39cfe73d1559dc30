"""The payment dialog at the door: method keys never touch the amount; odd amounts are refused or confirmed explicitly."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input, Static

from knock.core.money import format_yuan

from field_app.app import make_app
from field_app.data.household import load_household
from field_app.screens import household as household_screen
from field_app.screens.confirm import ExplicitConfirmDialog, InfoDialog
from field_app.screens.household import HouseholdScreen
from field_app.screens.payment_qr import PaymentQRScreen
from field_app.screens.record_paid import RecordPaidDialog
from fieldapp_support import Community, wait_for
from test_field_flows import keys, open_household, rows, settle, text_of
from test_field_polish import burst, today_ready, typed

SIZE = (80, 24)


def title(app) -> str:  # type: ignore[no-untyped-def]
    return text_of(app.screen.query_one(".title", Static))


def body(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(text_of(s) for s in app.screen.query(".summary"))


async def test_method_key_pressed_at_once_takes_cash_and_keeps_the_owed_amount(community: Community) -> None:
    room = community.rooms[2]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await today_ready(pilot)
        # A guard at the door: pay, 1 for cash, Enter to confirm, 2 for done — all queued at once.
        await burst(pilot, *typed(room), "enter", "1", "1", "enter", "2")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM payments"))
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.ready_for_keys())
        owed = app.screen.view.account  # after the payment: nothing left
    payment = rows(community, "SELECT amount_fen, method, owed_after_fen FROM payments")[0]
    assert payment["method"] == "cash" and payment["amount_fen"] > 100 and payment["owed_after_fen"] == 0, dict(payment)
    assert owed.overdue_fen == 0


async def test_a_second_pay_key_waits_for_the_figures_after_the_payment(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The household is read again after a payment; a "pay" queued behind it must not offer the old amount.

    The re-read is slowed down here so the queued key surely arrives while it runs.
    """
    loads = []

    def slow_second_read(*args, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(1)
        if len(loads) > 1:
            time.sleep(0.6)
        return load_household(*args, **kwargs)

    monkeypatch.setattr(household_screen, "load_household", slow_second_read)
    room = community.rooms[2]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await today_ready(pilot)
        await burst(pilot, *typed(room), "enter", "1", "1", "enter", "2", "1")
        await wait_for(pilot, lambda: len(loads) > 1 and isinstance(app.screen, HouseholdScreen) and app.screen.ready_for_keys())
        await settle(pilot)
        assert not isinstance(app.screen, RecordPaidDialog)
        assert "没有欠费" in text_of(app.screen.query_one("#hh-status"))
    assert len(rows(community, "SELECT 1 FROM payments")) == 1


async def test_the_amount_field_does_not_have_the_cursor_when_the_dialog_opens(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[2])
        owed = screen.view.account.overdue_fen
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordPaidDialog))
        amount = app.screen.query_one("#amount", Input)
        assert app.screen.focused is not amount
        await pilot.press("2")  # WeChat: the amount is untouched
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentQRScreen))  # the code to scan (issue 15)
        assert app.screen.amount_fen == owed
        await pilot.press("enter")
        await wait_for(pilot, lambda: "请核对" in title(app))
        assert f"¥{owed // 100:,}.{owed % 100:02d}" in body(app) and "微信" in body(app)


async def test_overpayment_needs_an_explicit_yes_and_names_the_credit(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[2])
        owed = screen.view.account.owed_fen
        more = owed + 5000
        await pilot.press("1", "a", *keys(f"{more // 100}.{more % 100:02d}"), "enter", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplicitConfirmDialog))
        assert "多于应收" in title(app) and "预存" in body(app) and "¥50.00" in body(app)
        await pilot.press("enter")  # a queued Enter says no
        await settle(pilot)
        assert isinstance(app.screen, HouseholdScreen) and not rows(community, "SELECT 1 FROM payments")
        await pilot.press("1", "a", *keys(f"{more // 100}.{more % 100:02d}"), "enter", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplicitConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: "请核对" in title(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM payments"))
    payment = rows(community, "SELECT amount_fen, credit_after_fen FROM payments")[0]
    assert (payment["amount_fen"], payment["credit_after_fen"]) == (more, 5000)


async def test_a_stray_digit_far_above_what_is_owed_is_refused(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[2])
        owed = screen.view.account.owed_fen
        await pilot.press("1", "a", *keys(str(owed)), "enter", "1")  # 67350 typed for 673.50
        await wait_for(pilot, lambda: isinstance(app.screen, InfoDialog))
        assert "金额不能收" in title(app) and "倍" in body(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordPaidDialog))  # back to fix it
    assert not rows(community, "SELECT 1 FROM payments")


async def test_a_double_submit_asks_and_records_the_payer(community: Community) -> None:
    room = community.rooms[2]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, room)
        await pilot.press("1", "a", *keys("100"), "tab")
        await pilot.press(*"Li", "enter", "1")  # the payer field follows the amount
        await wait_for(pilot, lambda: "请核对" in title(app))
        assert "交款人：Li" in body(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM payments"))
        await wait_for(pilot, lambda: isinstance(app.screen, InfoDialog))
        await pilot.press("2")  # done with the receipt step
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and not app.screen.saving)
        await pilot.press("1", "a", *keys("100"), "enter", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplicitConfirmDialog))
        assert "重复收款" in title(app)
        await pilot.press("enter")
        await settle(pilot)
        assert len(rows(community, "SELECT 1 FROM payments")) == 1
        await pilot.press("1", "a", *keys("100"), "enter", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplicitConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: "请核对" in title(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(rows(community, "SELECT 1 FROM payments")) == 2)
    assert [r["payer"] for r in rows(community, "SELECT payer FROM payments ORDER BY rowid")] == ["Li", ""]


async def test_keys_queued_after_a_part_payment_do_not_take_the_rest_unasked(community: Community) -> None:
    """13q: Enter 2 1 1 Enter after a part payment (save; "Done"; pay; cash; confirm) took the rest within
    seconds. A second payment on the same door within payments.second_payment_minutes asks first, and
    the question is one a queued Enter cannot answer (only Y)."""
    room = community.rooms[2]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, room)
        owed = screen.view.account.overdue_fen
        await pilot.press("1", "a", *keys("100"), "enter", "1")
        await wait_for(pilot, lambda: "请核对" in title(app))
        await burst(pilot, "enter", "2", "1", "1", "enter")  # all typed ahead, the save still running
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and not app.screen.saving and not app.screen.reviewing)
        await settle(pilot)
        assert isinstance(app.screen, HouseholdScreen)  # the question came, and the queued Enter said no
        assert [r["amount_fen"] for r in rows(community, "SELECT amount_fen FROM payments")] == [10000]
        # Meant: the question names the first payment, and Y takes the rest.
        await pilot.press("1", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplicitConfirmDialog))
        assert "再次收款" in title(app) and "¥100.00" in body(app) and f"¥{format_yuan(owed - 10000)}" in body(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: "请核对" in title(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(rows(community, "SELECT 1 FROM payments")) == 2)
    assert [r["amount_fen"] for r in rows(community, "SELECT amount_fen FROM payments ORDER BY rowid")] == [10000, owed - 10000]


async def test_the_app_checks_the_ledger_when_it_starts(community: Community) -> None:
    import sqlite3

    from knock.core.pins import hash_pin

    conn = sqlite3.connect(community.home.path / "knock.db")
    conn.execute("UPDATE staff SET pin_hash = ? WHERE role = 'manager'", (hash_pin("0000"),))  # someone making themselves a manager PIN
    conn.commit()
    conn.close()
    app = make_app(community.home, preselect=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, InfoDialog) and len(app.screen.query(".title")) > 0)
        assert app.ledger_findings
        assert "账本检查未通过" in title(app) and "staff" in body(app) and "联系办公室" in body(app)


async def test_an_intact_ledger_starts_without_a_word(community: Community) -> None:
    app = make_app(community.home, preselect=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.ledger_findings is not None, timeout=30)
        await settle(pilot)
        assert app.ledger_findings == []
        assert not isinstance(app.screen, InfoDialog)


async def test_a_device_key_that_no_longer_matches_stops_the_app(community: Community, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The start takes the device's public half from device.pub; the check after the first frame reads the key
    itself, and a forged public half stops the app there (before any receipt could be signed under it)."""
    from knock.core.signing import load_or_create_device_key, public_key_b64
    from knock.home import ledger_for_key, open_home

    other = load_or_create_device_key(tmp_path / "other.key")
    ledger_for_key(community.home.store, community.home.settings, other)  # a device this ledger knows (a device
    # it has never seen is refused when the home opens: tests/trust/test_device_key_files.py)
    cache = community.home.path / "device.pub"
    stamp = cache.read_text().split()[0]
    cache.write_text(f"{stamp} {public_key_b64(other)}\n")
    home = open_home(community.home.path, clock=community.home.ledger.clock)
    try:
        assert home.key._private is None
        app = make_app(home, preselect=community.collector)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, InfoDialog) and len(app.screen.query(".title")) > 0, timeout=30)
            assert "账本检查未通过" in title(app) and "no longer matches" in body(app)
            # Enter (a key typed for the sign-in, queued behind the dialog) does not carry on: nothing
            # could be signed under this key, and an outcome saved now would be written in another device's name.
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.return_code is not None, timeout=10)
        assert app.return_code == 1
    finally:
        home.close()


async def test_a_manager_unlocks_a_locked_collector_in_the_app(community: Community) -> None:
    from fieldapp_support import MANAGER_PIN, PIN

    from field_app.screens.manager_override import ManagerOverrideDialog
    from field_app.screens.sign_in import SignInScreen
    from field_app.screens.today import TodayScreen

    app = make_app(community.home, preselect=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.screen.chosen is not None)
        for _ in range(community.home.settings.security.pin_max_tries):
            await pilot.press(*"0000", "enter")
            await wait_for(pilot, lambda: not app.screen.checking)
        assert app.screen.locked_out
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ManagerOverrideDialog) and app.screen.loaded)
        await pilot.press("1", *MANAGER_PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and not app.screen.locked_out)
        await pilot.press(*PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
    unlocks = rows(community, "SELECT author, payload FROM events WHERE kind = 'signin.unlocked'")
    assert len(unlocks) == 1 and unlocks[0]["author"] == community.manager
