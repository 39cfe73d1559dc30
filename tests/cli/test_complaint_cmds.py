from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import Home, open_home


def _owing_household_with_wang_and_he(path: Path) -> Home:
    """Room 2-1-301 owing one month, the guard 王刚 and the customer-service clerk 何丽."""
    from datetime import date

    home = open_home(path)
    home.ledger.register_household("2-1-301", "周强")
    home.ledger.add_charge("2-1-301", "property_fee", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 15), 20000)
    home.ledger.register_staff("何丽", "customer_service")  # first: the planner's own choice for the room
    home.ledger.register_staff("王刚", "guard")
    return home


def test_office_lists_and_closes_complaints(tmp_path: Path) -> None:
    path = tmp_path / "h"
    home = open_home(path)
    home.ledger.register_household("2-1-301", "周强")
    staff_id = home.ledger.register_staff("何丽", "customer_service")
    complaint_id = home.ledger.open_complaint("2-1-301", category="repair", text="卫生间漏水", author=staff_id)
    home.close()
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli, ["complaints", "list", "--json", "--home", str(path)]).output)
    assert [(c["room"], c["text"], c["opened_by"]) for c in listed] == [("2-1-301", "卫生间漏水", "何丽")]
    closed = runner.invoke(cli, ["complaints", "close", complaint_id, "--resolution", "已换密封圈", "--by", "何丽", "--home", str(path)])
    assert closed.exit_code == 0, closed.output
    assert json.loads(runner.invoke(cli, ["complaints", "list", "--json", "--home", str(path)]).output) == []
    again = runner.invoke(cli, ["complaints", "close", complaint_id, "--resolution", "x", "--by", "何丽", "--home", str(path)])
    assert again.exit_code == 1 and "already closed" in again.output
    everything = json.loads(runner.invoke(cli, ["complaints", "list", "--all", "--json", "--home", str(path)]).output)
    assert everything[0]["status"] == "closed" and everything[0]["resolution"] == "已换密封圈"


def test_a_complaint_about_a_staff_member_keeps_them_away(tmp_path: Path) -> None:
    path = tmp_path / "h"
    _owing_household_with_wang_and_he(path).close()
    runner = CliRunner()
    before = json.loads(runner.invoke(cli, ["assign", "--dry-run", "--json", "--home", str(path)]).output)
    opened = runner.invoke(cli, ["complaints", "open", "2-1-301", "--category", "staff", "--text", "态度不好", "--staff-involved", "何丽", "--by", "王刚", "--home", str(path)])
    assert opened.exit_code == 0, opened.output
    plan = json.loads(runner.invoke(cli, ["assign", "--json", "--home", str(path)]).output)
    home = open_home(path)
    chosen_before = [c["name"] for c in before["collectors"] if c["households"]]
    assert chosen_before == ["何丽"]  # the planner's own choice ...
    assert home.store.scalar("SELECT s.name FROM assignments a JOIN staff s USING (staff_id)") == "王刚"  # ... until she is named
    assert plan["assignments"]


def test_a_complaint_text_with_forbidden_content_is_flagged_for_the_manager(tmp_path: Path) -> None:
    path = tmp_path / "h"
    home = open_home(path)
    home.ledger.register_household("2-1-301", "周强")
    home.ledger.register_staff("何丽", "customer_service")
    home.close()
    runner = CliRunner()
    opened = runner.invoke(
        cli, ["complaints", "open", "2-1-301", "--category", "staff", "--text", "保安说不交就把他家门禁卡停了", "--by", "何丽", "--json", "--home", str(path)]
    )
    assert opened.exit_code == 0, opened.output
    assert json.loads(opened.output)["reminders"]
    home = open_home(path)
    [flag] = home.ledger.text_flags()
    assert flag["source"] == "complaint" and "lockout" in flag["categories"] and flag["room"] == "2-1-301"


def test_the_staff_member_a_complaint_is_about_cannot_close_it(tmp_path: Path) -> None:
    """Found in 13v's pass: the guard a complaint was about closed it himself (a staff complaint holds the
    escalation ladder and keeps him away from the household)."""
    path = tmp_path / "h"
    home = _owing_household_with_wang_and_he(path)
    complaint = home.ledger.open_complaint("2-1-301", category="staff", text="态度不好", author="何丽", staff_involved="王刚")
    home.close()
    runner = CliRunner()
    own = runner.invoke(cli, ["complaints", "close", complaint, "--resolution", "已道歉", "--by", "王刚", "--home", str(path)])
    assert own.exit_code == 1 and "someone else must close it" in own.output and "Traceback" not in own.output
    other = runner.invoke(cli, ["complaints", "close", complaint, "--resolution", "已道歉", "--by", "何丽", "--home", str(path)])
    assert other.exit_code == 0, other.output
    home = open_home(path)
    assert home.store.scalar("SELECT status FROM complaints") == "closed"
    home.close()
