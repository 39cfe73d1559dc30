"""Importing arrears lists into a ledger: the rules, called directly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from knock.core import bulk
from knock.core.bulk import LedgerBatch
from knock.core.journal import Journal
from knock.home import Home
from knock.importing import import_households

from .conftest import SAMPLE_ARREARS, ZH_HEADER, counts, write_csv


def test_sample_arrears_imports_cleanly(home: Home) -> None:
    report = import_households(home.ledger, SAMPLE_ARREARS)
    assert report.errors == [] and report.warnings == []
    assert report.applied
    assert report.rows >= 40
    assert report.charges_settled == 2 and report.penalties_new >= 3
    assert report.charges_new == report.rows - report.charges_settled + report.penalties_new
    assert counts(home)["charges"] == report.charges_new
    assert counts(home)["households"] == report.households_new > 10
    household = home.ledger.household("1-1-302")
    assert household.owner_name == "王芳"
    assert household.phones == ("13800001302", "13900001302")
    assert household.area_centi_m2 == 11230


def test_reimport_is_a_no_op(home: Home) -> None:
    first = import_households(home.ledger, SAMPLE_ARREARS)
    before = counts(home)
    again = import_households(home.ledger, SAMPLE_ARREARS)
    assert again.ok and again.applied
    assert again.charges_new == 0 and again.households_new == 0
    assert again.charges_present == first.charges_new
    assert again.households_existing == first.households_new
    assert counts(home) == before


def test_next_months_list_adds_only_the_new_month(home: Home, tmp_path: Path) -> None:
    march = write_csv(tmp_path / "march.csv", [
        ZH_HEADER,
        "1,1,101,张伟,13800001101,89.5,物业费,2026-02-01,2026-02-28,223.75",
        "1,1,101,张伟,13800001101,89.5,物业费,2026-03-01,2026-03-31,223.75",
    ])
    april = write_csv(tmp_path / "april.csv", [
        ZH_HEADER,
        "1,1,101,张伟,13800001101,89.5,物业费,2026-02-01,2026-02-28,223.75",
        "1,1,101,张伟,13800001101,89.5,物业费,2026-03-01,2026-03-31,223.75",
        "1,1,101,张伟,13800001101,89.5,物业费,2026-04-01,2026-04-30,223.75",
        "1,1,102,钱多多,13800001102,60,物业费,2026-04-01,2026-04-30,150",
    ])
    assert import_households(home.ledger, march).charges_new == 2
    report = import_households(home.ledger, april)
    assert report.ok
    assert (report.charges_new, report.charges_present) == (2, 2)
    assert (report.households_new, report.households_existing) == (1, 1)
    assert counts(home)["charges"] == 4


def test_bad_rows_are_each_reported_and_nothing_is_imported(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [
        ZH_HEADER,
        "1,1,101,张伟,13800001101,89.5,物业费,2026-03-01,2026-03-31,223.75",  # row 2: fine
        "1,1,,无房号,13800001102,89.5,物业费,2026-03-01,2026-03-31,100",  # row 3: missing room
        "1,1,103,李四,13800001103,89.5,物业费,2026-13-01,2026-03-31,100",  # row 4: bad date
        "1,1,104,王五,13800001104,89.5,物业费,2026-03-01,2026-03-31,100.005",  # row 5: three decimals
        "1,1,105,赵六,13800001105,89.5,物业费,2026-03-01,2026-03-31,-50",  # row 6: negative
        "1,1,101,张伟,13800001101,89.5,物业服务费,2026-03-01,2026-03-31,223.75",  # row 7: duplicate of row 2
        ",1,107,孙七,13800001107,89.5,物业费,2026-03-01,2026-03-31,100",  # row 8: missing building
        "1,1,108,周八,13800001108,89.5,物业费,2026-03-31,2026-03-01,100",  # row 9: end before start
        "1,1,109,吴九,13800001109,89.5,物业费,2026-03-01,2026-03-31,0",  # row 10: nothing owed: settled, not an error
    ])
    before = counts(home)
    report = import_households(home.ledger, path)
    assert not report.applied
    text = [str(e) for e in report.errors]
    name = str(path)
    expected = [
        (f"{name}:3:房号:", "room number is missing"),
        (f"{name}:4:起始日期:", "no such date"),
        (f"{name}:5:应收金额:", "more than two decimal places"),
        (f"{name}:6:应收金额:", "negative"),
        (f"{name}:7:收费项目:", "rows 2 and 7"),
        (f"{name}:8:楼栋:", "building is missing"),
        (f"{name}:9:截止日期:", "before it starts"),
    ]
    for prefix, why in expected:
        assert any(t.startswith(prefix) and why in t for t in text), (prefix, why, text)
    assert len(text) == len(expected)
    assert counts(home) == before


def test_same_charge_with_a_different_amount_is_an_error(home: Home, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", [ZH_HEADER, "1,1,101,张伟,,89.5,物业费,2026-03-01,2026-03-31,223.75"])
    second = write_csv(tmp_path / "b.csv", [ZH_HEADER, "1,1,101,张伟,,89.5,物业费,2026-03-01,2026-03-31,200.00"])
    assert import_households(home.ledger, first).applied
    before = counts(home)
    report = import_households(home.ledger, second)
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith(f"{second}:2:应收金额:")
    assert "223.75" in report.errors[0].message and "200.00" in report.errors[0].message
    assert counts(home) == before


def test_owner_name_that_differs_is_a_warning_and_the_ledger_wins(home: Home, tmp_path: Path) -> None:
    home.ledger.register_household("1-1-101", "张伟")
    path = write_csv(tmp_path / "a.csv", [ZH_HEADER, "1,1,101,张玮,,89.5,物业费,2026-03-01,2026-03-31,223.75"])
    report = import_households(home.ledger, path)
    assert report.applied
    assert len(report.warnings) == 1 and "张伟" in report.warnings[0].message
    assert report.households_existing == 1 and report.charges_new == 1
    assert home.ledger.household("1-1-101").owner_name == "张伟"


def test_gb18030_csv_imports(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [ZH_HEADER, "3栋,2单元,501室,欧阳娜娜,13800003501,89.50,停车费,2026/3/1,2026年3月31日,150"], encoding="gb18030")
    report = import_households(home.ledger, path)
    assert report.ok and report.encoding == "gb18030"
    household = home.ledger.household("3-2-501")
    assert household.owner_name == "欧阳娜娜"
    row = home.store.query_one("SELECT item, period_start, period_end, amount_fen FROM charges")
    assert tuple(row) == ("parking", "2026-03-01", "2026-03-31", 15000)


def test_undecodable_bytes_are_an_unknown_encoding(home: Home, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(ZH_HEADER.encode() + b"\n1,1,101,\xff\xfe\xff,,,fee,2026-03-01,2026-03-31,1\n")
    report = import_households(home.ledger, path)
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith(f"{path}:2:")
    assert "unknown encoding" in report.errors[0].message
    assert counts(home)["charges"] == 0


def test_damaged_utf8_is_not_read_as_gb18030(home: Home, tmp_path: Path) -> None:
    path = tmp_path / "damaged.csv"
    data = (ZH_HEADER + "\n1,1,101,张伟,,,物业费").encode()[:-1] + b",2026-03-01,2026-03-31,1\n"
    data.decode("gb18030")  # GB18030 would read this without complaint, as nonsense
    path.write_bytes(data)
    report = import_households(home.ledger, path)
    assert len(report.errors) == 1 and "damaged UTF-8" in report.errors[0].message
    assert report.errors[0].row == 2


def test_xlsx_with_english_headers_title_and_total_rows(home: Home, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Sunny Garden arrears, March 2026"])
    sheet.append(["Building", "Unit", "Room No.", "Owner Name", "Phone", "Area (m²)", "Fee Item", "Period Start", "Period End", "Due Date", "Amount (yuan)", "Occupancy", "Notes"])
    from datetime import datetime

    sheet.append([3, 2, 501, "Zhou Ting", 13800003501, 89.5, "Property fee", datetime(2026, 3, 1), datetime(2026, 3, 31), None, 223.75, "vacant", "away until May"])
    sheet.append([3, 2, 501, "Zhou Ting", "13800003501", 89.5, "Parking", "2026-03-01", "2026/3/31", "2026-03-20", 150, "vacant", ""])
    sheet.append([1, 1, 101, "Zhang Wei", None, None, "Lift fund", datetime(2026, 1, 1), datetime(2026, 12, 31), datetime(2026, 1, 31), 1200.5, None, None])
    sheet.append([])
    sheet.append(["Total", None, None, None, None, None, None, None, None, None, 1574.25])
    path = tmp_path / "arrears_en.xlsx"
    workbook.save(path)

    report = import_households(home.ledger, path)
    assert report.errors == []
    assert report.rows == 3 and report.rows_skipped == 2
    assert (report.households_new, report.charges_new) == (2, 3)
    household = home.ledger.household("3-2-501")
    assert (household.owner_name, household.occupancy, household.area_centi_m2, household.phones) == ("Zhou Ting", "vacant", 8950, ("13800003501",))
    rows = {r["item"]: r for r in home.store.query("SELECT * FROM charges")}
    assert rows["property_fee"]["amount_fen"] == 22375
    assert rows["property_fee"]["due_date"] == "2026-03-15"  # default: settings.fees.due_day_of_month
    assert rows["parking"]["due_date"] == "2026-03-20"
    assert rows["Lift fund"]["amount_fen"] == 120050  # unknown items are kept as written


def test_dry_run_writes_nothing(home: Home) -> None:
    before = counts(home)
    report = import_households(home.ledger, SAMPLE_ARREARS, dry_run=True)
    assert report.ok and report.dry_run and not report.applied
    assert report.charges_new == report.rows - report.charges_settled + report.penalties_new
    assert counts(home) == before


def test_failure_halfway_through_writing_leaves_the_ledger_unchanged(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    # The import writes through the ledger's bulk path (LedgerBatch), so that is where the disk fails.
    before = counts(home)
    real = LedgerBatch.add_charge
    calls = {"n": 0}

    def failing(self: LedgerBatch, *args: object, **kwargs: object) -> str:
        calls["n"] += 1
        if calls["n"] == 20:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LedgerBatch, "add_charge", failing)
    report = import_households(home.ledger, SAMPLE_ARREARS)
    assert not report.applied
    assert len(report.errors) == 1 and "disk I/O error" in report.errors[0].message
    assert "nothing was written" in report.errors[0].message
    assert calls["n"] == 20
    assert counts(home) == before
    # and the ledger still works afterwards
    monkeypatch.setattr(LedgerBatch, "add_charge", real)
    assert import_households(home.ledger, SAMPLE_ARREARS).applied


def test_failure_while_the_events_are_written_leaves_the_ledger_unchanged(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    # The batch hands its events to append_many in chunks; a chunk that fails to write undoes the earlier ones too.
    before = counts(home)
    real = Journal.append_many
    calls = {"n": 0}

    def failing(self: Journal, items: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, items)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "CHUNK", 7)
    monkeypatch.setattr(Journal, "append_many", failing)
    report = import_households(home.ledger, SAMPLE_ARREARS)
    assert not report.applied and calls["n"] == 2
    assert len(report.errors) == 1 and "disk is full" in report.errors[0].message and "nothing was written" in report.errors[0].message
    assert counts(home) == before


def test_room_code_in_one_column_and_household_only_rows(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "roster.csv", ["房号,业主,手机", "3-2-501,周婷,13800003501；13900003501", "5栋1单元302室,郑秀英,"])
    report = import_households(home.ledger, path)
    assert report.ok and report.households_new == 2 and report.charges_new == 0
    assert home.ledger.household("3-2-501").phones == ("13800003501", "13900003501")
    assert home.ledger.household("5-1-302").owner_name == "郑秀英"


def test_missing_columns_are_named(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "short.csv", ["楼栋,单元,房号,业主姓名,收费项目,应收金额", "1,1,101,张伟,物业费,100"])
    report = import_households(home.ledger, path)
    columns = {(e.row, e.column) for e in report.errors}
    assert columns == {(1, "所属期间")}
    assert "起始日期 and 截止日期" in report.errors[0].message


def test_unsupported_file_type_and_missing_file(home: Home, tmp_path: Path) -> None:
    odd = tmp_path / "arrears.xls"
    odd.write_bytes(b"\xd0\xcf\x11\xe0")
    report = import_households(home.ledger, odd)
    assert "unsupported file type '.xls'" in report.errors[0].message
    report = import_households(home.ledger, tmp_path / "nope.csv")
    assert report.errors[0].message == "no such file"


def test_new_owner_without_name_is_an_error(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [ZH_HEADER, "1,1,101,,,89.5,物业费,2026-03-01,2026-03-31,10"])
    report = import_households(home.ledger, path)
    assert [(e.row, e.column) for e in report.errors] == [(2, "业主姓名")]


@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"])
def test_line_endings_and_a_line_break_inside_a_cell_keep_the_row_numbers(home: Home, tmp_path: Path, ending: str) -> None:
    # The file is streamed line by line; a quoted note with a line break in it still starts its row where it begins.
    lines = ["房号,业主,手机,备注", '3-2-501,周婷,13800003501,"楼下邻居\n代收快递"', "3-2-502,郑秀英,电话见备注,"]
    path = tmp_path / "roster.csv"
    path.write_bytes(ending.join(lines).encode("utf-8") + ending.encode())
    report = import_households(home.ledger, path)
    assert [(e.row, e.column) for e in report.errors] == [(4, "手机")]
    assert not report.applied
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(ending.join(lines[:2]).encode("utf-8") + ending.encode())
    assert import_households(home.ledger, fixed).applied
    assert home.ledger.household("3-2-501").notes == "楼下邻居\n代收快递"
