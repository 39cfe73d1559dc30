"""A larger community (the 100,000-household render is a benchmark: bench/bench_summary.py)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from knock.core.reports.summary import nightly_summary
from knock.core.reports.summary_sync import CashCount, FixedSyncFacts
from knock.documents.render import render_summary
from knock.documents.service import produce_summary
from knock.documents.summary_tables import COLLECTORS_PRINTED, by_key, summary_tables
from knock.home import open_home
from knock.sample import build_sample
from tests.documents.readback import read_back
from tests.summary.scripted_day import CST, DAY


@pytest.mark.slow
def test_a_large_community_prints_a_bounded_report_and_full_files(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 21, 30, tzinfo=CST)
    home = open_home(tmp_path / "h", clock=lambda: now)
    build_sample(home, seed=5, households=1200, staff=50)
    staff = int(home.store.scalar("SELECT COUNT(DISTINCT staff_id) FROM assignments WHERE day = ?", (DAY.isoformat(),)))
    assert staff > COLLECTORS_PRINTED
    made = produce_summary(home, DAY, output=tmp_path / "big.pdf", csv_dir=tmp_path / "csv")
    assert made.pdf is not None
    back = read_back(made.pdf.path.read_bytes())
    assert len(back) <= 12
    text = "".join(back.text().split())
    assert f"另有{staff - COLLECTORS_PRINTED}条未列出" in text
    with open(tmp_path / "csv" / "collectors.csv", encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) - 1 == staff
    home.close()


def test_a_collector_with_a_cash_difference_is_always_printed(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 21, 30, tzinfo=CST)
    home = open_home(tmp_path / "h", clock=lambda: now)
    build_sample(home, seed=5, households=500, staff=45)
    last = home.store.query_one(
        "SELECT s.staff_id, s.name FROM staff s JOIN assignments a USING (staff_id) WHERE a.day = ? ORDER BY s.team DESC, s.name DESC LIMIT 1",
        (DAY.isoformat(),),
    )
    assert last is not None
    sync = FixedSyncFacts({last["staff_id"]: CashCount(last["staff_id"], 5000, "组长")})
    s = nightly_summary(home.store, home.settings, DAY, now=now, sync=sync)
    assert len(s.collectors) > COLLECTORS_PRINTED
    money = by_key(summary_tables(s))["money"]
    assert any(row[1] == last["name"] for row in money.printed_rows)
    assert len(money.printed_rows) == COLLECTORS_PRINTED
    text = read_back(render_summary(s)).text()
    assert any(line.split()[1:2] == [last["name"]] and "50.00" in line for line in text.splitlines())
    home.close()
