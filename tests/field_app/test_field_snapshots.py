"""Snapshots of the main screens at 80x24, in Chinese and in English (frozen clock, fixed data).

After an intended change: ``.venv/bin/pytest tests/field_app --snapshot-update``, then look at the report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from fieldapp_support import Community, wait_for
from textual.pilot import Pilot
from textual.widgets import Input

from field_app.app import make_app
from field_app.screens.household import HouseholdScreen
from field_app.screens.sign_in import SignInScreen
from field_app.screens.today import TodayScreen


async def steady(pilot: Pilot) -> None:
    """Workers done, cursors not blinking: the same picture every time."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


async def today(pilot: Pilot) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TodayScreen) and pilot.app.screen.advised)


async def household(pilot: Pilot) -> None:
    await today(pilot)
    await pilot.press("3", "minus", "2", "minus", "5", "0", "2", "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HouseholdScreen) and pilot.app.screen.view is not None)


def then(first: Callable[[Pilot], Awaitable[None]], *keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await first(pilot)
        await pilot.press(*keys)
        await steady(pilot)

    return run


async def sign_in(pilot: Pilot) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen) and pilot.app.screen.query("#names"))
    await steady(pilot)


SCREENS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "today": then(today),
    "household": then(household),
    "household_objections": then(household, "left"),
    "paid": then(household, "1"),
    "promise": then(household, "2"),
    "refused": then(household, "4"),
    "complaint": then(household, "5", "2"),
    "payment_qr": then(household, "1", "2"),
    "saved": then(household, "3", "2", "enter"),
    "gate": then(today, "g"),
    "settings_help": then(today, "s"),
}


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(snap_compare, community: Community, locale: str, name: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(community.home, locale=locale, staff_id=community.collector)
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCREENS[name])


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_sign_in(snap_compare, community: Community, locale: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(community.home, locale=locale)
    assert snap_compare(app, terminal_size=(80, 24), run_before=sign_in)
