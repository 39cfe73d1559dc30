"""``assign_day`` and ``knock assign`` against a real ledger in a tmp home."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.assignment_db import assign_day, is_hard_case, load_assignment_inputs
from knock.core.events import EventKind
from knock.home import Home

DAY = date(2026, 11, 23)
CST = timezone(timedelta(hours=8))


def _owes_four_months(home: Home, room: str) -> None:
    for month in (7, 8, 9, 10):
        start = date(2026, month, 1)
        end = date(2026, month + 1, 1) - timedelta(days=1)
        home.ledger.add_charge(room, "property_fee", start, end, end, 25000)


@pytest.fixture
def community(home: Home) -> dict[str, str]:
    """Two buildings, twelve households (one paid up), five active staff and one who left."""
    ledger = home.ledger
    staff = {
        "张伟": ledger.register_staff("张伟", "guard"),
        "李娜": ledger.register_staff("李娜", "guard"),
        "王芳": ledger.register_staff("王芳", "cleaner"),
        "赵敏": ledger.register_staff("赵敏", "customer_service"),
        "周经理": ledger.register_staff("周经理", "manager"),
        "钱退休": ledger.register_staff("钱退休", "guard", active=False),
    }
    for building in ("1", "2"):
        for floor in range(1, 7):
            room = f"{building}-1-{floor}01"
            ledger.register_household(room, f"业主{building}{floor}")
            _owes_four_months(home, room)
    ledger.record_payment("2-1-601", 100000, method="cash", collector="张伟", overpay_confirmed=True)  # paid up: not in arrears
    ledger.record_escalation("1-1-101", "dunning_letter", author=staff["赵敏"])
    for days_ago in (3, 1):
        ledger.log_contact("1-1-201", channel="door", outcome="refused", collector="李娜", at=datetime(2026, 11, 23 - days_ago, 19, 45, tzinfo=CST))
    ledger.log_contact("1-1-301", channel="door", outcome="refused", collector="李娜")  # one refusal: not yet a hard case
    ledger.open_complaint("2-1-101", category="service", text="态度不好", author="system", staff_involved="张伟")
    ledger.open_complaint("2-1-201", category="service", text="没修好", author="system", staff_involved=staff["李娜"])
    closed = ledger.open_complaint("2-1-301", category="service", text="已解决", author="system", staff_involved="王芳")
    ledger.close_complaint(closed, resolution="修好了", author="system")
    return staff


def _rooms(home: Home) -> dict[str, str]:
    return {r["household_id"]: r["room"] for r in home.store.query("SELECT household_id, room FROM households")}


def test_the_hard_case_rule() -> None:
    assert is_hard_case(escalated=True, months_owed=0, refusals=0)
    assert is_hard_case(escalated=False, months_owed=3, refusals=2)
    assert not is_hard_case(escalated=False, months_owed=2, refusals=5)
    assert not is_hard_case(escalated=False, months_owed=12, refusals=1)


def test_inputs_come_from_the_ledger(home: Home, community: dict[str, str]) -> None:
    inputs = load_assignment_inputs(home.store, home.settings, DAY)
    rooms = _rooms(home)
    by_room = {rooms[h.household_id]: h for h in inputs.households}
    assert set(by_room) == {f"{b}-1-{f}01" for b in "12" for f in range(1, 7)} - {"2-1-601"}
    assert {room for room, h in by_room.items() if h.hard_case} == {"1-1-101", "1-1-201"}
    assert by_room["2-1-101"].excluded_staff == {community["张伟"]}
    assert by_room["2-1-201"].excluded_staff == {community["李娜"]}
    assert by_room["2-1-301"].excluded_staff == frozenset()  # the complaint is closed
    assert {s.name for s in inputs.staff} == {"张伟", "李娜", "王芳", "赵敏", "周经理"}
    assert inputs.previous == {} and inputs.previous_day is None


def test_assign_day_records_one_event_that_follows_the_rules(home: Home, community: dict[str, str]) -> None:
    plan = assign_day(home.ledger, DAY)
    rows = home.store.query("SELECT household_id, staff_id FROM assignments WHERE day = ?", (DAY.isoformat(),))
    assert {r["household_id"]: r["staff_id"] for r in rows} == dict(plan.assignments)
    assert home.store.scalar("SELECT COUNT(*) FROM events WHERE kind = ?", (EventKind.ASSIGNMENTS_SET,)) == 1
    rooms = _rooms(home)
    given = {rooms[hid]: sid for hid, sid in plan.assignments.items()}
    assert len(given) == 11 and not plan.problems and plan.spread <= 1
    assert {given["1-1-101"], given["1-1-201"]} <= {community["赵敏"], community["周经理"]}
    assert given["2-1-101"] != community["张伟"] and given["2-1-201"] != community["李娜"]
    assert community["钱退休"] not in given.values()


def test_the_next_day_keeps_collectors_and_drops_who_paid(home: Home, community: dict[str, str], clock) -> None:
    first = assign_day(home.ledger, DAY)
    rooms = _rooms(home)
    paid = next(hid for hid, room in rooms.items() if room == "1-1-601")
    home.ledger.record_payment("1-1-601", 100000, method="wechat", collector="王芳", overpay_confirmed=True)
    clock.advance(days=1)
    second = assign_day(home.ledger, DAY + timedelta(days=1))
    inputs = load_assignment_inputs(home.store, home.settings, DAY + timedelta(days=1))
    assert inputs.previous_day == DAY and inputs.previous == dict(first.assignments)
    assert paid not in second.assignments and len(second.assignments) == 10
    assert second.carried_over == 10 and second.kept >= 9
    # running the same day again plans from the day before, not from itself
    again = assign_day(home.ledger, DAY + timedelta(days=1))
    assert again.assignments == second.assignments


def test_knock_assign_prints_loads_and_records(home: Home, community: dict[str, str]) -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["assign", "--date", "2026-11-23", "--home", str(home.path)])
    assert text.exit_code == 0, text.output
    assert "assignment for 2026-11-23: 11 households, 5 collectors, 2–3 households each" in text.output
    assert "赵敏" in text.output and "customer_service" in text.output and "钱退休" not in text.output
    assert home.store.scalar("SELECT COUNT(*) FROM assignments WHERE day = '2026-11-23'") == 11
    result = runner.invoke(cli, ["assign", "--date", "2026-11-24", "--json", "--by", "周经理", "--home", str(home.path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["previous_day"] == "2026-11-23" and data["kept"] == 11 and data["carried_over"] == 11
    assert data["max_load"] - data["min_load"] <= 1 and data["recorded"] is True
    assert sum(c["households"] for c in data["collectors"]) == 11
    author = home.store.scalar("SELECT author FROM events WHERE kind = ? ORDER BY rowid DESC LIMIT 1", (EventKind.ASSIGNMENTS_SET,))
    assert author == community["周经理"]


def test_knock_assign_dry_run_and_problems(home: Home, community: dict[str, str]) -> None:
    for name in ("赵敏", "周经理"):
        home.ledger.update_staff(community[name], active=False, author="system")
    result = CliRunner().invoke(cli, ["assign", "--date", "2026-11-23", "--dry-run", "--home", str(home.path)])
    assert result.exit_code == 0, result.output
    assert "plan (not recorded)" in result.output
    assert "2 hard cases but no active customer-service staff or manager: left unassigned (1-1-101, 1-1-201)" in result.output
    assert home.store.scalar("SELECT COUNT(*) FROM assignments") == 0


def test_knock_assign_unknown_author_is_a_clear_error(home: Home, community: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["assign", "--by", "无名", "--home", str(home.path)])
    assert result.exit_code == 1 and "no staff member named '无名'" in result.output
