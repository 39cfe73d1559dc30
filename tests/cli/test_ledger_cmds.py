from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.pins import hash_pin
from knock.home import open_home


def _home(tmp_path: Path) -> Path:
    path = tmp_path / "h"
    home = open_home(path)
    home.ledger.register_household("1-1-101", "陈红", phones=["13900002222"], gender="f")
    home.ledger.register_staff("刘强", "cleaner")
    home.ledger.register_staff("赵经理", "manager", pin_hash=hash_pin("9999"))
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


def test_pay_prints_labels_and_void_reports_json(tmp_path: Path) -> None:
    path = _home(tmp_path)
    runner = CliRunner()
    paid = runner.invoke(cli, ["pay", "1-1-101", "100", "--method", "wechat", "--collector", "刘强", "--home", str(path)])
    assert paid.exit_code == 0, paid.output
    assert "物业服务费" in paid.output and "微信支付" in paid.output
    assert "property_fee" not in paid.output and "wechat" not in paid.output
    receipt_no = paid.output.split()[1].rstrip(":")
    voided = runner.invoke(
        cli, ["void", receipt_no, "--reason", "收错了", "--by", "赵经理", "--pin-from-stdin", "--json", "--home", str(path)], input="9999\n"
    )
    assert voided.exit_code == 0, voided.output
    assert json.loads(voided.output) == {"receipt_no": receipt_no, "voided": True, "reason": "收错了", "by": open_home(path).ledger.staff("赵经理").staff_id}


INTERACTIVE = {"field", "demo", "serve"}
"""Commands that open the field app or run the office server rather than report."""


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
        else:
            found.append((f"{prefix}{name}", command))
    return found


def test_every_command_that_reports_takes_json() -> None:
    missing = [name for name, command in _commands(cli) if name not in INTERACTIVE and "--json" not in {o for p in command.params for o in p.opts}]
    assert not missing, f"commands without --json: {missing}"


def test_demo_honours_knock_home(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import knock.sample.community as community

    real = community.build_sample
    monkeypatch.setattr(community, "build_sample", lambda ledger, seed: real(ledger, seed=seed, households=60, arrears=20, staff=4))
    monkeypatch.setenv("KNOCK_HOME", str(tmp_path / "chosen"))
    result = CliRunner().invoke(cli, ["demo", "--prepare-only"])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "chosen") in result.output
    home = open_home(tmp_path / "chosen")
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 60
    registered = home.store.scalar("SELECT name FROM devices WHERE device_id = ?", (home.ledger.device.device_id,))
    assert registered == "demo-laptop"
