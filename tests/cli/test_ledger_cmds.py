from __future__ import annotations

import functools
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import knock.cli.common
from knock.cli.main import cli
from knock.core.pins import hash_pin, set_pin
from knock.home import open_home

CST = timezone(timedelta(hours=8))


def _pin_clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    """The CLI opens its home with this clock: guardrails depend on the hour, so tests fix it."""
    monkeypatch.setattr(knock.cli.common, "open_home", functools.partial(open_home, clock=lambda: when))


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


def test_visit_and_promise_are_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _home(tmp_path)
    _pin_clock(monkeypatch, datetime(2026, 11, 23, 19, 30, tzinfo=CST))
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
    """Every command under ``group``, through click's public lookup (``knock`` loads its subcommands lazily)."""
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{prefix}{name} is listed but cannot be loaded"
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


def _visit(path: Path, *extra: str, pin: str | None = None) -> object:
    args = ["visit", "1-1-101", "--collector", "刘强", "--home", str(path), *extra]
    if pin is not None:
        return CliRunner().invoke(cli, [*args, "--pin-from-stdin"], input=pin + "\n")
    return CliRunner().invoke(cli, args)


def test_quiet_hours_refuse_a_visit_until_a_manager_gives_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _home(tmp_path)
    home = open_home(path)
    home.ledger.register_staff("周经理", "manager")
    set_pin(home.ledger, "周经理", "2468")
    home.close()
    _pin_clock(monkeypatch, datetime(2026, 11, 23, 22, 15, tzinfo=CST))
    refused = _visit(path, "--outcome", "not_home")
    assert refused.exit_code == 1 and "22:00" in refused.output and "--override-by" in refused.output  # type: ignore[attr-defined]
    no_reason = _visit(path, "--outcome", "paid", "--override-by", "周经理")
    assert no_reason.exit_code == 1 and "--override-reason" in no_reason.output  # type: ignore[attr-defined]
    not_manager = _visit(path, "--outcome", "paid", "--override-by", "刘强", "--override-reason", "业主约的", pin="2468")
    assert not_manager.exit_code == 1 and "not an active manager" in not_manager.output  # type: ignore[attr-defined]
    wrong_pin = _visit(path, "--outcome", "paid", "--override-by", "周经理", "--override-reason", "业主约的", pin="1111")
    assert wrong_pin.exit_code == 1  # type: ignore[attr-defined]
    ok = _visit(path, "--outcome", "paid", "--override-by", "周经理", "--override-reason", "业主约了22:15在家", "--json", pin="2468")
    assert ok.exit_code == 0, ok.output  # type: ignore[attr-defined]
    data = json.loads(ok.output[ok.output.index("{"):])  # type: ignore[attr-defined]
    assert data["overridden"] == ["quiet_hours"] and [w["code"] for w in data["warnings"]][0] == "quiet_override"
    home = open_home(path)
    assert home.store.scalar("SELECT COUNT(*) FROM contacts") == 1
    assert home.store.query_one("SELECT rule, reason FROM guard_overrides")[:] == ("quiet_hours", "业主约了22:15在家")


def test_sunday_evening_and_meal_warnings_are_printed_and_in_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _home(tmp_path)
    _pin_clock(monkeypatch, datetime(2026, 11, 29, 19, 0, tzinfo=CST))  # a Sunday evening
    text = _visit(path, "--outcome", "not_home")
    assert text.exit_code == 0 and "⚠" in text.output and "周日" in text.output  # type: ignore[attr-defined]
    _pin_clock(monkeypatch, datetime(2026, 11, 24, 12, 0, tzinfo=CST))  # Tuesday lunch
    data = json.loads(_visit(path, "--outcome", "not_home", "--json").output)  # type: ignore[attr-defined]
    assert "meal_or_rest" in [w["code"] for w in data["warnings"]] and all(w["text"] for w in data["warnings"])


def test_a_flagged_note_is_saved_and_the_collector_gets_a_gentle_reminder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _home(tmp_path)
    _pin_clock(monkeypatch, datetime(2026, 11, 23, 19, 30, tzinfo=CST))
    result = _visit(path, "--outcome", "refused", "--note", "跟他说不交就把暖气给他停了", "--json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    data = json.loads(result.output)  # type: ignore[attr-defined]
    assert data["reminders"] and "温馨提醒" in data["reminders"][0]
    home = open_home(path)
    assert [f["categories"] for f in home.ledger.text_flags()] == ['["utilities"]']
    clean = _visit(path, "--outcome", "not_home", "--note", "门上留了通知")
    assert "ℹ" not in clean.output  # type: ignore[attr-defined]
