"""Today's search box is a look-alike line until the first search; then it is the real box, with nothing typed lost."""

from __future__ import annotations

from fieldapp_support import Community, wait_for
from test_field_polish import burst, typed
from textual.widgets import Input

from field_app.app import make_app
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import TodayScreen
from field_app.widgets.day_list import DayList
from field_app.widgets.search_field import SearchField

SIZE = (80, 24)


async def ready(pilot) -> TodayScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.advised, timeout=30)
    return app.screen


async def test_the_first_frame_has_the_line_not_the_box_and_it_reads_as_the_box(community: Community) -> None:
    app = make_app(community.home, locale="en", staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert not screen.query(Input) and screen.search_text() == ""
        line = screen.query_one(SearchField)
        assert "Find: room 3-2-501" in str(line.render())
        assert line.region.height == 3 and line.region.width == SIZE[0]  # where the box will be, as tall
        assert isinstance(app.focused, DayList)


async def test_a_burst_of_keys_typed_on_the_list_opens_the_box_with_every_key_in_it(community: Community) -> None:
    app = make_app(community.home, locale="en", staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await burst(pilot, *typed("8-2-7"))
        await wait_for(pilot, lambda: screen.search_text() == "8-2-7")
        box = screen.query_one("#search", Input)
        assert app.focused is box and not screen.query(SearchField)
        assert [r.room for r in screen.shown] == ["8-2-702"]
        await burst(pilot, "enter")  # one match: Enter opens it
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
        assert app.screen.room == "8-2-702"


async def test_a_click_on_the_line_or_the_slash_key_opens_the_box_empty_and_focused(community: Community) -> None:
    for how in ("click", "slash"):
        app = make_app(community.home, locale="en", staff_id=community.collector)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(pilot)
            if how == "click":
                await pilot.click(SearchField, offset=(4, 1))
            else:
                await pilot.press("slash")
            await wait_for(pilot, lambda: screen.query("#search") and app.focused is screen.query_one("#search", Input))
            assert screen.search_text() == "" and len(screen.shown) == len(community.rooms)
            await pilot.press("8", "minus", "1")
            await wait_for(pilot, lambda: {r.room for r in screen.shown} == {r for r in community.rooms if r.startswith("8-1-")})
            await pilot.press("escape")  # clears, back to the list
            await wait_for(pilot, lambda: screen.search_text() == "" and isinstance(app.focused, DayList))
            assert len(screen.shown) == len(community.rooms)


async def test_escape_and_the_counters_work_before_anything_was_searched(community: Community) -> None:
    app = make_app(community.home, locale="en", staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("escape", "down", "r")  # clear with no box, move, re-sort: no box is made for them
        await pilot.pause()
        assert not screen.query(Input) and isinstance(app.focused, DayList)
        assert len(screen.shown) == len(community.rooms)
