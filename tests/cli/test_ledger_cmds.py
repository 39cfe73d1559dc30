from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import open_home


def _home(tmp_path: Path) -> Path:
    path = tmp_path / "h"
    home = open_home(path)
    home.ledger.register_household("1-1-101", "陈红", phones=["13900002222"], gender="f")
    home.ledger.register_staff("刘强", "cleaner")
    home.ledger.add_charge("1-1-101", "property_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), 60000)
    home.close()
    return path


def test_pay_reads_yuan_exactly_and_prints_the_receipt(tmp_path: Path) -> None:
    path = _home(tmp_path)
    result = CliRunner().invoke(cli, ["pay", "1-1-101", "1234.50", "--method", "cash", "--collector", "刘强", "--credit", "--home", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["amount_fen"] == 123450 and data["owed_after_fen"] == 0 and data["credit_after_fen"] == 63450
    status = json.loads(CliRunner().invoke(cli, ["status", "--json", "--home", str(path)]).output)
    assert status["overdue_fen"] == 0 and status["rate_by_amount"] == "100.0"


def test_bad_amount_and_unknown_room_are_clear_errors(tmp_path: Path) -> None:
    path = _home(tmp_path)
    bad = CliRunner().invoke(cli, ["pay", "1-1-101", "10.005", "--method", "cash", "--collector", "刘强", "--home", str(path)])
    assert bad.exit_code == 2 and "more than two decimal places" in bad.output
    missing = CliRunner().invoke(cli, ["pay", "9-9-909", "10", "--method", "cash", "--collector", "刘强", "--home", str(path)])
    assert missing.exit_code == 1 and "no household in room 9-9-909" in missing.output
    home = open_home(path)
    assert home.store.scalar("SELECT COUNT(*) FROM payments") == 0


def test_visit_and_promise_are_recorded(tmp_path: Path) -> None:
    path = _home(tmp_path)
    runner = CliRunner()
    visit = runner.invoke(cli, ["visit", "1-1-101", "--outcome", "refused", "--reason", "wall_cracks", "--collector", "刘强", "--home", str(path)])
    assert visit.exit_code == 0, visit.output
    promise = runner.invoke(cli, ["promise", "1-1-101", "--date", "2099-01-02", "--window", "evening", "--amount", "300", "--collector", "刘强", "--home", str(path)])
    assert promise.exit_code == 0, promise.output
    home = open_home(path)
    assert home.store.query_one("SELECT outcome, reason FROM contacts")[:] == ("refused", "wall_cracks")
    assert home.store.query_one("SELECT due_date, window, amount_fen FROM promises")[:] == ("2099-01-02", "evening", 30000)
