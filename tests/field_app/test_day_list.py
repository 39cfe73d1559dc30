"""The Today list's own widget (DayList) and key line (KeyBar): keys, mouse, scrolling, drawing."""

from __future__ import annotations

import pytest
from fieldapp_support import Community, wait_for
from test_field_polish import burst
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding

from field_app.app import make_app
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import TodayScreen
from field_app.widgets.day_list import Column, DayList
from field_app.widgets.key_bar import KeyBar

ROOMS = [f"3-1-{n}01" for n in range(1, 31)]


class ListApp(App[None]):
    BINDINGS = [
        Binding("x", "mark", "Mark"),
        Binding("q", "app.quit", "Quit"),
        Binding("z", "hidden", "Hidden", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []
        self.marked = 0

    def compose(self) -> ComposeResult:
        yield DayList(id="list")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DayList)
        table.set_columns([Column("room", "Room", 8), Column("owed", "Owed", 9), Column("owner", "Owner", 6)], justify={"owed": "right"})
        table.add_rows((room, [Text(room, style="bold"), Text(f"{n},000.00"), Text("Mr Ouyang Long")]) for n, room in enumerate(ROOMS))
        table.focus()

    def on_day_list_row_selected(self, event: DayList.RowSelected) -> None:
        self.selected.append(event.key)

    def action_mark(self) -> None:
        self.marked += 1


async def test_keys_move_the_cursor_and_keep_it_on_the_screen() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(DayList)
        assert table.row_count == 30 and table.cursor_row == 0
        await pilot.press("down", "down", "up")
        assert table.cursor_row == 1
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 29
        lines = [table.render_line(y).text for y in range(table.size.height)]
        assert lines[0].split() == ["Room", "Owed", "Owner"]  # the header stays on top when scrolled
        assert ROOMS[29] in lines[-1]
        await pilot.press("pageup")
        assert table.cursor_row == 29 - table.page_rows
        await pilot.press("home", "enter")
        assert table.cursor_row == 0 and app.selected == [ROOMS[0]]


async def test_cells_are_cut_between_words_and_amounts_line_up_right() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(DayList)
        assert table.get_cell(ROOMS[0], "owner") == "Mr"  # "Mr Ouyang Long" in 6 cells: the whole first word only
        assert table.get_cell(ROOMS[12], "owed") == "12,000.00"
        line = table.render_line(2).text  # the second row
        assert line.startswith(f" {ROOMS[1]:<8}  {'1,000.00':>9} ")  # room left in its 8 cells, amount right in its 9


async def test_a_click_moves_the_cursor_and_a_click_on_the_cursor_row_selects_it() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(DayList)
        await pilot.click(DayList, offset=(2, 3))  # the third row (the header is line 0)
        assert table.cursor_row == 2 and app.selected == []
        await pilot.click(DayList, offset=(2, 3))
        assert app.selected == [ROOMS[2]]
        await pilot.click(DayList, offset=(2, 0))  # the header: nothing
        assert table.cursor_row == 2 and app.selected == [ROOMS[2]]


async def test_the_wheel_scrolls_the_rows_under_the_header() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(DayList)
        await pilot.pause()
        before = table.render_line(1).text
        for _ in range(3):
            table.post_message(events.MouseScrollDown(table, 2, 3, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert table.scroll_offset.y > 0
        assert table.render_line(1).text != before and table.render_line(0).text.split() == ["Room", "Owed", "Owner"]


async def test_the_key_bar_shows_the_shown_keys_and_a_click_runs_one() -> None:
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        line = bar.render_line(0).text  # the content, after the bar's one-cell padding
        assert "x Mark" in line and "q Quit" in line and "Hidden" not in line
        await pilot.click(KeyBar, offset=(1 + line.index("x Mark"), 0))
        await pilot.pause()
        assert app.marked == 1
        await pilot.click(KeyBar, offset=(1 + line.index("Mark"), 0))  # the words are not a key
        await pilot.pause()
        assert app.marked == 1


async def test_on_today_a_click_picks_a_door_and_a_second_click_opens_it(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
        await pilot.pause()
        today = app.screen
        table = today.query_one(DayList)
        await pilot.click(DayList, offset=(4, 3))  # the third row under the header
        await pilot.pause()
        assert table.cursor_row == 2 and app.screen is today
        await pilot.click(DayList, offset=(4, 3))
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
        assert app.screen.room == today.shown[2].room
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is today)
        await pilot.click(KeyBar, offset=(1, 0))  # "↑" of "↑↓" (after the bar's padding): the cursor moves up
        await wait_for(pilot, lambda: table.cursor_row == 1)


def test_the_collector_sits_out_the_start_and_the_start_s_objects_are_kept_out_of_its_passes() -> None:
    import gc

    from field_app.start import start_up

    before = gc.get_freeze_count()
    try:
        with start_up():
            assert not gc.isenabled()
            made = [[n] for n in range(1000)]  # what a start keeps
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(made)
        with pytest.raises(RuntimeError), start_up():  # a start that fails gives the collector back too
            raise RuntimeError("no home")
        assert gc.isenabled()
    finally:
        gc.unfreeze()  # this test process goes on making apps


def empty_line(app) -> str:  # type: ignore[no-untyped-def]
    found = [w for w in app.screen.query("#today-empty") if not w.has_class("hidden")]
    return str(found[0].render()) if found else ""


async def test_an_empty_list_says_why(community: Community) -> None:
    app = make_app(community.home, locale="en", staff_id=community.collector)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised)
        assert empty_line(app) == ""
        await pilot.press("9", "-", "9", "-", "9")  # no such room
        await wait_for(pilot, lambda: "Nothing matches" in empty_line(app))
        assert app.screen.query_one(DayList).row_count == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: empty_line(app) == "" and app.screen.query_one(DayList).row_count == len(community.rooms))
    newcomer = community.home.ledger.register_staff("New Guard", "guard")
    app = make_app(community.home, locale="en", staff_id=newcomer)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        await wait_for(pilot, lambda: "No households assigned" in empty_line(app))


@pytest.mark.parametrize("appended", [True, False])
async def test_the_rest_of_the_day_appended_or_filled_again_keeps_queued_keys_right(
    community: Community, monkeypatch: pytest.MonkeyPatch, appended: bool
) -> None:
    """The first pass brings one screenful; the rest is appended (same column widths) or the list is filled
    again (a wider column): either way Down x 12, Enter queued from the start opens the 13th door."""
    if not appended:
        monkeypatch.setattr(TodayScreen, "continues_shown", lambda self, rows: False)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=(80, 10)) as pilot:
        await burst(pilot, *["down"] * 12, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
        today = app.screen_stack[-2]
        assert len(today.shown) == today.query_one(DayList).row_count == len(community.rooms)
        assert app.screen.room == today.shown[12].room
