"""Guardrails at the door: quiet hours stop the collector on screen, a manager can lift them
with a PIN and a reason, every warning is in front of the person before they confirm, and a
flagged note is kept with a gentle reminder."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from textual.widgets import Input, Static

from field_app.app import make_app
from fieldapp_support import MANAGER_PIN, Community, wait_for
from test_field_flows import SIZE, keys, open_household, rows, settle, text_of

CST = timezone(timedelta(hours=8))


async def test_quiet_hours_block_until_a_manager_gives_pin_and_reason(community: Community, clock) -> None:  # type: ignore[no-untyped-def]
    room = community.rooms[9]
    clock.set(datetime(2026, 11, 23, 22, 15, tzinfo=CST))
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, room)
        assert screen.view.guard.blocked and screen.view.guard.needs_reason
        assert "22:00" in text_of(screen.query_one("#banner", Static))
        await pilot.press("3")
        await pilot.pause()
        assert "休息时间" in text_of(app.screen.query_one(".title", Static))
        await pilot.press("1")  # a manager approves
        await wait_for(pilot, lambda: app.screen.query("#managers") and app.screen.query_one("#managers").option_count)
        await pilot.press("1", *MANAGER_PIN, "enter")
        await wait_for(pilot, lambda: app.screen.query("#override-reason") and not app.screen.query_one("#override-reason", Input).disabled)
        await pilot.press("enter")  # an empty reason is not enough
        await settle(pilot)
        assert app.screen.query("#override-reason")
        await pilot.press(*keys("owner asked for 22.15"), "enter")
        await wait_for(pilot, lambda: app.screen.query("#notice"))
        await pilot.press("2", "enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE outcome = 'not_home'"))
    [override] = rows(community, "SELECT * FROM guard_overrides")
    assert override["rule"] == "quiet_hours" and override["reason"] == "owner asked for 22.15" and override["manager_id"] == community.manager


async def test_quiet_hours_without_a_manager_save_nothing(community: Community, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 11, 23, 23, 30, tzinfo=CST))
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[9])
        await pilot.press("3", "2")  # "back, do not contact"
        await settle(pilot)
    assert not rows(community, "SELECT 1 FROM contacts WHERE outcome = 'not_home'")


async def test_a_payment_in_quiet_hours_counts_as_a_visit_without_logging_a_contact(community: Community, clock) -> None:  # type: ignore[no-untyped-def]
    """13q: the owner paid the guard at 22:30 and the Today line still said 已走访 0/16. The money changed
    hands at the door, so the visit happened; but quiet hours limit what we start, so no contact is logged."""
    from field_app.screens.today import TodayScreen

    room = community.rooms[9]
    clock.set(datetime(2026, 11, 23, 22, 30, tzinfo=CST))
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, room)
        assert screen.view.guard.blocked
        await pilot.press("1", "1")  # pay, cash: paying is never blocked
        await wait_for(pilot, lambda: "请核对" in text_of(app.screen.query_one(".title", Static)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM payments"))
        await wait_for(pilot, lambda: app.screen.query("#info-choices"))
        await pilot.press("2", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.view is not None and app.screen.view.visited == 1)
        counters = text_of(app.screen.query_one("#today-counters", Static))
        assert f"已走访 1/{len(community.rooms)}" in counters, counters
        assert next(r for r in app.screen.shown if r.room == room).visited
    assert not rows(community, "SELECT 1 FROM contacts WHERE at >= '2026-11-23T22'")  # no contact was started in quiet hours


async def test_the_confirmation_shows_every_warning(community: Community, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=CST))  # dinner time: warned, not blocked
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, community.rooms[9])
        assert not screen.view.guard.blocked and screen.view.guard.warnings
        await pilot.press("3")
        await wait_for(pilot, lambda: app.screen.query("#notice"))
        await pilot.press("2")
        await settle(pilot)
        shown = " ".join(text_of(w) for w in app.screen.query(Static))
        assert "吃饭" in shown, shown


def test_a_flagged_note_is_kept_flagged_and_answered_with_a_gentle_reminder(community: Community) -> None:
    from field_app.data.outcomes import save_outcome
    from field_app.outcomes import NoteOnly

    room = community.rooms[2]
    saved = save_outcome(community.home, community.collector, NoteOnly(room, "下次去他单位找领导说说欠费的事"))
    assert saved.reminders and "温馨提醒" in saved.reminders[0]
    [flag] = rows(community, "SELECT * FROM text_flags")
    assert "third_party_pressure" in flag["categories"] and flag["author"] == community.collector
    assert rows(community, "SELECT note FROM contacts WHERE outcome = 'note'")[-1]["note"] == "下次去他单位找领导说说欠费的事"
    clean = save_outcome(community.home, community.collector, NoteOnly(room, "业主说周六下午在家"))
    assert clean.reminders == ()


async def test_the_note_key_records_a_ways_to_reach_step_and_the_advice_moves_on(community: Community) -> None:  # type: ignore[no-untyped-def]
    room = community.rooms[9]
    ledger = community.home.ledger
    for at, channel, note in (
        (datetime(2026, 11, 17, 10, 0, tzinfo=CST), "door", ""),  # Tuesday daytime
        (datetime(2026, 11, 19, 19, 40, tzinfo=CST), "door", "notice"),  # Thursday evening, notice left
        (datetime(2026, 11, 20, 15, 0, tzinfo=CST), "phone", ""),  # Friday afternoon call
        (datetime(2026, 11, 21, 20, 0, tzinfo=CST), "phone", ""),  # Saturday evening call
        (datetime(2026, 11, 22, 15, 0, tzinfo=CST), "door", ""),  # Sunday daytime
    ):
        ledger.log_contact(room, channel=channel, outcome="not_home", collector=community.collector, note=note, at=at)
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_household(pilot, room)
        assert screen.view.advice.next_action.key == "ask_call_back", screen.view.advice.next_action
        await pilot.press("7")
        await wait_for(pilot, lambda: app.screen.query("#step-choice"))
        await pilot.press("1")
        await wait_for(pilot, lambda: app.screen.query("ConfirmDialog") or "确认" in " ".join(text_of(w) for w in app.screen.query(Static)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: rows(community, "SELECT 1 FROM contacts WHERE reason = 'asked_call_back'"))
        await wait_for(pilot, lambda: screen.view is not None and screen.view.advice.next_action.key == "check_records")
