"""The confirmation stays up while the outcome is written: one save per Yes, no way back mid-save."""

from __future__ import annotations

from fieldapp_support import Community, wait_for
from textual.app import App, ComposeResult
from textual.widgets import Button, Static

from field_app.app import make_app
from field_app.screens.confirm import ConfirmDialog
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import TodayScreen

SIZE = (80, 24)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("under")


async def test_yes_twice_and_back_while_saving_do_nothing_more_and_finished_closes_it() -> None:
    saves: list[int] = []
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        dialog = ConfirmDialog(["note: dog"], on_yes=lambda: saves.append(1))
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.press("enter", "y", "escape", "n")
        await pilot.pause()
        assert saves == [1] and app.screen is dialog and dialog.busy and not dialog.ready_for_keys()
        assert str(dialog.query_one("#yes", Button).label) != "Save (Enter)"
        dialog.finished()
        await pilot.pause()
        assert app.screen is not dialog


async def test_a_confirmed_note_is_on_disk_when_the_confirmation_closes(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None)
        app.push_screen(HouseholdScreen(community.rooms[8]))
        await wait_for(pilot, lambda: isinstance(app.screen, HouseholdScreen) and app.screen.view is not None)
        household = app.screen
        await pilot.press("7", "d", "o", "g", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        seen: list[bool] = []
        dialog.dismiss = lambda result=None: seen.append(  # type: ignore[method-assign]
            bool(community.home.store.scalar("SELECT 1 FROM contacts WHERE outcome = 'note' AND note = 'dog'"))
        ) or ConfirmDialog.dismiss(dialog, result)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is household and not household.saving)
    assert seen == [True]


async def test_a_save_that_ends_under_the_lock_screen_closes_its_confirmation_after_unlocking() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        dialog = ConfirmDialog(["note: dog"], on_yes=lambda: None)
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        lock = ConfirmDialog(["locked"])  # any screen on top: the idle lock
        app.push_screen(lock)
        await pilot.pause()
        dialog.finished()
        await pilot.pause()
        assert app.screen is lock  # the lock screen stays; nothing popped it
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert dialog not in app.screen_stack and not dialog.busy
