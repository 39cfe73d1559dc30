"""The printed summary, its CSV files and workbook, read back and held against hand-written SQL; and the command."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from knock.cli.main import cli
from knock.core.money import format_yuan
from knock.documents.service import produce_summary
from knock.home import open_home
from tests.documents.readback import read_back, save_for_eyes
from tests.summary.scripted_day import CST, DAY, Day, buildings_sql, collector_sql, headline_sql


@pytest.fixture(scope="module")
def printed(day: Day, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The PDF's text in both languages (rendered once for the module)."""
    texts = {}
    for locale in ("zh", "en"):
        made = produce_summary(day.home, DAY, locale=locale, output=tmp_path_factory.mktemp("pdf") / f"s-{locale}.pdf")  # type: ignore[arg-type]
        assert made.pdf is not None
        pdf = made.pdf.path.read_bytes()
        save_for_eyes(pdf, f"summary-{locale}.pdf")
        back = read_back(pdf)
        assert back.size_mm(0) == pytest.approx((210, 297), abs=1)
        texts[locale] = back.text()
    return texts


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def y(fen: int) -> str:
    return format_yuan(fen)


def test_printed_headline_figures_match_sql(day: Day, printed: dict[str, str]) -> None:
    want = headline_sql(day.home, DAY)
    text = lines(printed["zh"])
    for expected in (
        f"收缴率（按户） {want['rate_by_households']}",
        f"收缴率（按金额） {want['rate_by_amount']}",
        f"应缴户数 {want['billed_households']:,}",
        f"欠费户数 {want['arrears_households']:,}",
        f"应收金额（元） {y(want['billed_fen'])}",
        f"欠费金额（元） {y(want['overdue_fen'])}",
        f"当日收款（元） {y(want['collected_today_fen'])}",
        f"当日收款笔数 {want['payments_today']}",
        f"当日缴费户数 {want['households_paid_today']}",
    ):
        assert expected in text, expected
    en = lines(printed["en"])
    assert f"Collected today (yuan) {y(want['collected_today_fen'])}" in en
    assert f"Collection rate (households) {want['rate_by_households']}" in en


def test_printed_collector_rows_match_sql(day: Day, printed: dict[str, str]) -> None:
    text = lines(printed["zh"])
    staff = day.home.store.query(
        "SELECT DISTINCT s.staff_id, s.name, s.team FROM staff s JOIN assignments a USING (staff_id) WHERE a.day = ?", (DAY.isoformat(),)
    )
    for s in staff:
        want = collector_sql(day.home, s["staff_id"], DAY)
        work = [line for line in text if line.startswith(f"{s['team']} {s['name']} ") and f" {want['assigned']} {want['visited']} {want['contacts']}" in line]
        assert work, f"work row of {s['name']}"
        counted = "—" if want["counted_fen"] is None else y(want["counted_fen"])
        diff = "—" if want["counted_fen"] is None else y(want["counted_fen"] - want["cash_fen"])
        money = f"{y(want['collected_fen'])} {y(want['cash_fen'])} {counted} {diff}"
        assert any(line.startswith(f"{s['team']} {s['name']} ") and money in line for line in text), f"money row of {s['name']}: {money}"
    me = collector_sql(day.home, day.collector_id, DAY)
    assert any(f"{y(me['counted_fen'])} -100.00 " in line for line in text)
    # the laptop's WeChat payment had no contact: it is visited and, as money is still owed after it,
    # "part_paid" (one more beside the three logged); the note says so under the table
    cells = "".join(printed["zh"].split())  # the outcomes cell wraps
    assert (me["outcomes"]["paid"], me["outcomes"]["part_paid"]) == (1, 4) and "部分缴费4" in cells and "已缴清1" in cells
    assert "上门户数与结果都含当面缴费但未记联系的户" in "".join(printed["zh"].split())
    assert "Visited and Outcomes include households that paid at the door" in " ".join(printed["en"].split())


def test_printed_buildings_promises_complaints_match_sql(day: Day, printed: dict[str, str]) -> None:
    text = lines(printed["zh"])
    fen_today = {
        r[0]: r[1]
        for r in day.home.store.query(
            "SELECT h.building, SUM(p.amount_fen) FROM payments p JOIN households h USING (household_id)"
            " WHERE p.payment_id NOT IN (SELECT payment_id FROM payment_voids) AND substr(p.paid_at, 1, 10) = ? GROUP BY h.building",
            (DAY.isoformat(),),
        )
    }
    from tests.summary.scripted_day import pct

    for building, (n, arrears, paid) in buildings_sql(day.home, DAY).items():
        assert f"{building} {n} {arrears} {paid} {y(fen_today.get(building, 0))} {pct(n - arrears, n)}" in text
    tomorrow = (DAY + timedelta(days=1)).isoformat()
    assert f"{day.promise_tomorrow_room} {day.collector} 500.00 晚上 {tomorrow} {DAY.isoformat()}" in text
    assert any(line.startswith(f"{day.broken_room} {day.collector} 200.00") for line in text)
    assert not any(line.startswith(f"{day.kept_room} ") for line in text if "晚上" in line)
    assert any(line.startswith(f"{day.complaint_room} 报修 {day.collector}") for line in text)
    assert any(line.startswith("巡逻笔记本-2 ") for line in text)


def test_printed_escalation_risk_and_hard_cases(day: Day, printed: dict[str, str]) -> None:
    from knock.core.reports.summary import nightly_summary
    from knock.core.reports.summary_sync import sync_facts_for

    s = nightly_summary(day.home.store, day.home.settings, DAY, now=day.clock.now, sync=sync_facts_for(day.home.store))
    text = lines(printed["zh"])
    flat = "".join(printed["zh"].split())
    for e in s.escalations[:40]:
        assert any(line.startswith(f"{e.room} ") and y(e.owed_fen) in line for line in text), e.room
    for label, fen in s.risk.ageing_fen.items():
        assert f"{label} {s.risk.ageing_households[label]} {y(fen)}" in text
    hard = flat.split("八、重点难点户")[1]
    for h in s.hard_cases:
        assert f"{h.room}{y(h.owed_fen)}" in hard
    assert "八、重点难点户" in flat and "七、风险" in flat


def test_every_section_in_both_languages(printed: dict[str, str]) -> None:
    zh = "".join(printed["zh"].split())
    for title in ("一、总体情况", "二、收款员与班组当日情况", "三、按楼栋", "四、缴费约定", "五、投诉与报修", "六、升级处理", "七、风险", "八、重点难点户"):
        assert title in zh
    en = printed["en"]
    for title in ("1. Headline", "2. The day by collector and team", "3. By building", "4. Promises to pay", "5. Complaints", "6. Escalation", "7. Risk", "8. Hard cases"):
        assert title in en
    assert "Households in arrears" in en and "欠费户数" not in en and "收据号段" not in en  # words in English; names stay as they are


def _csv(folder: Path, name: str) -> list[list[str]]:
    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_and_xlsx_hold_the_same_tables_as_sql(day: Day, tmp_path: Path) -> None:
    made = produce_summary(day.home, DAY, locale="zh", pdf=False, csv_dir=tmp_path / "csv", xlsx=tmp_path / "s.xlsx")
    assert made.pdf is None
    head = dict(_csv(tmp_path / "csv", "headline")[1:])
    want = headline_sql(day.home, DAY)
    assert head["当日收款（元）"] == format_yuan(want["collected_today_fen"], grouping=False)
    assert head["欠费户数"] == str(want["arrears_households"])
    assert head["收缴率（按户）"] == str(want["rate_by_households"])
    money = _csv(tmp_path / "csv", "money")
    headers = money[0]
    assert headers[:2] == ["班组", "姓名"] and "差额（元）" in headers
    for row in money[1:]:
        record = dict(zip(headers, row))
        sid = day.home.store.scalar("SELECT staff_id FROM staff WHERE name = ?", (record["姓名"],))
        sql = collector_sql(day.home, sid, DAY)
        assert record["合计（元）"] == format_yuan(sql["collected_fen"], grouping=False)
        assert record["收据现金（元）"] == format_yuan(sql["cash_fen"], grouping=False)
        assert record["班长点收现金（元）"] == ("" if sql["counted_fen"] is None else format_yuan(sql["counted_fen"], grouping=False))
    buildings = {r[0]: r for r in _csv(tmp_path / "csv", "buildings")[1:]}
    for b, (n, arrears, paid) in buildings_sql(day.home, DAY).items():
        assert buildings[b][1:4] == [str(n), str(arrears), str(paid)]
    # the workbook: the same rows, money as numbers
    book = load_workbook(tmp_path / "s.xlsx")
    assert len(book.sheetnames) == len(made.csv_files)
    sheet = book["收款员当日收款"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == headers
    total_col = headers.index("合计（元）")
    assert sum(round(float(r[total_col]) * 100) for r in rows[1:]) == want["collected_today_fen"]
    untouched = _csv(tmp_path / "csv", "untouched")
    from knock.core.reports.summary import nightly_summary

    s = nightly_summary(day.home.store, day.home.settings, DAY, now=day.clock.now)
    assert len(untouched) - 1 == len(s.risk.untouched)  # every row, though the printout lists the first 24


def test_english_csv_headers(day: Day, tmp_path: Path) -> None:
    produce_summary(day.home, DAY, locale="en", pdf=False, csv_dir=tmp_path)
    assert _csv(tmp_path, "buildings")[0] == ["Building", "Households billed", "Households in arrears", "Paid today", "Collected today (yuan)", "Rate (%)"]


# -- the command -------------------------------------------------------------------------------


def test_command_saves_under_output_summaries(day: Day, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["summary", "--home", str(day.home.path), "--date", DAY.isoformat(), "--json", "--csv", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pdf"]["path"].endswith(f"output/summaries/summary-{DAY.isoformat()}.pdf")
    assert Path(data["pdf"]["path"]).read_bytes().startswith(b"%PDF-")
    assert data["summary"]["headline"]["collected_today_fen"] == headline_sql(day.home, DAY)["collected_today_fen"]
    assert len(data["csv"]) == len(list((tmp_path / "c").glob("*.csv")))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "没有这个班"], "no team '没有这个班'"),
        (["--date", "2026-13-01"], "not a date"),
        (["--xlsx", "report.csv"], "must end in .xlsx"),
        (["--team", "\x1b[2J"], "no team"),
        (["--date", "9999-12-31"], "covers days from 2000-01-01"),
        (["--date", "0001-01-01"], "covers days from 2000-01-01"),
        (["--date", "２０２６-11-23"], "not a date"),
    ],
)
def test_bad_options_get_a_clear_message(day: Day, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["summary", "--home", str(day.home.path), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_unwritable_targets_get_a_clear_message(day: Day, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (["-o", str(blocker / "s.pdf")], ["--csv", str(blocker / "dir")], ["--xlsx", str(blocker / "s.xlsx")]):
        result = CliRunner().invoke(cli, ["summary", "--home", str(day.home.path), *args])
        assert result.exit_code == 1, result.output
        assert str(blocker) in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("**/*.part"))


def test_empty_home_renders(tmp_path: Path) -> None:
    home = open_home(tmp_path / "h", clock=lambda: datetime(2026, 11, 23, 21, 0, tzinfo=CST))
    made = produce_summary(home, DAY, output=tmp_path / "empty.pdf", csv_dir=tmp_path / "csv")
    assert made.pdf is not None
    text = read_back(made.pdf.path.read_bytes()).text()
    assert "当日没有上门、收款、约定到期或投诉记录" in "".join(text.split())
    assert _csv(tmp_path / "csv", "collectors")[1:] == []
    home.close()


def test_team_filter_renders_that_team_only(day: Day, tmp_path: Path) -> None:
    made = produce_summary(day.home, DAY, team=day.team, output=tmp_path / "team.pdf")
    assert made.pdf is not None
    text = lines(read_back(made.pdf.path.read_bytes()).text())
    assert f"班组：{day.team} · 统计截至：{DAY.isoformat()} · 生成时间：2026-11-23 21:45" in text
    others = {r[0] for r in day.home.store.query("SELECT name FROM staff WHERE team != ?", (day.team,))}
    assert not any(line.split(" ")[1:2] and line.split(" ")[1] in others for line in text if line.startswith(tuple(f"{t} " for t in {"工程部", "环境部", "秩序维护部", "经理室"} - {day.team})))


def test_a_long_campaign_draws_its_rate_line(day: Day, tmp_path: Path) -> None:
    from knock.core.reports.summary import nightly_summary
    from knock.documents.render import render_summary
    from knock.settings import Targets

    settings = day.home.settings.model_copy(update={"targets": Targets(campaign_start=DAY - timedelta(days=45))})
    s = nightly_summary(day.home.store, settings, DAY, now=day.clock.now)
    assert len(s.headline.series) == 46
    pdf = render_summary(s, "zh")
    save_for_eyes(pdf, "summary-long-campaign.pdf")
    text = lines(read_back(pdf).text(0))
    assert f"催收开始日期 {(DAY - timedelta(days=45)).isoformat()}" in text
    assert "11/23" in "".join(text) and "10/9" in "".join(text)
