"""Arrears lists shaped like real billing-system exports: money columns, periods, mappings, codes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.exporting.payments import collect_payments, render
from knock.home import Home, open_home
from knock.importing import import_households, import_staff
from knock.importing.periods import parse_period
from knock.settings import Billing, Settings

from .conftest import REPO, SAMPLE_ARREARS, write_csv

SAMPLE_MONTHLY = REPO / "sample_data" / "arrears_monthly.csv"
SAMPLE_PERIODS = REPO / "sample_data" / "arrears_periods.csv"


def _fen(text: str) -> int:
    return int(Decimal(text) * 100)


def _file_rows(path: Path, encoding: str, header_row: int) -> list[dict[str, str]]:
    """The data rows of a sample, read with the csv module (not Knock), without the 合计 line."""
    lines = path.read_bytes().decode(encoding).splitlines()[header_row - 1 :]
    return [row for row in csv.DictReader(io.StringIO("\n".join(lines))) if not row[next(iter(row))].startswith("合计")]


def _fee_totals(home: Home) -> int:
    return int(home.store.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM charges WHERE item != 'penalty'"))


def _penalty_totals(home: Home) -> int:
    return int(home.store.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM charges WHERE item = 'penalty'"))


@pytest.fixture
def ignoring_home(tmp_path: Path) -> Iterator[Home]:
    """A home whose settings report penalty columns instead of importing them."""
    opened = open_home(tmp_path / "ignoring", settings=Settings(billing=Billing(penalty_column="ignore")))
    yield opened
    opened.close()


# -- the three samples ------------------------------------------------------------------------


def test_sample_export_money_matches_the_file(home: Home) -> None:
    report = import_households(home.ledger, SAMPLE_ARREARS)
    assert report.ok and report.applied and report.warnings == []
    rows = _file_rows(SAMPLE_ARREARS, "utf-8-sig", 3)
    assert _fee_totals(home) == sum(_fen(r["欠费金额"]) for r in rows)
    assert _penalty_totals(home) == sum(_fen(r["滞纳金"]) for r in rows if r["滞纳金"])
    assert report.charges_settled == sum(1 for r in rows if _fen(r["欠费金额"]) == 0)
    # The billing system's own code is kept beside Knock's canonical room.
    household = home.ledger.household("1-1-302")
    assert household.billing_code == "AJHY-01-01-0302"
    assert household.occupancy == "occupied"
    # The fee item keeps the billing system's name for the export back.
    names = {r[0] for r in home.store.query("SELECT billing_item FROM charges")}
    assert {"物业服务费", "停车费", "公摊水电", "滞纳金"} <= names


def test_monthly_sample_one_row_per_month(home: Home) -> None:
    report = import_households(home.ledger, SAMPLE_MONTHLY)
    assert report.ok and report.applied and report.encoding == "gb18030"
    rows = _file_rows(SAMPLE_MONTHLY, "gb18030", 1)
    owed = [r for r in rows if _fen(r["欠费金额"]) > 0]
    assert report.charges_new == len(owed) and report.charges_settled == len(rows) - len(owed)
    assert _fee_totals(home) == sum(_fen(r["欠费金额"]) for r in rows)
    # A part-paid month owes what is left of it, not its bill.
    march = home.store.query_one(
        "SELECT c.amount_fen FROM charges c JOIN households h USING (household_id) WHERE h.room = '3-2-1601' AND c.period_start = '2026-01-01'"
    )
    assert march is not None and march[0] == 33600 - 15000
    household = home.ledger.household("3-1-802")
    assert household.billing_code == "3幢1单元0802室"
    assert household.occupancy == "unknown"  # the file says nothing about occupancy
    assert home.ledger.household("3幢1单元0802室").household_id == household.household_id


def test_periods_sample_one_row_per_period(home: Home) -> None:
    report = import_households(home.ledger, SAMPLE_PERIODS)
    assert report.ok and report.applied, [str(e) for e in report.errors]
    rows = _file_rows(SAMPLE_PERIODS, "utf-8-sig", 2)
    assert report.rows == len(rows) and report.rows_skipped == 1  # the 合计 line
    assert _fee_totals(home) == sum(_fen(r["欠费金额"]) for r in rows)
    assert _penalty_totals(home) == sum(_fen(r["违约金"]) for r in rows if r["违约金"])
    spans = {
        (r["period_start"], r["period_end"])
        for r in home.store.query("SELECT period_start, period_end FROM charges WHERE item != 'penalty'")
    }
    assert ("2025-07-01", "2025-12-31") in spans and ("2025-11-01", "2026-02-28") in spans and ("2026-03-01", "2026-03-31") in spans
    # Tower codes keep their meaning (floor 12, flat 03) and their written form.
    tower = home.ledger.household("A-1-1203")
    assert (tower.billing_code, tower.floor, tower.occupancy) == ("A座-12-03", 12, "unknown")
    assert home.ledger.household("1-2-301").billing_code == "01-02-0301"


def test_samples_reimport_change_nothing(home: Home) -> None:
    for sample in (SAMPLE_ARREARS, SAMPLE_MONTHLY, SAMPLE_PERIODS):
        assert import_households(home.ledger, sample).applied
    events = home.store.scalar("SELECT COUNT(*) FROM events")
    for sample in (SAMPLE_ARREARS, SAMPLE_MONTHLY, SAMPLE_PERIODS):
        again = import_households(home.ledger, sample)
        assert again.ok and again.charges_new == 0 and again.households_new == 0 and again.billing_codes_recorded == 0
    assert home.store.scalar("SELECT COUNT(*) FROM events") == events


# -- billed, paid, reduction, outstanding ------------------------------------------------------

MONEY_HEADER = "房号,业主,收费项目,所属期间,应收金额,实收金额,减免金额,欠费金额"


def test_the_three_figures_must_agree(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "disagree.csv", [
        MONEY_HEADER,
        "1-1-101,张伟,物业费,2026-03,300.00,100.00,20.00,180.00",  # row 2 agrees
        "1-1-102,李娜,物业费,2026-03,300.00,100.00,,250.00",  # row 3 does not
    ])
    before = home.store.scalar("SELECT COUNT(*) FROM events")
    report = import_households(home.ledger, path)
    assert not report.applied and len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column) == (3, "欠费金额")
    for figure in ("300.00", "100.00", "250.00", "row 3"):
        assert figure in error.message
    assert home.store.scalar("SELECT COUNT(*) FROM events") == before


def test_outstanding_is_derived_when_the_column_is_absent(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "derived.csv", [
        "房号,业主,收费项目,所属期间,应收,实收,减免",
        "1-1-101,张伟,物业费,2026-03,300.00,100.00,20.00",
        "1-1-102,李娜,物业费,2026-03,300.00,300.00,0",
        "1-1-103,王芳,物业费,2026-03,300.00,350.00,0",
    ])
    report = import_households(home.ledger, path)
    assert report.ok and report.applied
    assert report.charges_new == 1 and report.charges_settled == 2
    assert _fee_totals(home) == 18000
    assert any("credit of 50.00 is not imported" in w.message and w.row == 4 for w in report.warnings)


def test_penalty_is_its_own_charge_never_added_to_the_fee(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penalty.csv", [
        "房号,业主,收费项目,所属期间,欠费金额,滞纳金",
        "1-1-101,张伟,物业费,2026-01至2026-03,600.00,13.50",
        "1-1-101,张伟,停车费,2026-01至2026-03,450.00,4.50",
        "1-1-102,李娜,物业费,2026-03,200.00,0",
    ])
    report = import_households(home.ledger, path)
    assert report.ok and report.penalties_new == 1
    charges = {
        (r["item"], r["billing_item"]): r["amount_fen"]
        for r in home.store.query("SELECT item, billing_item, amount_fen FROM charges JOIN households USING (household_id) WHERE room = '1-1-101'")
    }
    assert charges == {("property_fee", "物业费"): 60000, ("parking", "停车费"): 45000, ("penalty", "滞纳金"): 1800}  # one penalty per room and period
    assert home.store.scalar("SELECT COUNT(*) FROM charges WHERE item = 'penalty'") == 1  # a 0 penalty is none


def test_penalty_reported_and_ignored_per_setting(ignoring_home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penalty.csv", [
        "房号,业主,收费项目,所属期间,欠费金额,违约金",
        "1-1-101,张伟,物业费,2026-01至2026-03,600.00,13.50",
    ])
    report = import_households(ignoring_home.ledger, path)
    assert report.ok and report.applied
    assert report.penalty_ignored_fen == 1350 and report.penalties_new == 0
    assert [(w.row, w.column) for w in report.warnings] == [(2, "违约金")]
    assert _penalty_totals(ignoring_home) == 0 and _fee_totals(ignoring_home) == 60000


# -- one period column ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("2026-01至2026-06", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026年1月-6月", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026.01-2026.06", date(2026, 1, 1), date(2026, 6, 30)),
        ("202601-202606", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2026年3月", date(2026, 3, 1), date(2026, 3, 31)),
        ("2026/01~2026/06", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026年1月至2026年6月", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-01-01至2026-06-30", date(2026, 1, 1), date(2026, 6, 30)),
        ("2025年11月-2月", date(2025, 11, 1), date(2026, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_single_period_column_in_each_written_form(home: Home, tmp_path: Path, written: str, start: date, end: date) -> None:
    assert parse_period(written) == (start, end)
    path = write_csv(tmp_path / "period.csv", ["房号,业主,收费项目,账期,欠费", f"1-1-101,张伟,物业费,{written},100"])
    report = import_households(home.ledger, path)
    assert report.ok and report.applied
    row = home.store.query_one("SELECT period_start, period_end FROM charges")
    assert row is not None and (row[0], row[1]) == (start.isoformat(), end.isoformat())


@pytest.mark.parametrize("bad", ["2026-13", "2026-06至2026-01", "三月", "2026-02-30", "2026-01至"])
def test_bad_periods_are_named(home: Home, tmp_path: Path, bad: str) -> None:
    path = write_csv(tmp_path / "period.csv", ["房号,业主,收费项目,计费期间,欠费", f"1-1-101,张伟,物业费,{bad},100"])
    report = import_households(home.ledger, path)
    assert not report.applied
    assert [(e.row, e.column) for e in report.errors] == [(2, "计费期间")]


# -- mapping and the dry run's column report ----------------------------------------------------


def _invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_map_names_an_unknown_column_and_dry_run_shows_each_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", [
        "户号,户主,项目,月份,本期欠缴额,内部编号",
        "1-1-101,张伟,物业费,2026-03,223.75,X1",
    ])
    home = str(tmp_path / "home")
    refused = _invoke("import", "households", str(path), "--home", home)
    assert refused.exit_code == 1  # 户号 and 户主 are unknown: no room, no owner
    result = _invoke(
        "import", "households", str(path), "--home", home, "--dry-run",
        "--map", "户号=room,户主=owner,项目=item,月份=period", "--map", "本期欠缴额=欠费金额，内部编号=ignore",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "户号 -> room" in out and "[--map]" in out
    assert "月份 -> period" in out and "'2026-03' -> 2026-03-01..2026-03-31" in out
    assert "本期欠缴额 -> outstanding" in out and "'223.75' -> 223.75 yuan" in out
    assert "内部编号: not read [ignored (--map)]" in out
    assert "dry run: nothing was written" in out


def test_map_as_the_office_writes_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", ["房号,业主,收费项目,所属期间,欠费(元)", "1-1-101,张伟,物业费,2026-03,223.75"])
    home = tmp_path / "home"
    result = _invoke("import", "households", str(path), "--home", str(home), "--map", "欠费=amount")
    assert result.exit_code == 0, result.output
    opened = open_home(home)
    try:
        assert _fee_totals(opened) == 22375
    finally:
        opened.close()


def test_mapping_from_settings(tmp_path: Path) -> None:
    home_dir = tmp_path / "home"
    home_dir.mkdir()
    (home_dir / "settings.toml").write_text('[billing.columns]\n"本期欠缴额" = "outstanding"\n', encoding="utf-8")
    path = write_csv(tmp_path / "odd.csv", ["房号,业主,收费项目,所属期间,本期欠缴额", "1-1-101,张伟,物业费,2026-03,223.75"])
    home = open_home(home_dir)
    try:
        report = import_households(home.ledger, path)
        assert report.ok and report.applied
        assert [c.origin for c in report.columns if c.header == "本期欠缴额"] == ["settings"]
        assert _fee_totals(home) == 22375
    finally:
        home.close()


@pytest.mark.parametrize("mapping", ["欠费=nonsense", "欠费", "=outstanding", "欠费="])
def test_bad_map_is_a_clear_usage_error(tmp_path: Path, mapping: str) -> None:
    path = write_csv(tmp_path / "a.csv", ["房号,业主", "1-1-101,张伟"])
    result = CliRunner().invoke(cli, ["import", "households", str(path), "--home", str(tmp_path / "h"), "--map", mapping])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "--map" in result.output


def test_bad_mapping_in_settings_names_the_field(tmp_path: Path) -> None:
    home_dir = tmp_path / "home"
    home_dir.mkdir()
    (home_dir / "settings.toml").write_text('[billing.columns]\n"欠费" = "wrong"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["status", "--home", str(home_dir)])
    assert result.exit_code == 1
    assert "billing.columns" in result.output and "wrong" in result.output and "Traceback" not in result.output


# -- households ------------------------------------------------------------------------------------


def test_occupancy_not_in_the_file_is_unknown(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ["房号,业主,入住状态", "1-1-101,张伟,", "1-1-102,李娜,空置"])
    assert import_households(home.ledger, path).applied
    assert home.ledger.household("1-1-101").occupancy == "unknown"
    assert home.ledger.household("1-1-102").occupancy == "vacant"


def test_one_room_written_two_ways_is_an_error(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ["房号,业主", "3栋2单元501,周婷", "3-2-501,周婷"])
    report = import_households(home.ledger, path)
    assert not report.applied
    assert [(e.row, e.column) for e in report.errors] == [(3, "房号")]
    assert "'3栋2单元501'" in report.errors[0].message and "'3-2-501'" in report.errors[0].message


def test_a_registered_household_learns_its_billing_code_once(home: Home, tmp_path: Path) -> None:
    home.ledger.register_household("1-1-101", "张伟")
    first = write_csv(tmp_path / "a.csv", ["房号,业主", "1栋1单元101室,张伟"])
    report = import_households(home.ledger, first)
    assert report.applied and report.billing_codes_recorded == 1
    assert home.ledger.household("1-1-101").billing_code == "1栋1单元101室"
    other = write_csv(tmp_path / "b.csv", ["房号,业主", "1-1-101,张伟"])
    again = import_households(home.ledger, other)
    assert again.applied and again.billing_codes_recorded == 0
    assert any("the ledger's is kept" in w.message for w in again.warnings)
    assert home.ledger.household("1-1-101").billing_code == "1栋1单元101室"


@pytest.mark.parametrize(
    "line",
    [
        "1-1-101,张伟,物业费,2026-03,99999999999999999999999,0,99999999999999999999999",
        "1-1-101,张伟,物业费,2026-03\x00,300,0,300",
        "1-1-101,张伟,物业费,9999999-01,300,0,300",
        "1-1-101,张伟,物业费,2026-03,1e400,0,1e400",
        "1-1-101,张伟,物业费,2026-03,NaN,0,NaN",
        "1-1-101,张伟,物业费,2026-03,300,-5,305",
    ],
)
def test_nasty_cells_are_named_never_a_traceback(tmp_path: Path, line: str) -> None:
    path = write_csv(tmp_path / "nasty.csv", ["房号,业主,收费项目,所属期间,应收,实收,欠费", line])
    home = tmp_path / "home"
    result = CliRunner().invoke(cli, ["import", "households", str(path), "--home", str(home)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and f"{path}:2:" in result.output
    opened = open_home(home)
    try:
        assert opened.store.scalar("SELECT COUNT(*) FROM charges") == 0
    finally:
        opened.close()


def test_the_office_can_name_a_household_by_its_billing_code(home: Home) -> None:
    assert import_households(home.ledger, SAMPLE_ARREARS).applied
    assert home.ledger.household("AJHY-01-01-0302").room == "1-1-302"
    assert import_staff(home.ledger, REPO / "sample_data" / "staff.csv").applied
    paid = home.ledger.record_payment("AJHY-01-01-0302", 10000, method="cash", collector="张建军")
    assert home.store.scalar("SELECT h.room FROM payments p JOIN households h USING (household_id) WHERE receipt_no = ?", (paid.receipt_no,)) == "1-1-302"


def test_xlsx_export_with_a_title_and_typed_cells(home: Home, tmp_path: Path) -> None:
    """Excel turns 2026-03 into a date and 202601 into a number; money arrives as floats."""
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["锦江花园欠费明细"])
    sheet.merge_cells("A1:H1")
    sheet.append(["房号", "业主", "收费项目", "账期", "应收", "实收", "减免", "欠费"])
    sheet.append(["A座-12-03", "周建华", "物业服务费", datetime(2026, 3, 1), 298.5, 0.0, 0.0, 298.5])
    sheet.append(["A座-12-03", "周建华", "物业服务费", 202602, 298.5, 100.1, 0.0, 198.4])
    sheet.append(["01-02-0301", "陈国平", "物业服务费", "2026年1月-3月", 672, 0, 72, 600])
    sheet.append(["合计", None, None, None, 1269.0, 100.1, 72, 1096.9])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = import_households(home.ledger, path)
    assert report.ok and report.applied, [str(e) for e in report.errors]
    rows = {
        (r[0], r[1], r[2]): r[3]
        for r in home.store.query("SELECT h.room, c.period_start, c.period_end, c.amount_fen FROM charges c JOIN households h USING (household_id)")
    }
    assert rows == {
        ("A-1-1203", "2026-03-01", "2026-03-31"): 29850,
        ("A-1-1203", "2026-02-01", "2026-02-28"): 19840,
        ("1-2-301", "2026-01-01", "2026-03-31"): 60000,
    }


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("房号,业主,收费项目,起始日期,欠费", {"截止日期"}),
        ("房号,业主,收费项目,欠费", {"所属期间"}),
        ("房号,业主,所属期间,欠费", {"收费项目"}),
        ("房号,业主,收费项目,所属期间,实收", {"欠费金额"}),
    ],
)
def test_a_charge_column_missing_is_named(home: Home, tmp_path: Path, header: str, missing: set[str]) -> None:
    path = write_csv(tmp_path / "short.csv", [header, ",".join(["1-1-101", "张伟", "x", "y", "z"][: header.count(",") + 1])])
    report = import_households(home.ledger, path)
    assert not report.applied
    assert {e.column for e in report.errors} == missing and {e.row for e in report.errors} == {1}


def test_a_billing_code_that_is_the_room_code_is_not_recorded_again(home: Home, tmp_path: Path) -> None:
    # A registered household learns the billing system's spelling only when it says something:
    # "1-1-101" from three plain cells is Knock's own code, which the export writes anyway.
    for room in ("1-1-101", "1-1-102"):
        home.ledger.register_household(room, "张伟")
    before = home.store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'household.updated'")
    plain = write_csv(tmp_path / "a.csv", ["楼栋,单元,房号,业主", "1,1,101,张伟", "01,01,0102,张伟"])
    report = import_households(home.ledger, plain)
    assert report.applied and report.billing_codes_recorded == 1
    assert home.store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'household.updated'") == before + 1
    assert (home.ledger.household("1-1-101").billing_code, home.ledger.household("1-1-102").billing_code) == ("", "01-01-0102")
    # The export still writes each room as the billing system does.
    assert import_staff(home.ledger, REPO / "sample_data" / "staff.csv").applied
    for room in ("1-1-101", "1-1-102"):
        home.ledger.add_charge(room, "property_fee", date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 15), 10000)
        home.ledger.record_payment(room, 10000, method="cash", collector="张建军")
    data = render(collect_payments(home.ledger), home.settings.billing, "csv").decode("utf-8-sig")
    assert {line.split(",")[0] for line in data.splitlines()[1:]} == {"1-1-101", "01-01-0102"}
    # A later list that writes the room its own way is then recorded, not warned about.
    coded = write_csv(tmp_path / "b.csv", ["房屋编码,房号,业主", "AJHY-01-01-0101,1-1-101,张伟"])
    later = import_households(home.ledger, coded)
    assert later.applied and later.billing_codes_recorded == 1 and later.warnings == []
    assert home.ledger.household("1-1-101").billing_code == "AJHY-01-01-0101"
