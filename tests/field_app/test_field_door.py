"""At the door: every outcome within its key budget, a list that stays put, a QR a phone can read,
messages that cover nothing, a way out, and the collector's language kept."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Digits, Footer, Input, Static

from field_app import i18n
from field_app.data.household import promise_days
from field_app.data.today import load_today
from field_app.labels import day_text
from field_app.screens import today as today_screen
from field_app.app import make_app
from knock.core.pins import hash_pin
from field_app.preferences import PREFERENCES_FILE, saved_locale
from field_app.screens.household import HouseholdScreen
from field_app.screens.payment_qr import PaymentQRScreen
from field_app.screens.sign_in import SignInScreen
from field_app.screens.today import TodayScreen, fit_words
from field_app.widgets.common import StatusLine, short_path
from field_app.widgets.day_list import DayList
from field_app.widgets.key_bar import KeyBar
from field_app.widgets.qr_code import DARK_ON_LIGHT
from fieldapp_support import PIN, Community, decode_screen_qr, wait_for
from test_field_polish import burst
from knock.core.ageing import BUCKETS
from knock.settings import PayQR
from knock.vocabulary import label

SIZE = (80, 24)


def rows(community: Community, sql: str, params: tuple = ()) -> list:  # type: ignore[type-arg]
    return community.home.store.query(sql, params)


async def today_ready(pilot) -> TodayScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
    await pilot.pause()
    return app.screen


async def cursor_on(pilot, room: str) -> TodayScreen:  # type: ignore[no-untyped-def]
    """The Today list with its cursor on ``room`` (as if the collector had walked there)."""
    screen = await today_ready(pilot)
    screen.query_one(DayList).move_cursor(row=[r.room for r in screen.shown].index(room))
    await pilot.pause()
    return screen


# -- 1. key budgets ------------------------------------------------------------------------------
#
# Each outcome, from the Today list with the cursor on the household, to the row on disk.
# Budgets from the issue: every outcome at most 5 keys; a cash payment with its receipt at most 8.

KEY_BUDGETS = {
    # outcome: (keys from the list, budget, a query that finds the saved row)
    "promise (suggested day)": (["enter", "2", "1", "3", "enter"], 5, "SELECT 1 FROM promises p JOIN contacts c USING (contact_id) WHERE p.window = 'evening' AND c.outcome = 'promised'"),
    "not home, no notice": (["enter", "3", "2", "enter"], 5, "SELECT 1 FROM contacts WHERE outcome = 'not_home'"),
    "refused (objection, no note)": (["enter", "4", "1", "enter", "enter"], 5, "SELECT 1 FROM contacts WHERE outcome = 'refused'"),
    "complaint (kind and phrase)": (["enter", "5", "1", "1", "enter"], 5, "SELECT 1 FROM complaints"),
    "can't reach (no new number)": (["enter", "6", "1", "enter", "enter"], 5, "SELECT 1 FROM contacts WHERE outcome = 'unreachable'"),
    "paid in cash, receipt printed": (["enter", "1", "1", "enter", "1"], 8, "SELECT 1 FROM receipt_prints"),
    "paid by WeChat (QR on screen)": (["enter", "1", "2", "enter", "enter"], 8, "SELECT 1 FROM payments WHERE method = 'wechat'"),
}


@pytest.mark.parametrize("outcome", list(KEY_BUDGETS))
async def test_every_outcome_within_its_key_budget(community: Community, outcome: str) -> None:
    keys, budget, saved = KEY_BUDGETS[outcome]
    assert len(keys) <= budget
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await cursor_on(pilot, community.rooms[5])
        for key in keys:
            await pilot.press(key)
            await wait_for(pilot, lambda: app.key_gate.task is None)
        await wait_for(pilot, lambda: rows(community, saved), timeout=30)
    room = rows(community, "SELECT DISTINCT h.room FROM contacts c JOIN households h USING (household_id)")
    assert [r["room"] for r in room] == [community.rooms[5]]


# -- 2. the promise ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(["3", "1", "0"], date(2026, 12, 10)), (["3", "1", "2", "minus", "1"], date(2026, 12, 1)), (["下", "周", "五"], date(2026, 12, 4))],
)
async def test_a_promise_on_the_day_the_owner_names(community: Community, typed: list[str], expected: date) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await cursor_on(pilot, community.rooms[3])
        await pilot.press("enter", "2")
        await wait_for(pilot, lambda: app.screen.query("#day-typed"))
        if typed[0] == "3":
            await pilot.press(*typed)
        else:  # Chinese comes from the input method as text; typing it on the day list starts the field
            for char in typed:
                await pilot.press(char)
        await pilot.pause()
        assert str(app.screen.query_one("#day-read", Static).render()).startswith("→")
        await pilot.press("enter", "1", "enter")  # Enter takes the day, 1 = morning, Enter confirms
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM promises WHERE window = 'morning'"))
    promise = rows(community, "SELECT due_date FROM promises WHERE window = 'morning'")[0]
    assert promise["due_date"] == expected.isoformat()


async def test_a_day_that_cannot_be_read_is_refused_on_screen(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await cursor_on(pilot, community.rooms[3])
        await pilot.press("enter", "2", "3", "3", "2", "enter")
        await pilot.pause()
        assert "日历上没有这一天" in str(app.screen.query_one("#dialog-message", Static).render())
        await pilot.press("escape")
    assert not rows(community, "SELECT 1 FROM contacts WHERE outcome = 'promised'")


# -- 3. the list stays put -----------------------------------------------------------------------


async def test_the_list_stays_put_and_the_cursor_moves_to_the_next_door(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await today_ready(pilot)
        order = [r.room for r in screen.shown]
        table = screen.query_one(DayList)
        # Visit the second row: a promise (its type may change, the list must not move).
        table.move_cursor(row=1)
        await pilot.press("enter", "2", "1", "3", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'promised'"))
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and not app.screen.saving)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen and screen.shown[1].visited)
        await pilot.pause()
        assert [r.room for r in screen.shown] == order
        assert screen.shown[1].room == order[1] and table.cursor_row == 2  # on to the next door not visited
        # Row 3 (index 2) was visited earlier today by someone: the cursor skips it next time.
        community.home.ledger.log_contact(order[3], channel="door", outcome="not_home", collector=community.collector)
        await pilot.press("enter", "3", "2", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'not_home' AND household_id = (SELECT household_id FROM households WHERE room = ?)", (order[2],)))
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and not app.screen.saving)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen and screen.shown[2].visited)
        await pilot.pause()
        assert [r.room for r in screen.shown] == order
        assert table.cursor_row == 4
        # R puts the list in the playbook's order of now, the cursor on the first door not visited.
        await pilot.press("r")
        await pilot.pause()
        now_order = [r.room for r in load_today(community.home, community.collector, app.now()).rows]
        assert [r.room for r in screen.shown] == now_order
        assert not screen.shown[table.cursor_row].visited


def hold_the_order(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Keep the playbook's order (the second pass of the Today list) from coming until the event is set."""
    release = threading.Event()
    real = load_today

    def slow_advice(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("with_advice", True):
            release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(today_screen, "load_today", slow_advice)
    return release


async def test_keys_during_the_first_load_act_on_the_row_shown(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    """Down, Enter while the playbook's order is still coming: the household opened is the one the collector saw."""
    release = hold_the_order(monkeypatch)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None, workers=False)
        today = app.screen
        quick = [r.room for r in today.shown]
        assert not today.advised
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen), workers=False)
        assert app.screen.room == quick[2]
        release.set()
        await wait_for(pilot, lambda: app.screen.view is not None and today.advised)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is today)
        assert [r.room for r in today.shown] == quick  # the order the collector started with stays
        assert today.shown[today.query_one(DayList).cursor_row].room == quick[2]


async def test_the_first_list_comes_a_screenful_first_and_queued_keys_wait_for_the_rest(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal shorter than the day's list, the first fill puts one screenful in the table and the rest
    right after; keys queued from the start wait for the whole list, so Down x N, Enter opens row N."""
    added: list[int] = []
    plain = TodayScreen.add_rows

    def counted(self, rows, *args, **kwargs):  # type: ignore[no-untyped-def]
        added.append(len(rows))
        return plain(self, rows, *args, **kwargs)

    monkeypatch.setattr(TodayScreen, "add_rows", counted)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(80, 10)) as pilot:  # 10 lines: fewer than the 16 households
        await burst(pilot, *["down"] * 12, "enter")  # queued before the list is there
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
        today = app.screen_stack[-2]
        assert isinstance(today, TodayScreen)
        assert added[:2] == [10, len(community.rooms) - 10]  # a screenful, then the rest
        assert today.query_one(DayList).row_count == len(today.shown) == len(community.rooms)
        assert app.screen.room == today.shown[12].room


async def test_a_cursor_moved_during_the_first_load_stays_when_the_order_comes(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    """Down, Down while the playbook's order is still coming, Enter after it came: the row the collector moved to opens
    (the cursor used to jump back to the top when the order arrived)."""
    release = hold_the_order(monkeypatch)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None, workers=False)
        today = app.screen
        quick = [r.room for r in today.shown]
        await pilot.press("down", "down")
        await wait_for(pilot, lambda: today.query_one(DayList).cursor_row == 2, workers=False)
        release.set()
        await wait_for(pilot, lambda: today.advised)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
        assert app.screen.room == quick[2]


# -- 4. the payment QR ---------------------------------------------------------------------------


async def open_qr(pilot, community: Community, method_key: str = "2") -> PaymentQRScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await cursor_on(pilot, community.rooms[2])
    await pilot.press("enter", "1", method_key)
    await wait_for(pilot, lambda: isinstance(app.screen, PaymentQRScreen))
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize(("method_key", "method"), [("2", "wechat"), ("3", "alipay"), ("4", "bank_transfer")])
async def test_the_payment_qr_on_screen_scans_to_the_amount(community: Community, method_key: str, method: str) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_qr(pilot, community, method_key)
        owed = screen.amount_fen
        assert screen.fits and screen.method == method
        payload = decode_screen_qr(screen)
        yuan, fen = divmod(owed, 100)
        assert payload == screen.payload and f"amount={yuan}.{fen:02d}" in payload and community.rooms[2] in payload
        # Dark on light, whatever the theme: every cell of the code is black on white.
        code = screen.query_one("#payqr-code")
        styles = {(s.style.color.name if s.style and s.style.color else None, s.style.bgcolor.name if s.style and s.style.bgcolor else None) for s in code.render_line(3)}
        assert styles == {(DARK_ON_LIGHT.color.name, DARK_ON_LIGHT.bgcolor.name)}  # type: ignore[union-attr]
        # The amount, large, beside it.
        assert screen.query_one("#payqr-amount", Digits).value.startswith("¥")
        assert screen.query_one("#payqr-side").region.x >= code.region.right
        await pilot.press("escape")  # back: nothing is saved
        await pilot.pause()
        assert not rows(community, "SELECT 1 FROM payments")


async def test_a_static_code_shows_the_amount_to_type(community: Community) -> None:
    home = community.home
    home.settings = home.settings.model_copy(update={"payqr": PayQR(scheme="static", static_text="wxp://f2f0Anju-Property-Static")})
    app = make_app(home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_qr(pilot, community)
        assert decode_screen_qr(screen) == "wxp://f2f0Anju-Property-Static"
        side = str(screen.query_one("#payqr-amount-label", Static).render()) + str(screen.query_one("#payqr-help", Static).render())
        assert "请业主输入的金额" in side and "自己输入" in side
        yuan, fen = divmod(screen.amount_fen, 100)
        assert screen.query_one("#payqr-amount", Digits).value.replace(",", "") == f"¥{yuan}.{fen:02d}"


async def test_a_terminal_too_small_for_the_code_says_so_and_offers_the_notice(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(60, 18)) as pilot:
        screen = await open_qr(pilot, community)
        assert not screen.fits
        said = str(screen.query_one("#payqr-code", Static).render())
        assert "屏幕太小" in said and "60×18" in said and "N" in said
        await pilot.press("n")
        await wait_for(pilot, lambda: list((community.home.path / "output").rglob("notice-*.pdf")), timeout=30)
    assert not rows(community, "SELECT 1 FROM payments")


async def test_the_code_comes_back_when_the_window_grows(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(60, 18)) as pilot:
        screen = await open_qr(pilot, community)
        assert not screen.fits
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: screen.fits)
        await pilot.pause()
        assert decode_screen_qr(screen) == screen.payload


# -- 5. messages ---------------------------------------------------------------------------------


async def test_a_saved_message_covers_no_key_and_loses_no_character(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await cursor_on(pilot, community.rooms[3])
        await pilot.press("enter", "2", "1", "3", "enter")
        # Saved, and the confirmation gone (the row can be on disk while the dialog is still closing).
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'promised'") and isinstance(app.screen, HouseholdScreen))
        screen = app.screen
        status = screen.query_one("#hh-status", StatusLine)
        await wait_for(pilot, lambda: status.text)
        await pilot.pause()
        first = promise_days(community.home.ledger.today(), community.home.settings)[0]
        assert status.text == f"约定已保存：{day_text(first)} 晚上"
        drawn = "".join(status.render_line(y).text for y in range(status.size.height)).replace(" ", "")
        assert status.text.replace(" ", "") in drawn  # every character on screen
        for other in (screen.query_one("#actions"), screen.query_one(Footer)):
            assert not status.region.overlaps(other.region)
        assert not app.screen.query("Toast")


def test_paths_are_shown_short_and_whole() -> None:
    home = Path("/home/guard/.local/share/knock")
    assert short_path(home / "output" / "receipt-A-000123.pdf", home) == "output/receipt-A-000123.pdf"
    long = Path("/mnt/usb/some/very/deep/folder/structure/output/receipts/2026-11/receipt-A-000123.pdf")
    shown = short_path(long, home, width=40)
    assert shown.startswith("…/") and shown.endswith("receipt-A-000123.pdf") and len(shown) <= 40


# -- 6. a way out, words, language ---------------------------------------------------------------


async def test_the_today_footer_names_open_move_sign_out_and_quit(community: Community) -> None:
    for locale, words in (("zh", ("打开", "选择", "换人", "退出")), ("en", ("Open", "Move", "Sign out", "Quit"))):
        app = make_app(community.home, locale=locale, staff_id=community.collector)
        async with app.run_test(size=SIZE) as pilot:
            screen = await today_ready(pilot)
            keys = screen.query_one(KeyBar)
            drawn = keys.render_line(0).text  # the line as drawn, 80 columns
            assert keys.region.bottom == SIZE[1] and len(drawn) <= SIZE[0]
            for word in (*words, "⏎", "↑", "↓"):
                assert word in drawn, (word, drawn)
            await pilot.press("o")
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
            assert app.staff_id is None


async def test_the_staff_picker_finds_names_beyond_the_ninth(community: Community) -> None:
    ledger = community.home.ledger
    for n in range(12):
        ledger.register_staff(f"陈{'一二三四五六七八九十'[n % 10]}{n}号", "guard", pin_hash=hash_pin(PIN))
    target = ledger.register_staff("欧阳晓明", "cleaner", pin_hash=hash_pin(PIN))
    app = make_app(community.home)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#names"))
        names = app.screen.query_one("#names")
        assert names.option_count == 9
        for char in "晓明":
            await pilot.press(char)
        await pilot.pause()
        assert names.option_count == 1
        await pilot.press("1", *PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        assert app.staff_id == target


async def test_the_language_is_kept_per_collector(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await today_ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen.query("#languages"))
        await pilot.press("2")
        await wait_for(pilot, lambda: i18n.get_locale() == "en")
    assert saved_locale(community.home.path, community.collector) == "en"
    assert (community.home.path / PREFERENCES_FILE).stat().st_mode & 0o777 == 0o600
    i18n.set_locale("zh")
    # A restart: the collector signs in and the app speaks English; the other collector still gets Chinese.
    again = make_app(community.home, preselect=community.collector)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, SignInScreen) and again.screen.chosen is not None)
        await pilot.press(*PIN, "enter")
        await wait_for(pilot, lambda: isinstance(again.screen, TodayScreen))
        assert i18n.get_locale() == "en"
        await wait_for(pilot, lambda: "Today" in str(again.screen.query_one("#today-header", Static).render()))
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(again.screen, SignInScreen) and again.screen.query("#names"))
        await pilot.press("2", *PIN, "enter")  # 李保洁
        await wait_for(pilot, lambda: isinstance(again.screen, TodayScreen))
        assert again.staff_id == community.other


def test_a_damaged_preferences_file_means_the_defaults(community: Community) -> None:
    (community.home.path / PREFERENCES_FILE).write_bytes(b"\xff\xfe{not json")
    assert saved_locale(community.home.path, community.collector) is None
    (community.home.path / PREFERENCES_FILE).write_text('{"x": {"locale": "fr"}, "y": 3}', encoding="utf-8")
    assert saved_locale(community.home.path, "x") is None and saved_locale(community.home.path, "y") is None


def test_every_ageing_bucket_says_how_long() -> None:
    for bucket, _low, _high in BUCKETS:
        assert label("ageing_buckets", bucket, "zh") != bucket
        assert label("ageing_buckets", bucket, "en") != bucket
    assert label("ageing_buckets", "31-90", "zh") == "1-3月"


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [("Not yet paid", 12, "Not yet paid"), ("Not yet paid", 9, "Not yet…"), ("Building-defect dispute", 12, "Building-…"), ("Send a dunning letter", 16, "Send a dunning…"), ("房屋质量纠纷", 8, "房屋质…")],
)
def test_list_cells_are_shortened_between_words(text: str, width: int, shown: str) -> None:
    assert fit_words(text, width) == shown
    assert cell_len(fit_words(text, width)) <= width


async def test_english_at_80_columns_cuts_no_word(community: Community) -> None:
    app = make_app(community.home, locale="en", staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await today_ready(pilot)
        table = screen.query_one(DayList)
        for row in screen.shown:
            for column in ("type", "next"):
                if column not in [c.key for c in table.columns]:
                    continue
                cell = table.get_cell(row.room, column)
                full = screen.cells(row)[column]
                assert cut_between_words(cell, full), (cell, full)


def cut_between_words(cell: str, full: str) -> bool:
    """``cell`` is ``full``, or a start of it that ends between two words, then "…"."""
    if cell == full:
        return True
    kept = cell.removesuffix("…")
    return cell.endswith("…") and full.startswith(kept) and (full[len(kept)] == " " or kept[-1] in "/-")


def test_an_owner_has_one_english_name_in_the_header_and_the_talking_points(community: Community) -> None:
    from field_app.data.household import load_household
    from field_app.names import owner_title

    i18n.set_locale("en")
    room = community.rooms[1]  # 李某某, a woman
    view = load_household(community.home, room, community.collector, community.home.ledger.now())
    assert view.owner == owner_title("李某某", "f", "en") == "Ms Li"
    said = " ".join(line for card in view.advice.cards for line in card.lines)
    assert "Ms Li" in said and "李" not in said
