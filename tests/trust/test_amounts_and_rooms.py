"""One amount parser and one room-code rule, through import, the CLI and the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.rooms import RoomError, parse_room
from knock.home import Home, open_home
from knock.importing.households import import_households

HEADER = "楼栋,单元,房号,业主姓名,联系电话,建筑面积,收费项目,起始日期,截止日期,应收金额"


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    opened = open_home(tmp_path / "home")
    yield opened
    opened.close()


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        ("1,50", "'1,50'"),
        ("1e3", "'1e3'"),
        ("1_0", "'1_0'"),
        ("NaN", "'NaN'"),
        ("Infinity", "'Infinity'"),
        ("1e999999", "'1e999999'"),
        ("1e17", "'1e17'"),
        ("99999999999999999999.99", "'99999999999999999999.99'"),
        ("12.345", "'12.345'"),
    ],
)
def test_import_refuses_each_nasty_amount_with_file_row_column(home: Home, tmp_path: Path, amount: str, why: str) -> None:
    path = _csv(tmp_path / "a.csv", ["1,1,101,张伟,,89.5,物业费,2026-03-01,2026-03-31,100", f"1,1,102,李四,,89.5,物业费,2026-03-01,2026-03-31,\"{amount}\""])
    report = import_households(home.ledger, path)
    assert not report.applied
    errors = [str(e) for e in report.errors]
    assert len(errors) == 1 and errors[0].startswith(f"{path}:3:应收金额:") and why in errors[0], errors
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 0


@pytest.mark.parametrize("room", ["10\x001", "10|1", "10²", "1\x07", "١٠١", "101室|"])
def test_import_refuses_rooms_that_could_never_be_typed_with_the_row_named(home: Home, tmp_path: Path, room: str) -> None:
    path = _csv(tmp_path / "r.csv", [f"1,1,{room},张伟,,89.5,物业费,2026-03-01,2026-03-31,100"])
    report = import_households(home.ledger, path)
    assert not report.applied
    errors = [str(e) for e in report.errors]
    assert errors and all(e.startswith(f"{path}:2:") for e in errors), errors


def test_full_width_rooms_and_letter_suffixes_import_and_can_be_paid_from_the_cli(home: Home, tmp_path: Path) -> None:
    path = _csv(tmp_path / "ok.csv", ["３,２,５０１,张伟,,89.5,物业费,2026-03-01,2026-03-31,100", "12,1,101a,李四,,89.5,物业费,2026-03-01,2026-03-31,100"])
    assert import_households(home.ledger, path).applied
    rooms = [r["room"] for r in home.store.query("SELECT room FROM households ORDER BY room")]
    assert rooms == ["12-1-101A", "3-2-501"]
    home.ledger.register_staff("张三", "guard")
    runner = CliRunner()
    for typed in ("３－２－５０１", "12-1-101a"):
        result = runner.invoke(cli, ["pay", typed, "100", "--method", "cash", "--collector", "张三", "--home", str(home.path)])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text", ["3-2-5²", "3-2-50\x001", "3|2|501", "3-2-501\n", "1-1-١٠١", "3-2-ABC", "3-2-"])
def test_the_room_rule_refuses_what_is_not_digits_and_a_letter(text: str) -> None:
    with pytest.raises(RoomError):
        parse_room(text)


@pytest.mark.parametrize("amount", ["-5", "-0.01", "-1,000"])
def test_negative_amount_on_the_command_line_says_so(home: Home, amount: str) -> None:
    result = CliRunner().invoke(cli, ["pay", "1-1-101", amount, "--method", "cash", "--collector", "x", "--home", str(home.path)])
    assert result.exit_code == 2
    assert "amount is negative" in result.output and "No such option" not in result.output


@pytest.mark.parametrize("amount", ["1,50", "1e3", "1_0", "nan", "1e999999", "99999999999999999999.99"])
def test_nasty_amounts_on_the_command_line_are_one_line_naming_the_value(home: Home, amount: str) -> None:
    result = CliRunner().invoke(cli, ["pay", "1-1-101", amount, "--method", "cash", "--collector", "x", "--home", str(home.path)])
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    assert repr(amount) in result.output and "Traceback" not in result.output


def _amount_commands() -> list[tuple[list[str], click.Command]]:
    from knock.cli.common import YuanType

    found: list[tuple[list[str], click.Command]] = []

    def walk(group: click.Group, path: list[str]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):  # click's public lookup: knock loads its subcommands lazily
            command = group.get_command(ctx, name)
            assert command is not None, [*path, name]
            if isinstance(command, click.Group):
                walk(command, [*path, name])
            elif any(isinstance(p.type, YuanType) for p in command.params):
                found.append(([*path, name], command))

    walk(cli, [])
    return found


def test_every_command_taking_an_amount_says_negative_for_a_negative_amount(home: Home) -> None:
    commands = _amount_commands()
    assert {" ".join(path) for path, _ in commands} >= {"pay", "promise"}
    for path, command in commands:
        result = CliRunner().invoke(cli, [*path, "-5", "--home", str(home.path)])
        assert "amount is negative" in result.output and "No such option" not in result.output, (path, result.output)
