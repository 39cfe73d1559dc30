"""A payload dictionary missing from the installation, or changed after it shipped: every command
that opens a ledger says which file and what to do, never a traceback (SQLite would otherwise
report only "user-defined function raised exception" from inside the events view)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core import payload_codec
from knock.core.ledger_sql import main as ledger_sql
from knock.home import open_home


@pytest.fixture
def home_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "h"
    home = open_home(path)
    home.ledger.register_household("1-1-101", "陈红", phones=["13900002222"], gender="f")
    home.ledger.register_staff("刘强", "cleaner")
    home.ledger.add_charge("1-1-101", "property_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), 60000)
    home.ledger.record_payment("1-1-101", 100, method="cash", collector="刘强")
    home.close()
    yield path
    payload_codec.dictionary.cache_clear()
    payload_codec._compressor.cache_clear()
    payload_codec.installed_dictionaries.cache_clear()


def _break(monkeypatch: pytest.MonkeyPatch, how: str) -> str:
    kind, name, sha = payload_codec.DICTIONARIES[8]
    if how == "missing":
        name = "08-payment.recorded-gone.jsonl"
    else:
        sha = "0" * 64
    monkeypatch.setitem(payload_codec.DICTIONARIES, 8, (kind, name, sha))
    payload_codec.dictionary.cache_clear()
    payload_codec._compressor.cache_clear()
    payload_codec.installed_dictionaries.cache_clear()
    return name


@pytest.mark.parametrize("how", ["missing", "changed"])
def test_every_command_names_the_dictionary_file(home_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, how: str) -> None:  # type: ignore[no-untyped-def]
    name = _break(monkeypatch, how)
    runner = CliRunner()
    for args in (["check", "--full"], ["status"], ["pay", "1-1-101", "100", "--method", "cash", "--collector", "刘强", "--again"]):
        result = runner.invoke(cli, [*args, "--home", str(home_path)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert name in result.output and "reinstall" in result.output, result.output
    assert ledger_sql([str(home_path / "knock.db"), "SELECT payload FROM events"]) == 2
    assert name in capsys.readouterr().err
