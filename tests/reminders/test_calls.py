"""The day's call list: who is on it, in what order, with which script; the PDF; the CLI logs reveals."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.documents.call_sheet import render_call_list
from knock.home import Home
from knock.playbook.rules import GROUP_RANK
from knock.reminders.batch import BatchError
from knock.reminders.calls import URGENT_TYPES, CallList, build_call_list
from tests.conftest import CST, FakeClock
from tests.documents.readback import read_back
from tests.reminders.conftest import AddHousehold


@pytest.fixture
def day_of_calls(office: Home, add_household: AddHousehold, clock: FakeClock) -> Home:
    """Six households; four of them the playbook would call on Friday."""
    ledger = office.ledger
    # texted a week ago, no answer: ordinary, the playbook's next step is a call
    for room, months in (("1-1-101", 1), ("1-1-102", 2)):
        hid = add_household(room, "王芳", months=months)
        ledger.record_message_sent(hid, message_id=f"old-{room}", template="overdue.monthly", sender="王晓芳", at=clock() - timedelta(days=7))
    # promised twice and never came: called first
    add_household("2-1-301", "李强", gender="m", months=2)
    for made, due in ((datetime(2026, 10, 20, 19, 0, tzinfo=CST), date(2026, 10, 25)), (datetime(2026, 11, 1, 19, 0, tzinfo=CST), date(2026, 11, 5))):
        ledger.make_promise("2-1-301", due_date=due, window="evening", collector="张建军", at=made)
    # vacant with a phone: call and send the link (undecided)
    add_household("3-1-501", "赵敏", occupancy="vacant", months=5)
    # vacant, no phone: a notice at the door, not a call
    add_household("3-1-502", "钱进", occupancy="vacant", phones=())
    # a fresh household: the playbook texts first
    add_household("4-1-101", "孙丽")
    return office


def _calls(home: Home, **kwargs: object) -> CallList:
    return build_call_list(home.store, home.settings, home.ledger.now(), **kwargs)  # type: ignore[arg-type]


def test_the_call_list_is_in_calling_order_with_a_script_for_each_type(day_of_calls: Home) -> None:
    found = _calls(day_of_calls, caller=day_of_calls.ledger.staff("王晓芳"))
    assert found.day == date(2026, 11, 27)  # the next Friday afternoon, per the default call windows
    assert (found.window[0].hour, found.window[1].strftime("%H:%M")) == (14, "17:30")
    assert [c.room for c in found.calls] == ["2-1-301", "1-1-102", "1-1-101", "3-1-501"]
    assert [c.type_key for c in found.calls] == ["agrees_no_show", "not_yet_paid", "not_yet_paid", "vacant"]
    keys = [(0 if c.type_key in URGENT_TYPES else 1, GROUP_RANK[c.group], -c.months_owed) for c in found.calls]
    assert keys == sorted(keys)
    first = found.calls[0]
    assert first.greeting == "李先生" and first.script_title.zh == "把时间定下来"
    assert "王晓芳" in first.script[0].zh  # the caller's name fills the "I'm ..." line
    assert found.calls[3].script_title.zh == "给不住小区的业主打电话"
    assert all(c.phones == 1 and c.script for c in found.calls)


def test_a_day_without_call_hours_is_refused_with_the_setting_named(day_of_calls: Home) -> None:
    with pytest.raises(BatchError, match="contact.call_windows"):
        _calls(day_of_calls, day=date(2026, 11, 24))
    assert _calls(day_of_calls, day=date(2026, 11, 28)).day == date(2026, 11, 28)


def test_the_printed_list_shows_numbers_only_for_a_named_caller(day_of_calls: Home) -> None:
    found = _calls(day_of_calls)
    hidden = read_back(render_call_list(found, company="安居物业服务有限公司")).flat_text()
    assert "催费电话清单" in hidden and "2-1-301" in hidden and "李先生" in hidden
    assert "13800001111" not in hidden and "号码不打印" in hidden
    shown = read_back(render_call_list(found, company="安居物业服务有限公司", numbers={c.room: ("13800001111",) for c in found.calls})).flat_text()
    assert "13800001111" in shown
    english = read_back(render_call_list(found, company="Anju", locale="en")).flat_text()
    assert "Collectioncalllist" in english and "Fri27Nov" in english


def test_the_cli_prints_the_list_and_logs_each_number_it_prints(day_of_calls: Home) -> None:
    runner = CliRunner()
    path = str(day_of_calls.path)
    anonymous = runner.invoke(cli, ["remind", "calls", "--date", "2026-11-27", "--json", "--home", path])
    assert anonymous.exit_code == 0, anonymous.output
    assert day_of_calls.store.scalar("SELECT COUNT(*) FROM phone_reveals") == 0
    named = runner.invoke(cli, ["remind", "calls", "--date", "2026-11-27", "--by", "王晓芳", "--json", "--home", path])
    assert named.exit_code == 0, named.output
    data = json.loads(named.output)
    assert [c["room"] for c in data["calls"]] == ["2-1-301", "1-1-102", "1-1-101", "3-1-501"]
    assert "13800001111" not in named.output  # the JSON never carries numbers
    assert data["path"].endswith("calls-2026-11-27.pdf")
    staff = day_of_calls.ledger.staff("王晓芳").staff_id
    assert day_of_calls.store.scalar("SELECT COUNT(*) FROM phone_reveals WHERE staff_id = ?", (staff,)) == 4
    wrong_day = runner.invoke(cli, ["remind", "calls", "--date", "2026-11-24", "--home", path])
    assert wrong_day.exit_code == 1 and "contact.call_windows" in wrong_day.output
    nobody = runner.invoke(cli, ["remind", "calls", "--by", "无此人", "--home", path])
    assert nobody.exit_code == 1 and "no staff member" in nobody.output
