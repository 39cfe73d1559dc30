"""Quitting the moment a household opens (Enter then Ctrl+Q queued at a door) ends the app with no traceback."""

from __future__ import annotations

import pytest

from field_app.app import make_app
from field_app.screens.household import HouseholdScreen
from fieldapp_support import Community
from test_field_door import SIZE, today_ready


@pytest.mark.parametrize("attempt", range(6))
async def test_quitting_while_a_household_opens_ends_cleanly(community: Community, attempt: int) -> None:
    """The quit lands 0-5 message-loop turns after the screen is pushed: mid-compose, mid-mount, mid-load."""
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        today = await today_ready(pilot)
        room = today.shown[0].room
        app.push_screen(HouseholdScreen(room))
        for _ in range(attempt):
            await pilot.pause(0)
        app.exit()
    assert app.return_code in (0, None)
