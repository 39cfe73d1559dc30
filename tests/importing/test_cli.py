"""``knock import`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import open_home

from .conftest import SAMPLE_ARREARS, SAMPLE_STAFF, ZH_HEADER, write_csv


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _tables(home_dir: Path) -> tuple[int, int, int]:
    home = open_home(home_dir)
    try:
        return tuple(int(home.store.scalar(f"SELECT COUNT(*) FROM {t}")) for t in ("households", "charges", "staff"))  # type: ignore[return-value]
    finally:
        home.close()


def test_samples_import_then_reimport(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    result = _run("import", "households", str(SAMPLE_ARREARS), "--home", home)
    assert result.exit_code == 0, result.output
    assert "imported" in result.stdout and "0 already present" in result.stdout
    result = _run("import", "staff", str(SAMPLE_STAFF), "--home", home)
    assert result.exit_code == 0 and "12 new" in result.stdout
    before = _tables(tmp_path / "home")
    result = _run("import", "households", str(SAMPLE_ARREARS), "--home", home, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["charges_new"] == 0 and report["charges_present"] == before[1]
    assert _tables(tmp_path / "home") == before


def test_bad_file_prints_file_row_column_and_exits_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [
        ZH_HEADER,
        "1,1,101,张伟,,89.5,物业费,2026-03-01,2026-03-31,223.75",
        "1,1,102,李四,,89.5,物业费,2026-03-01,2026-03-31,12.345",
        "1,1,103,王五,,89.5,物业费,2026-03-01,三月底,100",
    ])
    result = _run("import", "households", str(path), "--home", str(tmp_path / "home"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{path}:3:应收金额: amount has more than two decimal places")
    assert lines[1].startswith(f"{path}:4:截止日期: not a date")
    assert "2 error(s): nothing was imported" in result.stdout
    assert _tables(tmp_path / "home") == (0, 0, 0)


def test_bad_staff_role_exits_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", ["姓名,岗位", "张三,保安", "李四,司机"])
    result = _run("import", "staff", str(path), "--home", str(tmp_path / "home"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:3:岗位: unknown role '司机'")
    assert _tables(tmp_path / "home") == (0, 0, 0)


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = _run("import", "households", str(SAMPLE_ARREARS), "--dry-run", "--home", str(tmp_path / "home"))
    assert result.exit_code == 0
    assert "dry run: nothing was written" in result.stdout
    assert _tables(tmp_path / "home") == (0, 0, 0)


def test_unknown_encoding_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "weird.csv"
    path.write_bytes(b"\xff\xff\xff,\x80\x80\n")
    result = _run("import", "households", str(path), "--home", str(tmp_path / "home"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:1:-: unknown encoding")
