"""The polish pass: full room codes at 80x24, advice on the ledger's aware clock,
the list's cheap triage agreeing with full advice, and keys that outrun a screen change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual import events

from field_app.data.advice import advice_or_error
from field_app.data.gate import gate_lookup
from field_app.data.household import load_household
from field_app.data.outcomes import save_outcome
from field_app.data.today import load_today
from field_app.app import make_app
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import COLUMNS, TodayScreen, column_widths
from field_app.widgets.day_list import DayList
from fieldapp_support import Community, wait_for
from knock.advice import advise, plan_for_collector, triage_for_collector

LONG_ROOMS = ("12-1-1701", "12-2-1702", "15-1-2101")


def tall_buildings(community: Community) -> list[str]:
    """Rooms with two-digit buildings and floors (the longest codes) added to the collector's day."""
    ledger = community.home.ledger
    pairs = {}
    for n, room in enumerate(LONG_ROOMS):
        hid = ledger.register_household(room, "欧阳" + "娜娜", phones=[f"1390000{n:04d}"], area_centi_m2=12000, gender="f")
        ledger.add_charge(room, "property_fee", date(2026, 9, 1), date(2026, 9, 30), date(2026, 9, 15), 1_234_567)
        pairs[hid] = community.collector
    assigned = {r["household_id"]: r["staff_id"] for r in community.home.store.query("SELECT * FROM assignments WHERE day = ?", (ledger.today().isoformat(),))}
    ledger.set_assignments(ledger.today(), assigned | pairs)
    return list(LONG_ROOMS)


def table_text(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(DayList)
    return [table.render_line(y).text for y in range(table.size.height)]


# -- 1. the today list ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_room_codes_are_never_cut_short(community: Community, locale: str, size: tuple[int, int]) -> None:
    rooms = tall_buildings(community)
    app = make_app(community.home, locale=locale, staff_id=community.collector)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DayList)
        assert table.row_count == len(screen.view.rows)
        # Walk the list to the end: every room of the day, in full, on a line with its months.
        seen = set()
        for index, row in enumerate(screen.shown):
            table.move_cursor(row=index)
            await pilot.pause()
            line = next(t for t in table_text(app) if row.room in t)
            seen.add(row.room)
            assert f"{row.months_owed}" in line
        assert seen == {r.room for r in screen.view.rows} >= set(rooms)
        keys = [c.key for c in table.columns]
        assert keys[-6:] == ["owner", "owed", "months", "type", "next", "due"]
        if size[0] >= 110:
            assert "group" in keys, keys
        elif locale == "en":
            assert "group" not in keys, keys  # 80 columns in English: no room for it


def test_column_widths_keep_the_essentials_whole() -> None:
    natural = {"group": 8, "room": 10, "owner": 12, "owed": 9, "months": 2, "type": 23, "next": 21, "due": 4}
    narrow = column_widths(80, natural, scrollbar=True)
    assert "group" not in narrow
    assert [narrow[c] for c in ("room", "owed", "months", "due")] == [10, 9, 2, 4]
    assert narrow["owner"] == 10
    assert sum(narrow.values()) + 2 * len(narrow) + 2 <= 80
    assert narrow["type"] >= 4 and narrow["next"] >= 4
    wide = column_widths(120, natural, scrollbar=True)
    assert list(wide) == list(COLUMNS)
    assert wide == natural
    assert sum(wide.values()) + 2 * len(wide) + 2 <= 120


# -- 2. advice on the ledger's aware clock -------------------------------------------------------


def test_a_household_with_history_is_advised_on_the_aware_clock(community: Community) -> None:
    home, room = community.home, community.rooms[2]
    ledger = home.ledger
    now = ledger.now()
    assert now.tzinfo is not None
    ledger.log_contact(room, channel="door", outcome="refused", reason="defect", collector=community.collector, at=now - timedelta(days=20))
    ledger.log_contact(room, channel="phone", outcome="unreachable", collector=community.collector, at=now - timedelta(days=9))
    ledger.make_promise(room, due_date=now.date() - timedelta(days=3), window="evening", collector=community.collector, at=now - timedelta(days=6))
    ledger.open_complaint(room, category="defect", text="卫生间渗水", author=community.collector)
    ledger.log_contact(room, channel="door", outcome="promised", collector=community.collector)
    household = ledger.household(room)
    advice = advise(home, household, locale="zh", now=now, collector="张保安")
    assert advice.types and advice.at.tzinfo is not None
    shown, error = advice_or_error(home, household, now, "zh", community.collector)
    assert shown is not None and not error and not shown.alerts, (error, shown)
    assert shown.types and shown.cards and any("张保安" in line for card in shown.cards for line in card.lines)


# -- 3. the list's triage is the full advice without the cards -----------------------------------


def test_triage_agrees_with_full_advice_and_reports_progress(community: Community) -> None:
    home, ledger = community.home, community.home.ledger
    now = ledger.now()
    # Some history, so several debtor types and next actions show up.
    ledger.log_contact(community.rooms[0], channel="door", outcome="refused", reason="defect", collector=community.collector, at=now - timedelta(days=3))
    ledger.open_complaint(community.rooms[3], category="staff", text="态度不好", author=community.collector)
    for days in (40, 25, 10):
        ledger.log_contact(community.rooms[4], channel="phone", outcome="unreachable", collector=community.collector, at=now - timedelta(days=days))
    ledger.make_promise(community.rooms[5], due_date=now.date() + timedelta(days=1), window="morning", collector=community.collector)
    seen: list[tuple[int, int]] = []
    full = plan_for_collector(home, community.collector, locale="zh", progress=lambda done, total: seen.append((done, total)))
    quick = triage_for_collector(home, community.collector)
    assert seen == [(n, len(full)) for n in range(1, len(full) + 1)]
    assert [advice.room for advice in full] == [t.household.room for t in quick]
    for advice, triage in zip(full, quick, strict=True):
        assert [t.key for t in advice.types] == [t.key for t in triage.types]
        assert advice.group == triage.group
        assert advice.next_action.key == triage.next_action.key
        assert advice.next_action.label == triage.action_label.get("zh")
        assert advice.type_label == triage.type_label("zh")
        assert (advice.owed_fen, advice.months_owed) == (triage.facts.owed_fen, triage.facts.months_owed)
    assert len({t.next_action.key for t in quick}) > 1


def test_a_playbook_failure_still_lists_the_day(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    import knock.advice

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("rules exploded")

    monkeypatch.setattr(knock.advice, "triage_household", broken)
    view = load_today(community.home, community.collector, community.home.ledger.now())
    assert len(view.rows) == len(community.rooms)
    assert all("rules exploded" in r.next_action_label for r in view.rows)


# -- 4. keys that arrive together ---------------------------------------------------------------

CHARS = {"minus": "-", "enter": "\r", "escape": "\x1b", "space": " "}


@pytest.fixture(autouse=True)
def patient_key_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate waits for each screen as long as a loaded test machine needs (30 s, not 2 s).

    These tests are about order (every key reaches the screen the previous key
    left), not about the gate's give-up time; a busy CI box must not turn a
    slow screen into a lost key.
    """
    import field_app.keys

    monkeypatch.setattr(field_app.keys, "SETTLE_TIMEOUT", 30.0)


async def burst(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Send ``keys`` the way a terminal delivers a fast typist: all queued before the first is handled."""
    app = pilot.app
    for key in keys:
        app.post_message(events.Key(key, CHARS.get(key, key if len(key) == 1 else None)))
    await keys_delivered(pilot)


async def keys_delivered(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app's key gate has handed on every key it was given."""
    gate = pilot.app.key_gate
    await wait_for(pilot, lambda: not pilot.app.message_queue_size and not gate.queue and gate.task is None, timeout=30)


def typed(text: str) -> list[str]:
    return ["minus" if ch == "-" else ch for ch in text]


async def today_ready(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)


async def test_a_payment_typed_in_one_burst(community: Community) -> None:
    room = community.rooms[2]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(80, 24)) as pilot:
        await today_ready(pilot)
        # Search, open, pay, cash (the amount stays as owed), confirm, "done" on the receipt step.
        await burst(pilot, *typed(room), "enter", "1", "1", "enter", "2")
        await wait_for(pilot, lambda: community.home.store.query("SELECT 1 FROM payments"), timeout=30)
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and not app.screen.saving)
    payment = community.home.store.query("SELECT p.*, h.room FROM payments p JOIN households h USING (household_id)")
    assert [(p["room"], p["method"]) for p in payment] == [(room, "cash")]


async def test_a_note_typed_in_one_burst(community: Community) -> None:
    room = community.rooms[4]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(80, 24)) as pilot:
        await today_ready(pilot)
        await burst(pilot, *typed(room), "enter", "7", *"night", "enter", "enter")
        await wait_for(pilot, lambda: community.home.store.query("SELECT 1 FROM contacts WHERE outcome = 'note'"), timeout=30)
    notes = community.home.store.query("SELECT note FROM contacts WHERE outcome = 'note'")
    assert [n["note"] for n in notes] == ["night"]


async def test_a_promise_typed_in_one_burst(community: Community) -> None:
    room = community.rooms[3]
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(80, 24)) as pilot:
        await today_ready(pilot)
        await burst(pilot, *typed(room), "enter", "2", "2", "tab", "3", "0", "0", "enter", "3", "enter")
        await wait_for(pilot, lambda: community.home.store.query("SELECT 1 FROM promises WHERE amount_fen IS NOT NULL"), timeout=30)
    promise = community.home.store.query("SELECT window, amount_fen FROM promises WHERE amount_fen IS NOT NULL")
    assert [(p["window"], p["amount_fen"]) for p in promise] == [("evening", 30000)]


async def test_pin_and_search_typed_before_the_screens_are_up(community: Community) -> None:
    app = make_app(community.home, preselect="张保安")
    async with app.run_test(size=(80, 24)) as pilot:
        # At once after start: the PIN, Enter, then a room to look for on the list that follows.
        await burst(pilot, *"1234", "enter", *typed("8-2-7"))
        # Bounds for a loaded machine (argon2, the ledger record, the day's list): generous, still finite.
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None, timeout=30)
        # Every key arrives, however long the PIN check (argon2 and its ledger record) takes.
        await wait_for(pilot, lambda: app.screen.query_one("#search").value == "8-2-7", timeout=30)
        await wait_for(pilot, lambda: [r.room for r in app.screen.shown] == ["8-2-702"], timeout=30)


# -- 6. smaller things found driving the app -----------------------------------------------------


def test_gate_lookup_takes_the_spellings_the_search_takes(community: Community) -> None:
    home, today = community.home, community.home.ledger.today()
    for typed_room in ("8 2 702", "8栋2单元702", "8/2/702", "8-2-702"):
        answer = gate_lookup(home, typed_room, community.collector, today)
        assert (answer.room, answer.found) == ("8-2-702", True), typed_room


def test_history_names_the_complaint_kind_and_the_payment(community: Community) -> None:
    home, room = community.home, community.rooms[0]
    home.ledger.open_complaint(room, category="defect", text="卫生间渗水", author=community.collector)
    home.ledger.record_payment(room, 10000, method="cash", collector=community.collector)
    view = load_household(home, room, community.collector, home.ledger.now())
    texts = [e.text for e in view.timeline]
    assert any("房屋质量" in t and "defect" not in t for t in texts), texts
    assert any(t.startswith("收款 ¥100.00") for t in texts), texts


def test_a_saved_promise_reads_like_its_confirmation(community: Community) -> None:
    from field_app.outcomes import Promised

    saved = save_outcome(community.home, community.collector, Promised(community.rooms[3], date(2026, 11, 25), "evening", None))
    assert "11月25日 周三" in saved.message and "2026-11-25" not in saved.message


async def test_the_lock_screen_offers_no_way_back(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(80, 24)) as pilot:
        await today_ready(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert app.screen.check_action("back", ()) is False
        await pilot.press("escape")
        await pilot.pause()
        assert app.locked
