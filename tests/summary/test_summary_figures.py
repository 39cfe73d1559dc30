"""The nightly summary's figures against hand-written SQL, after a scripted day with a merge."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from knock.core.reports import community_status
from knock.core.reports.summary import Summary, nightly_summary
from knock.core.reports.summary_sync import NoSyncYet, sync_facts_for
from knock.home import open_home
from knock.settings import Settings, Targets
from tests.summary.scripted_day import CST, DAY, Day, buildings_sql, collector_sql, headline_sql, per_household, pct


def summarise(d: Day, when: date = DAY, team: str | None = None, settings: Settings | None = None) -> Summary:
    return nightly_summary(d.home.store, settings or d.home.settings, when, now=d.clock.now, team=team, sync=sync_facts_for(d.home.store))


def test_headline_matches_sql(day: Day) -> None:
    s = summarise(day)
    expected = headline_sql(day.home, DAY)
    h = s.headline
    got = {k: getattr(h, k) for k in expected}
    assert got == expected
    assert h.payments_today == 6  # 5 on the office ledger (one voided and left out) and 2 merged from the laptop
    assert h.collected_campaign_fen == h.collected_today_fen  # the campaign started today


def test_headline_equals_knock_status_for_today(day: Day) -> None:
    s = summarise(day)
    status = community_status(day.home.store, DAY, day.home.settings.targets.collection_rate_percent)
    assert (s.headline.rate_by_households, s.headline.rate_by_amount) == (status.rate_by_households, status.rate_by_amount)
    assert s.headline.overdue_fen == status.overdue_fen
    assert s.risk.ageing_fen == status.ageing_fen


def test_each_collector_matches_sql(day: Day) -> None:
    s = summarise(day)
    assert s.collectors, "someone worked today"
    for c in s.collectors:
        want = collector_sql(day.home, c.staff_id, DAY)
        assert (c.assigned, c.visited, c.contacts, c.receipts, c.voids) == (want["assigned"], want["visited"], want["contacts"], want["receipts"], want["voids"]), c.name
        assert c.outcomes == want["outcomes"], c.name
        assert {m: f for m, f in c.money_by_method.items() if f} == want["methods"]
        assert c.collected_fen == want["collected_fen"]
        assert c.cash_on_receipts_fen == want["cash_fen"]
        assert c.cash_counted_fen == want["counted_fen"]
    me = next(c for c in s.collectors if c.staff_id == day.collector_id)
    assert me.cash_difference_fen == -10000  # the lead counted 100 yuan less than the receipts say
    assert len(me.receipt_ranges) == 2  # the office ledger's numbers and the merged laptop's
    assert any(day.laptop_receipts[0] in r and day.laptop_receipts[1] in r for r in me.receipt_ranges)
    # contacts logged: paid 1, part_paid 3 (one on the laptop); the laptop's WeChat payment has no contact
    # and is one more outcome (a door payment is an outcome, as it is a visit), not one more contact: a
    # "part_paid", as 150 yuan left money owed (a part payment is never shown as settled)
    assert me.outcomes["paid"] == 1 and me.outcomes["part_paid"] == 4
    assert me.contacts == sum(me.outcomes.values()) - 1
    other = next(c for c in s.collectors if c.name == day.other)
    assert other.voids == 1 and other.receipts == 2 and other.money_by_method == {"alipay": 23456}


def test_team_totals_add_up(day: Day) -> None:
    s = summarise(day)
    for t in s.teams:
        members = [c for c in s.collectors if c.team == t.team]
        assert t.collected_fen == sum(c.collected_fen for c in members)
        assert t.receipts == sum(c.receipts for c in members)
    assert sum(t.collected_fen for t in s.teams) == s.headline.collected_today_fen


def test_buildings_match_sql(day: Day) -> None:
    s = summarise(day)
    want = buildings_sql(day.home, DAY)
    assert {b.building: (b.billed_households, b.arrears_households, b.paid_today_households) for b in s.buildings} == want
    for b in s.buildings:
        assert b.rate_by_households == pct(b.billed_households - b.arrears_households, b.billed_households)


def test_promises_due_tomorrow_and_broken_today(day: Day) -> None:
    s = summarise(day)
    assert [p.room for p in s.promises_due_tomorrow] == [day.promise_tomorrow_room]
    assert s.promises_due_tomorrow[0].amount_fen == 50000 and s.promises_due_tomorrow[0].made_by == day.collector
    assert [p.room for p in s.promises_broken_today] == [day.broken_room]  # the kept one is not listed
    rows = day.home.store.query(
        "SELECT h.room FROM promises p JOIN households h USING (household_id) WHERE p.due_date = ?", ((DAY + timedelta(days=1)).isoformat(),)
    )
    assert {r[0] for r in rows} == {day.promise_tomorrow_room}


def test_complaints(day: Day) -> None:
    s = summarise(day)
    assert [c.room for c in s.complaints.new_today] == [day.complaint_room]
    assert s.complaints.by_staff.get(day.collector, 0) >= 1
    opened = day.home.store.query("SELECT opened_at, status FROM complaints")
    stale = [r for r in opened if r["status"] == "open" and datetime.fromisoformat(r["opened_at"]) <= day.clock.now - timedelta(hours=24)]
    assert len(s.complaints.open_over_24h) == len(stale)
    assert sum(s.complaints.by_category.values()) == len(s.complaints.new_today) + len(s.complaints.open_over_24h)


def test_escalation_is_the_ladders_answer(day: Day) -> None:
    from knock.advice import advise
    from knock.core.accounts import household_by_id

    s = summarise(day)
    listed = {e.room: e.step for e in s.escalations}
    owing = [h for h, (b, p) in per_household(day.home, DAY).items() if b > p]
    expected = {}
    for hid in owing:
        household = household_by_id(day.home.store, hid)
        assert household is not None
        step = advise(day.home, household, locale="zh", now=day.clock.now).ladder.step
        if step is not None:
            expected[household.room] = step
    assert listed == expected
    assert listed, "the sample has households at a letter step"


def test_risk_lists(day: Day) -> None:
    s = summarise(day)
    owing = {h for h, (b, p) in per_household(day.home, DAY).items() if b > p}
    assigned = {r[0] for r in day.home.store.query("SELECT household_id FROM assignments WHERE day = ?", (DAY.isoformat(),))}
    assert len(s.risk.unassigned) == len(owing - assigned)
    recent = {
        r[0] for r in day.home.store.query("SELECT household_id FROM contacts WHERE substr(at, 1, 10) BETWEEN ? AND ?", ((DAY - timedelta(days=6)).isoformat(), DAY.isoformat()))
    }
    assert len(s.risk.untouched) == len(owing - recent)
    assert sum(s.risk.ageing_fen.values()) == s.headline.overdue_fen
    open_flags = [r[0] for r in day.home.store.query("SELECT kind FROM sync_flags WHERE status = 'open' ORDER BY raised_at, flag_id")]
    assert [i.kind for i in s.risk.review_items] == open_flags
    assert "cash_difference" in open_flags
    assert [d.name for d in s.devices_not_synced] == [day.laptop_name]


def test_hard_cases_are_the_largest_arrears(day: Day) -> None:
    s = summarise(day)
    owed = sorted((max(b - p, 0) for b, p in per_household(day.home, DAY).values() if b > p), reverse=True)
    assert [h.owed_fen for h in s.hard_cases] == owed[:20]
    assert all(h.next_action.zh and h.types for h in s.hard_cases)


def test_team_filter_covers_that_teams_households_only(day: Day) -> None:
    s = summarise(day, team=day.team)
    assert {c.team for c in s.collectors} == {day.team}
    want = headline_sql(day.home, DAY, day.team)
    assert {k: getattr(s.headline, k) for k in want} == want
    assert s.headline.billed_households < summarise(day).headline.billed_households


def test_rate_series_matches_sql_each_day(day: Day) -> None:
    start = DAY - timedelta(days=5)
    settings = day.home.settings.model_copy(update={"targets": Targets(campaign_start=start)})
    s = summarise(day, settings=settings)
    assert [p.day for p in s.headline.series] == [start + timedelta(days=i) for i in range(6)]
    for point in s.headline.series:
        want = headline_sql(day.home, point.day)
        assert (point.rate_by_households, point.rate_by_amount) == (want["rate_by_households"], want["rate_by_amount"]), point.day
    assert s.headline.series[-1].rate_by_amount == s.headline.rate_by_amount


def test_a_past_day_counts_only_what_was_paid_by_then(day: Day) -> None:
    before = DAY - timedelta(days=1)
    s = summarise(day, when=before)
    want = headline_sql(day.home, before)
    assert {k: getattr(s.headline, k) for k in want} == want


def test_first_day_of_a_campaign(day: Day) -> None:
    s = summarise(day)
    assert s.headline.campaign_start == DAY
    assert len(s.headline.series) == 1
    assert s.headline.series[0].rate_by_households == s.headline.rate_by_households


def test_empty_home_gives_an_empty_summary(tmp_path: Path) -> None:
    home = open_home(tmp_path / "empty", clock=lambda: datetime(2026, 11, 23, 21, 0, tzinfo=CST))
    s = nightly_summary(home.store, home.settings, DAY, now=home.ledger.now(), sync=NoSyncYet())
    assert s.is_empty_day and not s.sync_available
    assert s.headline.billed_households == 0 and s.headline.rate_by_households == Decimal("0.0")
    assert s.collectors == () and s.buildings == () and s.hard_cases == ()
    home.close()


def test_json_form_keeps_fen_as_integers(day: Day) -> None:
    data = summarise(day).to_dict()
    assert isinstance(data["headline"]["collected_today_fen"], int)
    assert data["headline"]["rate_by_households"] == str(summarise(day).headline.rate_by_households)
    me = next(c for c in data["collectors"] if c["staff_id"] == day.collector_id)
    assert me["cash_difference_fen"] == -10000
    assert data["hard_cases"][0]["next_action"].keys() == {"zh", "en"}
