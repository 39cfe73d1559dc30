"""A device key or its public half (``HOME/device.pub``) edited by hand: every command ends in a clear
message naming the file, never a traceback, and nothing is written under a forged identity."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.signing import load_or_create_device_key, public_key_b64
from knock.home import open_home


def _home(tmp_path: Path) -> Path:
    path = tmp_path / "h"
    home = open_home(path)
    home.ledger.register_household("1-1-101", "陈红", phones=["13900002222"], gender="f")
    home.ledger.register_staff("刘强", "cleaner")
    home.ledger.add_charge("1-1-101", "property_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), 60000)
    home.close()
    return path


def _events(path: Path) -> int:
    with sqlite3.connect(path / "knock.db") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM event_log").fetchone()[0])


def _forge_public_half(path: Path, tmp_path: Path) -> None:
    """device.pub keeps the key file's stamp but names another key (what a forger would write)."""
    cache = path / "device.pub"
    stamp = cache.read_text().split()[0]
    cache.write_text(f"{stamp} {public_key_b64(load_or_create_device_key(tmp_path / 'other.key'))}\n")


def _assert_clear(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def test_a_forged_device_pub_stops_pay_and_export_with_a_clear_message(tmp_path: Path) -> None:
    path = _home(tmp_path)
    open_home(path).close()  # device.pub written
    before = _events(path)
    _forge_public_half(path, tmp_path)
    runner = CliRunner()
    paid = runner.invoke(cli, ["pay", "1-1-101", "100", "--method", "cash", "--collector", "刘强", "--home", str(path)])
    _assert_clear(paid, "device.key", "no longer matches")
    exported = runner.invoke(cli, ["sync", "export", "--to", str(tmp_path / "usb"), "--home", str(path)])
    _assert_clear(exported, "device.key")
    assert _events(path) == before


def test_a_damaged_device_key_is_a_clear_message_for_every_command(tmp_path: Path) -> None:
    path = _home(tmp_path)
    (path / "device.pub").unlink(missing_ok=True)
    (path / "device.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n")
    runner = CliRunner()
    for args in (["status"], ["check"], ["pay", "1-1-101", "100", "--method", "cash", "--collector", "刘强"]):
        _assert_clear(runner.invoke(cli, [*args, "--home", str(path)]), "device.key")


def test_knock_check_reads_the_key_and_reports_a_forged_public_half(tmp_path: Path) -> None:
    path = _home(tmp_path)
    open_home(path).close()
    _forge_public_half(path, tmp_path)
    checked = CliRunner().invoke(cli, ["check", "--home", str(path)])
    _assert_clear(checked, "no longer matches")
