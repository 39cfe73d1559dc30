"""Importing staff lists."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from knock.home import Home
from knock.importing import import_staff

from .conftest import SAMPLE_STAFF, counts, write_csv


def test_sample_staff_imports_cleanly_and_twice_is_a_no_op(home: Home) -> None:
    report = import_staff(home.ledger, SAMPLE_STAFF)
    assert report.errors == [] and report.warnings == [] and report.applied
    assert report.staff_new == report.rows >= 10
    roles = {row["role"] for row in home.store.query("SELECT role FROM staff")}
    assert {"guard", "cleaner", "customer_service", "manager"} <= roles
    assert home.ledger.staff("陈志刚").active is False
    before = counts(home)
    again = import_staff(home.ledger, SAMPLE_STAFF)
    assert again.ok and again.staff_new == 0 and again.staff_existing == report.staff_new
    assert counts(home) == before


def test_bad_staff_rows_are_reported_and_nothing_is_imported(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", [
        "姓名,岗位,班组,电话,在职",
        "张建军,保安,一班,13900010001,是",
        "李国强,厨师,一班,13900010002,是",  # unknown role
        ",保洁,保洁组,,是",  # no name
        "王海涛,保安,二班,13900010003,也许",  # not yes/no
        "张建军,保洁,保洁组,,是",  # same name twice
    ])
    report = import_staff(home.ledger, path)
    got = {(e.row, e.column) for e in report.errors}
    assert got == {(3, "岗位"), (4, "姓名"), (5, "在职"), (6, "姓名")}
    assert any("rows 2 and 6" in e.message for e in report.errors)
    assert str(next(e for e in report.errors if e.row == 3)).startswith(f"{path}:3:岗位: unknown role '厨师'")
    assert counts(home)["staff"] == 0


def test_existing_staff_with_other_details_is_a_warning(home: Home, tmp_path: Path) -> None:
    home.ledger.register_staff("张建军", "guard", team="一班")
    path = write_csv(tmp_path / "staff.csv", ["姓名,岗位,班组", "张建军,保洁,保洁组", "何丽,客服,客服部"])
    report = import_staff(home.ledger, path)
    assert report.applied and (report.staff_new, report.staff_existing) == (1, 1)
    assert len(report.warnings) == 1 and report.warnings[0].row == 2
    assert home.ledger.staff("张建军").role == "guard"


def test_staff_xlsx_with_english_headers(home: Home, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Role", "Team", "Phone", "Active"])
    sheet.append(["Li Lei", "Security", "A", 13900010001, "yes"])
    sheet.append(["Han Meimei", "customer service", "Office", None, "no"])
    sheet.append(["Wang Lin", "Manager", "Office", None, None])
    path = tmp_path / "staff.xlsx"
    workbook.save(path)
    report = import_staff(home.ledger, path)
    assert report.errors == [] and report.staff_new == 3
    assert home.ledger.staff("Li Lei").phone == "13900010001"
    assert home.ledger.staff("Han Meimei").active is False
    assert home.ledger.staff("Wang Lin").role == "manager"
