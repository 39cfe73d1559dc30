"""``knock export payments``: payments handed back to the billing system, checked against the ledger."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from knock.cli.main import cli
from knock.core.accounts import account
from knock.exporting.payments import collect_payments, export_payments, render
from knock.home import Home, open_home
from knock.importing import import_households, import_staff
from knock.importing.periods import parse_period
from knock.settings import Billing, ExportColumn, Settings

REPO = Path(__file__).resolve().parents[2]
SAMPLE_ARREARS = REPO / "sample_data" / "arrears.csv"
SAMPLE_STAFF = REPO / "sample_data" / "staff.csv"
CST = timezone(timedelta(hours=8))
DAY1, DAY2, DAY3 = date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 3)


class Clock:
    """A device clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, 0, tzinfo=CST)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)
        return self.now


def _open(path: Path, clock: Clock, billing: Billing | None = None) -> Home:
    home = open_home(path, clock=clock, settings=Settings(billing=billing) if billing else None)
    assert import_staff(home.ledger, SAMPLE_STAFF).applied
    assert import_households(home.ledger, SAMPLE_ARREARS).applied
    return home


def _take_payments(home: Home, clock: Clock) -> dict[str, str]:
    """Three days at the door: payments across several charges, one overpayment, one void."""
    ledger = home.ledger
    receipts = {}
    receipts["101"] = ledger.record_payment("1-1-101", 10000, method="cash", collector="张建军", at=clock.at(DAY1, 19, 5), payer="王小明").receipt_no
    receipts["302"] = ledger.record_payment("1-1-302", 50000, method="wechat", collector="张建军", at=clock.at(DAY1, 19, 40)).receipt_no
    receipts["703"] = ledger.record_payment("2-1-703", 80000, method="alipay", collector="李国强", at=clock.at(DAY2, 20, 0)).receipt_no
    clock.at(DAY2, 21, 0)
    ledger.void_payment(receipts["101"], "wrong household", author="张建军")
    receipts["1102"] = ledger.record_payment("3-1-1102", 200000, method="bank_transfer", collector="李国强", at=clock.at(DAY3, 10, 0), overpay_confirmed=True).receipt_no
    receipts["501"] = ledger.record_payment("3-2-501", 22375, method="cash", collector="张建军", at=clock.at(DAY3, 19, 30)).receipt_no
    return receipts


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(tmp_path: Path, clock: Clock) -> Iterator[Home]:
    home = _open(tmp_path / "office", clock)
    _take_payments(home, clock)
    yield home
    home.close()


def _ledger_money(home: Home, start: date | None, end: date | None) -> int:
    """The ledger's money for a range, straight from SQL: payments taken, less receipts voided."""
    lo, hi = (start or date.min).isoformat(), (end or date.max).isoformat()
    taken = home.store.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM payments WHERE substr(paid_at, 1, 10) BETWEEN ? AND ?", (lo, hi))
    voided = home.store.scalar(
        "SELECT COALESCE(SUM(p.amount_fen), 0) FROM payment_voids v JOIN payments p USING (payment_id) WHERE substr(v.voided_at, 1, 10) BETWEEN ? AND ?",
        (lo, hi),
    )
    return int(taken) - int(voided)


def _csv_rows(data: bytes, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(encoding))))


def _signed_fen(row: dict[str, str]) -> int:
    fen = int(Decimal(row["实收金额"]) * 100)
    return -abs(fen) if row["类型"] == "作废" else fen


@pytest.mark.parametrize("voids", ["negative", "marked"])
@pytest.mark.parametrize("span", [(DAY1, DAY1), (DAY2, DAY2), (DAY3, DAY3), (DAY1, DAY2), (DAY1, DAY3), (None, None), (DAY3, None)])
def test_export_totals_equal_the_ledger_money_in_sql(tmp_path: Path, clock: Clock, voids: str, span: tuple[date | None, date | None]) -> None:
    home = _open(tmp_path / "home", clock, Billing(export_voids=voids))  # type: ignore[arg-type]
    try:
        _take_payments(home, clock)
        export = collect_payments(home.ledger, date_from=span[0], date_to=span[1])
        rows = _csv_rows(render(export, home.settings.billing, "csv"))
        assert sum(_signed_fen(r) for r in rows) == export.total_fen == _ledger_money(home, *span)
        assert sum(export.by_method().values()) == export.total_fen
        if voids == "negative":
            assert all(Decimal(r["实收金额"]) < 0 for r in rows if r["类型"] == "作废")
        else:
            assert all(Decimal(r["实收金额"]) > 0 for r in rows)
    finally:
        home.close()


def _receipt_of(home: Home, room: str) -> str:
    return str(home.store.scalar("SELECT p.receipt_no FROM payments p JOIN households h USING (household_id) WHERE h.room = ? ORDER BY p.paid_at LIMIT 1", (room,)))


def test_lines_carry_what_the_billing_system_needs(office: Home) -> None:
    rows = _csv_rows(render(collect_payments(office.ledger), office.settings.billing, "csv"))
    assert list(rows[0]) == ["房号", "交款人", "收费项目", "所属期间", "实收金额", "减免金额", "滞纳金", "收款时间", "支付方式", "收据号", "收款人", "类型", "备注"]
    paid_302 = [r for r in rows if r["房号"] == "AJHY-01-01-0302"]
    # 500.00 settles February's fee, then March's parking, then part of March's fee: a line each, with its period.
    assert [(r["收费项目"], r["所属期间"], r["实收金额"]) for r in paid_302] == [
        ("物业服务费", "2026-02", "280.75"),
        ("停车费", "2026-03", "150.00"),
        ("物业服务费", "2026-03", "69.25"),
    ]
    # 交款人: the payer recorded at the door, else the owner.
    assert {r["交款人"] for r in rows if r["收据号"] == _receipt_of(office, "1-1-101")} == {"王小明"}
    assert len({r["交款人"] for r in paid_302}) == 1 and "王小明" not in {r["交款人"] for r in paid_302}
    assert {r["支付方式"] for r in paid_302} == {"微信支付"} and {r["收款时间"] for r in paid_302} == {"2026-04-01 19:40:00"}
    # A penalty line is money in the penalty column too; money beyond every charge is a credit line without a period.
    penalty = [r for r in rows if r["收费项目"] == "滞纳金"]
    assert penalty and all(r["滞纳金"] == r["实收金额"] for r in penalty)
    credit = [r for r in rows if r["房号"] == "AJHY-03-01-1102" and r["所属期间"] == ""]
    assert len(credit) == 1 and Decimal(credit[0]["实收金额"]) > 0
    # A void names the receipt it voids and why; every receipt number is one the ledger issued.
    void = [r for r in rows if r["类型"] == "作废"]
    assert void and {r["备注"] for r in void} == {"wrong household"} and {r["收款时间"] for r in void} == {"2026-04-02 21:00:00"}
    issued = {r[0] for r in office.store.query("SELECT receipt_no FROM payments")}
    assert {r["收据号"] for r in rows} == issued
    assert {r["收据号"] for r in void} <= {r["收据号"] for r in rows if r["类型"] == "收款"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_same_range_twice_gives_the_same_file(office: Home, tmp_path: Path, fmt: str) -> None:
    first = tmp_path / f"a.{fmt}"
    second = tmp_path / f"b.{fmt}"
    export_payments(office.ledger, first, fmt=fmt, date_from=DAY1, date_to=DAY3)  # type: ignore[arg-type]
    export_payments(office.ledger, second, fmt=fmt, date_from=DAY1, date_to=DAY3)  # type: ignore[arg-type]
    assert first.read_bytes() == second.read_bytes()
    assert office.store.scalar("SELECT COUNT(*) FROM payment_exports") == 2


def test_xlsx_holds_exact_money_and_text_codes(office: Home, tmp_path: Path) -> None:
    path = tmp_path / "payments.xlsx"
    export = export_payments(office.ledger, path, fmt="xlsx")
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    amount = header.index("实收金额")
    assert len(body) == len(export.lines)
    assert sum(Decimal(str(r[amount])) for r in body) * 100 == export.total_fen == _ledger_money(office, None, None)
    assert all(isinstance(r[header.index("房号")], str) for r in body)


def test_template_comes_from_settings(tmp_path: Path, clock: Clock) -> None:
    template = [ExportColumn(header="收据编号", field="receipt_no"), ExportColumn(header="房屋", field="room"), ExportColumn(header="金额", field="amount")]
    home = _open(tmp_path / "home", clock, Billing(export_columns=template, export_encoding="gb18030"))
    try:
        _take_payments(home, clock)
        data = render(collect_payments(home.ledger), home.settings.billing, "csv")
        lines = data.decode("gb18030").splitlines()
        assert lines[0] == "收据编号,房屋,金额"
        assert all(line.count(",") == 2 for line in lines)
    finally:
        home.close()


def test_since_last_hands_each_payment_back_exactly_once(office: Home, tmp_path: Path, clock: Clock) -> None:
    first = export_payments(office.ledger, tmp_path / "1.csv", fmt="csv", since_last=True)
    assert first.total_fen == _ledger_money(office, None, None)
    # A laptop syncs late: a payment dated DAY1 arrives after the export; a receipt already handed back is voided.
    late = office.ledger.record_payment("6-1-201", 26350, method="cash", collector="张建军", at=datetime(2026, 4, 1, 20, 0, tzinfo=CST))
    clock.at(DAY3 + timedelta(days=1), 9)
    receipts = {r[0]: r[1] for r in office.store.query("SELECT receipt_no, amount_fen FROM payments WHERE receipt_no != ?", (late.receipt_no,))}
    voided = sorted(receipts)[-1]
    office.ledger.void_payment(voided, "entered twice", author="张建军")
    second = export_payments(office.ledger, tmp_path / "2.csv", fmt="csv", since_last=True)
    rows = _csv_rows((tmp_path / "2.csv").read_bytes())
    assert {(r["收据号"], r["类型"]) for r in rows} == {(late.receipt_no, "收款"), (voided, "作废")}
    assert second.total_fen == 26350 - receipts[voided]
    third = export_payments(office.ledger, tmp_path / "3.csv", fmt="csv", since_last=True)
    assert third.lines == () and office.store.scalar("SELECT COUNT(*) FROM payment_exports") == 2
    # Everything handed back, in the two exports together, is the ledger's money, once.
    assert first.total_fen + second.total_fen == _ledger_money(office, None, None)


def test_a_failed_write_records_no_export(office: Home, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["export", "payments", "--home", str(office.path), "-o", str(blocker / "p.csv")])
    assert result.exit_code == 1 and "cannot write the export" in result.output and "Traceback" not in result.output
    assert office.store.scalar("SELECT COUNT(*) FROM payment_exports") == 0


def test_cli_export(office: Home, tmp_path: Path) -> None:
    home = str(office.path)
    out = tmp_path / "day.xlsx"
    result = CliRunner().invoke(cli, ["export", "payments", "--home", home, "--from", "2026-04-01", "--to", "2026-04-02", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert '"format": "xlsx"' in result.output and out.exists()
    assert f'"total_fen": {_ledger_money(office, DAY1, DAY2)}' in result.output
    default = CliRunner().invoke(cli, ["export", "payments", "--home", home, "--to", "2026-04-03"])
    assert default.exit_code == 0 and (office.path / "output" / "payments-start_2026-04-03.csv").exists()
    since = CliRunner().invoke(cli, ["export", "payments", "--home", home, "--since-last"])
    assert since.exit_code == 0 and len(list((office.path / "output").glob("payments-since-last-*.csv"))) == 1
    for bad in (["--since-last", "--from", "2026-04-01"], ["-o", str(tmp_path / "p.txt")], ["--format", "xlsx", "-o", str(tmp_path / "p.csv")], ["--from", "2026-04-02", "--to", "2026-04-01"], ["--from", "yesterday"]):
        refused = CliRunner().invoke(cli, ["export", "payments", "--home", home, *bad])
        assert refused.exit_code in (1, 2) and "Traceback" not in refused.output and "Error" in refused.output, bad


# -- the round trip --------------------------------------------------------------------------------


def _billing_system_applies(arrears: Path, export_csv: bytes, out: Path) -> dict[str, int]:
    """What the billing system does with the export: write each line off against its own bill.

    Matches lines by the billing system's own room code, fee item name and
    period; returns the prepayments (credit lines) per room code. Writes the
    arrears list it would export next.
    """
    lines = arrears.read_text(encoding="utf-8-sig").splitlines()
    titles, body = lines[:2], lines[2:]
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    data = [r for r in rows if r["房屋编码"] != "合计"]
    by_bill = {(r["房屋编码"], r["收费项目"], r["计费开始日期"], r["计费结束日期"]): r for r in data}
    prepaid: dict[str, int] = defaultdict(int)

    def yuan(text: str) -> Decimal:
        return Decimal(text or "0")

    for line in _csv_rows(export_csv):
        money = Decimal(line["实收金额"])
        if not line["所属期间"]:
            prepaid[line["房号"]] += int(money * 100)
            continue
        start, end = parse_period(line["所属期间"])
        if line["收费项目"] == "滞纳金":
            bill = next(r for r in data if r["房屋编码"] == line["房号"] and (r["计费开始日期"], r["计费结束日期"]) == (start.isoformat(), end.isoformat()) and r["滞纳金"])
            bill["滞纳金"] = f"{yuan(bill['滞纳金']) - money:.2f}"
            continue
        bill = by_bill[(line["房号"], line["收费项目"], start.isoformat(), end.isoformat())]
        bill["实收金额"] = f"{yuan(bill['实收金额']) + money:.2f}"
        bill["欠费金额"] = f"{yuan(bill['欠费金额']) - money:.2f}"
        assert yuan(bill["欠费金额"]) >= 0, "the export paid a bill more than it owed"
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write("\n".join(titles) + "\n")
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(data)
    return dict(prepaid)


def test_export_then_reimport_into_a_fresh_ledger_loses_and_doubles_nothing(office: Home, tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "payments.csv"
    export = export_payments(office.ledger, path, fmt="csv")
    assert export.total_fen == _ledger_money(office, None, None)
    prepaid = _billing_system_applies(SAMPLE_ARREARS, path.read_bytes(), tmp_path / "next_arrears.csv")

    fresh = open_home(tmp_path / "fresh", clock=clock)
    try:
        report = import_households(fresh.ledger, tmp_path / "next_arrears.csv")
        assert report.ok and report.applied, [str(e) for e in report.errors]
        today = clock.now.date()
        rooms = [r[0] for r in office.store.query("SELECT room FROM households ORDER BY room")]
        assert rooms == [r[0] for r in fresh.store.query("SELECT room FROM households ORDER BY room")]
        for room in rooms:
            before = account(office.store, office.ledger.household(room).household_id, today, office.settings)
            after = account(fresh.store, fresh.ledger.household(room).household_id, today, fresh.settings)
            assert after.owed_fen == before.owed_fen, room
            code = office.ledger.household(room).billing_code
            assert prepaid.get(code, 0) == before.credit_fen, room
            assert fresh.ledger.household(room).billing_code == code
    finally:
        fresh.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_hostile_name_stays_text(tmp_path: Path, clock: Clock, fmt: str) -> None:
    home = open_home(tmp_path / "home", clock=clock)
    try:
        assert import_staff(home.ledger, SAMPLE_STAFF).applied
        home.ledger.register_household("9-1-101", "=HYPERLINK(\"http://x\")\x07")
        home.ledger.add_charge("9-1-101", "property_fee", date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 15), 10000)
        home.ledger.record_payment("9-1-101", 10000, method="cash", collector="张建军", at=clock.at(DAY1, 19))
        path = tmp_path / f"p.{fmt}"
        export_payments(home.ledger, path, fmt=fmt)  # type: ignore[arg-type]
        if fmt == "csv":
            payer = _csv_rows(path.read_bytes())[0]["交款人"]
            assert payer.startswith("'=HYPERLINK")
        else:
            sheet = load_workbook(path).worksheets[0]
            assert sheet.cell(row=2, column=2).data_type == "s"
            assert sheet.cell(row=2, column=2).value == '=HYPERLINK("http://x")\ufffd'
    finally:
        home.close()
