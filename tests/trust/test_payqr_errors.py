"""Every payment-QR problem is one clear line naming the setting or the room, never a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import open_home


def _home(tmp_path: Path, settings: str) -> Path:
    path = tmp_path / "h"
    path.mkdir()
    (path / "settings.toml").write_text(settings, encoding="utf-8")
    home = open_home(path)
    home.ledger.register_household("1-1-101", "陈红")
    home.ledger.register_household("1-1-102", "李四")
    home.ledger.add_charge("1-1-101", "property_fee", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 15), 22375)
    home.close()
    return path


@pytest.mark.parametrize(
    ("settings", "room", "why"),
    [
        ('[payqr]\nscheme = "epc"\ncurrency_numeric = "978"\nepc_beneficiary = "Anju"\n', "1-1-101", "payqr.epc_iban is empty"),
        ('[payqr]\nscheme = "epc"\nepc_iban = "BE72000000001616"\nepc_beneficiary = "Anju"\n', "1-1-101", "euro transfers only"),
        ('[payqr]\nscheme = "emvco"\nmerchant_account_tag = "99"\n', "1-1-101", "payqr.merchant_account_tag"),
        ("", "1-1-102", "owes nothing"),
        ('[payqr]\nscheme = "url"\nurl_template = "https://pay.example.cn/?a={amount}"\n', "1-1-101", "unknown field(s) amount"),
    ],
)
def test_payqr_problem_is_one_line(tmp_path: Path, settings: str, room: str, why: str) -> None:
    path = _home(tmp_path, settings)
    result = CliRunner().invoke(cli, ["payqr", room, "--home", str(path)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ") and why in result.output and result.output.count("\n") == 1, result.output
    assert "amount=0.00" not in result.output
    assert not list((path / "output").glob("*.png")) if (path / "output").exists() else True


def test_a_notice_for_a_household_owing_nothing_is_refused(tmp_path: Path) -> None:
    path = _home(tmp_path, "")
    result = CliRunner().invoke(cli, ["notice", "1-1-102", "--home", str(path)])
    assert result.exit_code == 1 and "owes nothing" in result.output


def test_output_folder_and_files_are_owner_only(tmp_path: Path) -> None:
    path = _home(tmp_path, "")
    target = path / "output"
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    result = CliRunner().invoke(cli, ["payqr", "1-1-101", "--home", str(path)])
    assert result.exit_code == 0, result.output
    (png,) = target.glob("payqr-*.png")
    assert target.stat().st_mode & 0o777 == 0o700
    assert png.stat().st_mode & 0o777 == 0o600
