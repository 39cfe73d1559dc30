"""How an import reads its rows: each cell once, the same value however it is padded, examples per column."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest

from knock.home import Home
from knock.importing import import_households
from knock.importing.readers import is_blank

from .conftest import ZH_HEADER, counts, write_csv


def test_each_column_shows_the_first_value_the_file_gives_it(home: Home, tmp_path: Path) -> None:
    # 联系电话 and 建筑面积 are blank in the first row: their examples come from the second;
    # 备注 is never filled, so it has none, and the rest keep the first row's values.
    path = write_csv(tmp_path / "examples.csv", [
        ZH_HEADER + ",备注",
        "1,1,101,张伟,,,物业费,2026-03-01,2026-03-31,223.75,",
        "1,1,102,李娜,13800001102 , 90.25 ,物业费,2026-03-01,2026-03-31,300,",
        "1,1,103,王芳,13800001103,95,物业费,2026-04-01,2026-04-30,400,",
    ])
    report = import_households(home.ledger, path, dry_run=True)
    assert report.ok, [str(e) for e in report.errors]
    examples = {c.header: c.example for c in report.columns}
    assert examples["联系电话"] == "'13800001102' -> 13800001102"
    assert examples["建筑面积"] == "'90.25' -> 90.25 m²"
    assert examples["房号"] == "'101' -> 1-1-101"
    assert examples["起始日期"] == "'2026-03-01' -> 2026-03-01"
    assert examples["应收金额"] == "'223.75' -> 223.75 yuan"
    assert examples["备注"] == ""


def test_padded_cells_read_exactly_like_plain_ones(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "padded.csv", [
        ZH_HEADER,
        " 1 , 1 , 101 , 张伟 , 13800001101 / 13800001199 , 89.50 , 物业费 , 2026-03-01 , 2026-03-31 , 223.75 ",
        "1,1,102,李娜,13800001102,89.50,物业费,2026-03-01,2026-03-31,223.75",
    ])
    report = import_households(home.ledger, path)
    assert report.ok and report.applied, [str(e) for e in report.errors]
    first, second = home.ledger.household("1-1-101"), home.ledger.household("1-1-102")
    assert tuple(first.phones) == ("13800001101", "13800001199") and tuple(second.phones) == ("13800001102",)
    assert first.area_centi_m2 == second.area_centi_m2 == 8950
    rows = home.store.query("SELECT period_start, period_end, due_date, amount_fen FROM charges ORDER BY period_start, household_id")
    assert [tuple(r) for r in rows] == [("2026-03-01", "2026-03-31", "2026-03-15", 22375)] * 2


def test_a_short_row_reads_its_missing_cells_as_blank_and_names_them(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "short.csv", [
        ZH_HEADER,
        "1,1,101,张伟,13800001101,89.5,物业费,2026-03-01",  # ends after 起始日期
        "1,1",  # ends after 单元
    ])
    report = import_households(home.ledger, path)
    assert not report.applied
    assert [str(e).split(": ", 1)[0] for e in report.errors] == [f"{path}:2:截止日期", f"{path}:3:房号"]
    assert "period end is missing" in str(report.errors[0]) and "room number is missing" in str(report.errors[1])


def test_blank_rows_of_any_cells() -> None:
    assert is_blank(["", "  ", "\t"]) and is_blank([]) and is_blank([None, " ", None])
    assert not is_blank(["", "x"]) and not is_blank([None, 0]) and not is_blank([None, date(2026, 3, 1)])


@pytest.mark.parametrize("outcome", ["applied", "refused", "failed"])
@pytest.mark.parametrize("collecting", [True, False])
def test_the_cycle_collector_is_as_it_was_after_an_import(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outcome: str, collecting: bool
) -> None:
    # The import pauses Python's cycle collector while it runs (see bulk.paused_cycle_collection)
    # and must hand it back as it found it, whatever happened.
    amount = "-1" if outcome == "refused" else "223.75"
    path = write_csv(tmp_path / "a.csv", [ZH_HEADER, f"1,1,101,张伟,13800001101,89.5,物业费,2026-03-01,2026-03-31,{amount}"])
    seen: list[bool] = []
    if outcome == "failed":
        from knock.core.bulk import LedgerBatch

        def broken(self: LedgerBatch, *args: object, **kwargs: object) -> str:
            seen.append(gc.isenabled())
            raise OSError("disk full")

        monkeypatch.setattr(LedgerBatch, "register_household", broken)
    before = counts(home)
    was = gc.isenabled()
    try:
        if not collecting:
            gc.disable()
        report = import_households(home.ledger, path)
        assert gc.isenabled() is collecting
    finally:
        if was:
            gc.enable()
    assert report.applied is (outcome == "applied")
    if outcome != "applied":
        assert counts(home) == before and report.errors
    if outcome == "failed":
        assert seen == [False]  # paused while the rows were written
        assert "import stopped, nothing was written" in str(report.errors[0])
