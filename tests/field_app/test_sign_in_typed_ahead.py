"""A PIN and Enter typed the moment the app is started, before it takes over the terminal: the
terminal has already turned that Enter into a newline (Ctrl+J). It signs in like Enter; it was
ignored, and the guard at the door saw their PIN's dots and nothing happening."""

from __future__ import annotations

from field_app.app import make_app
from field_app.screens.sign_in import SignInScreen
from field_app.screens.today import TodayScreen
from fieldapp_support import PIN, Community, wait_for

SIZE = (80, 24)


async def test_a_newline_typed_ahead_signs_in_like_enter(community: Community) -> None:
    app = make_app(community.home, preselect=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.screen.chosen is not None)
        await pilot.press(*PIN, "ctrl+j")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen), timeout=15)
        assert app.staff_id == community.collector


async def test_a_name_typed_ahead_with_a_newline_is_chosen(community: Community) -> None:
    app = make_app(community.home)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#names"))
        await pilot.press("1")
        await pilot.press(*PIN, "ctrl+j")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen), timeout=15)
