"""Fixtures for the import tests: a fresh home, and helpers that write import files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knock.home import Home, open_home

REPO = Path(__file__).resolve().parents[2]
SAMPLE_ARREARS = REPO / "sample_data" / "arrears.csv"
SAMPLE_STAFF = REPO / "sample_data" / "staff.csv"

ZH_HEADER = "楼栋,单元,房号,业主姓名,联系电话,建筑面积,收费项目,起始日期,截止日期,应收金额"


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    """An empty Knock home in a temporary folder."""
    opened = open_home(tmp_path / "home")
    yield opened
    opened.close()


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    """Write CSV lines (header first) to ``path``."""
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def counts(home: Home) -> dict[str, int]:
    """Rows in the tables an import writes to."""
    return {table: int(home.store.scalar(f"SELECT COUNT(*) FROM {table}")) for table in ("events", "households", "charges", "staff")}
