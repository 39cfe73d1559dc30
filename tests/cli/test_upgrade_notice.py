"""The first command after an update that has to upgrade a large ledger says so before it starts
(a 100k-household ledger takes minutes; in silence an office worker would think it hung and stop it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import knock.cli.common as common
from knock.cli.main import cli
from knock.core.schema import MIGRATIONS


def _ledger(path: Path, version: int) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


def test_an_old_large_ledger_gets_a_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "UPGRADE_NOTICE_BYTES", 0)
    notice = common.upgrade_notice(_ledger(tmp_path / "old.db", 8))
    assert notice is not None and "old.db" in notice and "升级" in notice and "upgrading" in notice
    assert common.upgrade_notice(_ledger(tmp_path / "current.db", len(MIGRATIONS))) is None
    assert common.upgrade_notice(_ledger(tmp_path / "new.db", 0)) is None  # a new ledger is made in a blink
    assert common.upgrade_notice(tmp_path / "absent.db") is None
    (tmp_path / "junk.db").write_bytes(b"not sqlite" * 100)
    assert common.upgrade_notice(tmp_path / "junk.db") is None  # the open that follows says what is wrong


def test_a_small_ledger_is_not_announced(tmp_path: Path) -> None:
    assert common.upgrade_notice(_ledger(tmp_path / "old.db", 8)) is None


def test_the_notice_comes_before_the_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "UPGRADE_NOTICE_BYTES", 0)
    home = tmp_path / "h"
    home.mkdir()
    _ledger(home / "knock.db", 8)
    monkeypatch.setattr(common, "open_home", lambda *a, **k: (_ for _ in ()).throw(common.click.ClickException("stopped here")))
    result = CliRunner().invoke(cli, ["status", "--home", str(home)])
    assert "upgrading" in result.output and "stopped here" in result.output
