"""The sample community: sizes, determinism, every debtor type, integer money, the CLI."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.errors import LedgerError
from knock.core.money import apply_rate
from knock.core.reports import community_status, overdue_by_household
from knock.home import Home, open_home
from knock.sample import SITUATIONS, build_sample, plan_sample
from knock.sample.community import PAID_UP, SampleSummary

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 19, 30, tzinfo=CST)
TODAY = NOW.date()
SIZES = {"households": 300, "arrears": 100, "staff": 20}


def _open(path: Path) -> Home:
    return open_home(path, clock=lambda: NOW)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, SampleSummary]]:
    """One small sample, shared by the read-only tests of this module."""
    home = _open(tmp_path_factory.mktemp("sample") / "home")
    summary = build_sample(home, seed=7, **SIZES)
    yield home, summary
    home.close()


def _rows(home: Home, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in home.store.query(sql, params)]


def snapshot(home: Home) -> dict[str, list[tuple[Any, ...]]]:
    """The projections without ids, receipt numbers or write times: what a seed must reproduce."""
    return {
        "community": _rows(home, "SELECT name, address FROM communities"),
        "staff": _rows(home, "SELECT name, role, team, phone, pin_hash FROM staff ORDER BY name"),
        "households": _rows(home, "SELECT room, owner_name, gender, phones, area_centi_m2, occupancy, notes, tags FROM households ORDER BY room"),
        "charges": _rows(home, "SELECT h.room, c.item, c.period_start, c.period_end, c.due_date, c.amount_fen FROM charges c"
                               " JOIN households h USING (household_id) ORDER BY 1, 2, 3"),
        "payments": _rows(home, "SELECT h.room, p.amount_fen, p.method, p.collector_name, p.paid_at, p.owed_after_fen FROM payments p"
                                " JOIN households h USING (household_id) ORDER BY 1, 5"),
        "contacts": _rows(home, "SELECT h.room, c.at, c.channel, c.outcome, c.reason, c.note, s.name FROM contacts c"
                                " JOIN households h USING (household_id) JOIN staff s ON s.staff_id = c.collector_id ORDER BY 1, 2"),
        "promises": _rows(home, "SELECT h.room, p.made_at, p.due_date, p.window, p.amount_fen FROM promises p"
                                " JOIN households h USING (household_id) ORDER BY 1, 2"),
        "complaints": _rows(home, "SELECT h.room, c.category, c.text, c.staff_involved, c.opened_at, c.status, c.closed_at, c.resolution"
                                  " FROM complaints c JOIN households h USING (household_id) ORDER BY 1, 5"),
        "escalations": _rows(home, "SELECT h.room, e.step, e.at, e.deadline, e.note FROM escalations e"
                                   " JOIN households h USING (household_id) ORDER BY 1, 3"),
        "assignments": _rows(home, "SELECT a.day, h.room, s.name FROM assignments a JOIN households h USING (household_id)"
                                   " JOIN staff s ON s.staff_id = a.staff_id ORDER BY 2"),
    }


# -- sizes and determinism ------------------------------------------------------------------------


def test_sizes_match_the_flags(built: tuple[Home, SampleSummary]) -> None:
    home, summary = built
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 300
    assert home.store.scalar("SELECT COUNT(*) FROM staff") == 20
    assert home.store.scalar("SELECT COUNT(DISTINCT building) FROM households") == 3
    assert len(overdue_by_household(home.store, TODAY)) == 100
    assert summary.households == 300 and summary.arrears_households == 100 and summary.staff == 20
    assert sum(summary.situations.values()) == 300
    assert summary.situations[PAID_UP] == 200


def test_same_seed_same_community(tmp_path: Path, built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    again = _open(tmp_path / "again")
    try:
        build_sample(again, seed=7, **SIZES)
        assert snapshot(again) == snapshot(home)
    finally:
        again.close()


def test_plans_depend_only_on_the_seed() -> None:
    a = plan_sample(seed=3, now=NOW, **SIZES)
    assert plan_sample(seed=3, now=NOW, **SIZES) == a
    b = plan_sample(seed=4, now=NOW, **SIZES)
    assert [h.owner_name for h in b.households] != [h.owner_name for h in a.households]


def test_default_size_is_the_campaign_of_the_seeds() -> None:
    plan = plan_sample(now=NOW)
    assert len(plan.households) == 1800 and plan.buildings == 18 and len(plan.staff) == 58
    owing = [h.months_owed for h in plan.households if h.situation != PAID_UP]
    assert len(owing) == 600
    assert min(owing) >= 1 and max(owing) <= 24
    assert sorted(owing)[len(owing) // 2] <= 6, "most owe only a few months"
    assert sum(1 for m in owing if m >= 12) >= 30, "a tail owes one to two years"
    roles = Counter(s.role for s in plan.staff)
    assert 2 <= roles["manager"] <= 3
    assert 0.6 <= (roles["guard"] + roles["cleaner"]) / 58 <= 0.72
    assert len({s.name for s in plan.staff}) == 58, "staff names are unique, so a name finds one person"
    rooms = [h.room for h in plan.households]
    assert len(set(rooms)) == 1800
    assert all(6000 <= h.area_centi_m2 <= 16100 for h in plan.households)


def test_sizes_scale_with_households() -> None:
    plan = plan_sample(households=3600, now=NOW)
    assert plan.buildings == 36 and len(plan.staff) == 116
    assert sum(1 for h in plan.households if h.situation != PAID_UP) == 1200


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(LedgerError, match="arrears"):
        plan_sample(households=10, arrears=11, now=NOW)
    with pytest.raises(LedgerError, match="staff"):
        plan_sample(households=10, staff=0, now=NOW)


def test_a_tiny_sample_still_has_every_debtor_type() -> None:
    plan = plan_sample(households=20, arrears=8, staff=3, now=NOW)
    assert {h.situation for h in plan.households} == {PAID_UP, *SITUATIONS}


# -- staff -------------------------------------------------------------------------------------


def test_about_two_thirds_guards_and_cleaners_and_no_pins(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    roles = dict(_rows(home, "SELECT role, COUNT(*) FROM staff GROUP BY role"))
    assert roles["manager"] >= 1
    assert 0.6 <= (roles["guard"] + roles["cleaner"]) / 20 <= 0.72
    assert home.store.scalar("SELECT COUNT(*) FROM staff WHERE pin_hash != ''") == 0


# -- money ---------------------------------------------------------------------------------------


def test_all_money_is_integer_fen(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    for table, column in (("charges", "amount_fen"), ("payments", "amount_fen"), ("payment_items", "amount_fen"),
                          ("payments", "owed_after_fen"), ("promises", "amount_fen")):
        kinds = {r[0] for r in _rows(home, f"SELECT DISTINCT typeof({column}) FROM {table} WHERE {column} IS NOT NULL")}
        assert kinds <= {"integer"}, (table, column, kinds)
    for (payload,) in _rows(home, "SELECT payload FROM events WHERE kind IN ('charge.added', 'payment.recorded', 'promise.made')"):
        data = json.loads(payload)
        assert data.get("amount_fen") is None or type(data["amount_fen"]) is int


def test_property_fee_is_area_times_rate(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    rate = home.settings.fees.property_fee_per_m2_month
    rows = _rows(home, "SELECT h.area_centi_m2, c.amount_fen, c.period_start, c.period_end FROM charges c JOIN households h USING (household_id)"
                       " WHERE c.item = 'property_fee' LIMIT 200")
    for area, amount, start, end in rows:
        months = (date.fromisoformat(end).year - date.fromisoformat(start).year) * 12 + date.fromisoformat(end).month - date.fromisoformat(start).month + 1
        assert amount == apply_rate(area, rate) * months, "rounded half-up to whole fen, once per month"


def test_paid_up_households_owe_nothing_and_paid_in_the_past(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    overdue = overdue_by_household(home.store, TODAY)
    paid_up = {r[0] for r in _rows(home, "SELECT household_id FROM households")} - set(overdue)
    assert len(paid_up) == 200
    assert home.store.scalar("SELECT COUNT(DISTINCT method) FROM payments") >= 4
    assert home.store.scalar("SELECT MAX(paid_at) FROM payments") < NOW.isoformat()


def test_status_gives_a_plausible_collection_rate(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    runner = CliRunner()
    result = runner.invoke(cli, ["status", "--json", "--home", str(home.path), "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["households"] == 300 and status["arrears_households"] == 100
    assert status["rate_by_households"] == "66.7"
    assert 55 <= float(status["rate_by_amount"]) <= 95
    assert sum(status["ageing_fen"].values()) == status["overdue_fen"] > 0
    assert len(status["loads"]) >= 10, "arrears households are assigned to collectors for today"


# -- the debtor types, as the ledger holds them ---------------------------------------------------------


def test_broken_promises(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    overdue = overdue_by_household(home.store, TODAY)
    rows = _rows(home, "SELECT household_id, COUNT(*), MAX(due_date), MIN(substr(made_at, 1, 10)) FROM promises GROUP BY household_id")
    assert rows
    for household_id, n, last_due, first_made in rows:
        assert 2 <= n <= 4
        assert last_due < TODAY.isoformat(), "every promise is past due"
        assert household_id in overdue, "and still unpaid"
        later = home.store.scalar("SELECT COUNT(*) FROM payments WHERE household_id = ? AND paid_at >= ?", (household_id, first_made))
        assert later == 0, "no payment since the first promise: all broken"
    assert home.store.scalar("SELECT COUNT(*) FROM promises WHERE due_date < substr(made_at, 1, 10)") == 0


def test_unreachable_owners(built: tuple[Home, SampleSummary]) -> None:
    home, summary = built
    failed = _rows(home, "SELECT household_id, COUNT(*) FROM contacts WHERE outcome IN ('not_home', 'unreachable', 'wrong_number')"
                         " GROUP BY household_id HAVING COUNT(*) >= 3")
    assert len(failed) >= summary.situations["unreachable"]
    no_phone = home.store.scalar("SELECT COUNT(*) FROM households WHERE phones = '[]'")
    assert no_phone >= 1


def test_open_defect_dispute(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    rows = _rows(home, "SELECT household_id FROM complaints WHERE category = 'defect' AND status = 'open'")
    assert rows
    overdue = overdue_by_household(home.store, TODAY)
    assert all(r[0] in overdue for r in rows)


def test_vacant_homes_in_arrears(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    overdue = overdue_by_household(home.store, TODAY)
    vacant = [r[0] for r in _rows(home, "SELECT household_id FROM households WHERE occupancy = 'vacant'")]
    assert any(h in overdue for h in vacant)
    assert home.store.scalar("SELECT COUNT(*) FROM contacts WHERE reason = 'not_living_here'") >= 1


def test_soured_relationship_names_a_staff_member_and_someone_else_collects(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    rows = _rows(home, "SELECT c.household_id, c.staff_involved FROM complaints c WHERE c.category IN ('staff', 'service')"
                       " AND c.status = 'closed' AND c.staff_involved != ''")
    assert rows
    staff_names = {r[0] for r in _rows(home, "SELECT name FROM staff")}
    for household_id, involved in rows:
        assert involved in staff_names
        assert home.store.scalar("SELECT COUNT(*) FROM contacts WHERE household_id = ? AND outcome = 'refused'", (household_id,)) >= 1
        collector = home.store.scalar("SELECT s.name FROM assignments a JOIN staff s ON s.staff_id = a.staff_id WHERE a.household_id = ?", (household_id,))
        assert collector is not None and collector != involved


def test_busy_and_away(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    assert home.store.scalar("SELECT COUNT(*) FROM contacts WHERE outcome = 'refused' AND reason = 'no_time'") >= 1
    away = _rows(home, "SELECT household_id FROM households WHERE tags LIKE '%\"away\"%'")
    busy = _rows(home, "SELECT DISTINCT household_id FROM contacts WHERE reason = 'no_time'")
    assert away or busy


def test_wilful_refusers_got_letters_and_one_a_lawyers_letter(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    steps = dict(_rows(home, "SELECT step, COUNT(*) FROM escalations GROUP BY step"))
    assert steps.get("dunning_letter", 0) >= 1 and steps.get("lawyer_letter", 0) >= 1
    for (household_id,) in _rows(home, "SELECT household_id FROM escalations WHERE step = 'lawyer_letter'"):
        letters = _rows(home, "SELECT step, at FROM escalations WHERE household_id = ? ORDER BY at", (household_id,))
        assert [s for s, _ in letters] == ["dunning_letter", "dunning_letter", "lawyer_letter"]
    months = _rows(home, "SELECT e.household_id, COUNT(DISTINCT substr(c.period_start, 1, 7)) FROM escalations e"
                         " JOIN charges c USING (household_id) WHERE c.period_end > date(c.period_start, '+1 month') = 0 GROUP BY 1")
    assert all(n >= 3 for _, n in months), "letters go only to homes owing three months or more"
    refusals = _rows(home, "SELECT e.household_id, (SELECT COUNT(*) FROM contacts c WHERE c.household_id = e.household_id AND c.outcome = 'refused'"
                           " AND c.at < e.at) FROM escalations e WHERE e.step = 'dunning_letter'")
    assert all(n >= 3 for _, n in refusals), "three failed contacts before the first letter"


def test_contact_times_are_in_the_past_and_within_the_cap(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    assert home.store.scalar("SELECT MAX(at) FROM contacts") < NOW.isoformat()
    busiest = home.store.scalar("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM contacts GROUP BY household_id, substr(at, 1, 10))")
    assert busiest <= home.settings.contact.daily_cap


# -- refusing to mix with real data -------------------------------------------------------------------


def test_build_refuses_a_ledger_with_households(built: tuple[Home, SampleSummary]) -> None:
    home, _ = built
    with pytest.raises(LedgerError, match="empty home"):
        build_sample(home, households=5, arrears=1, staff=2)


def test_cli_builds_then_refuses_a_non_empty_home(tmp_path: Path) -> None:
    runner = CliRunner()
    target = str(tmp_path / "demo")
    result = runner.invoke(cli, ["sample", "--home", target, "--households", "40", "--arrears", "12", "--staff", "6", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["households"] == 40 and data["arrears_households"] == 12 and data["staff"] == 6
    assert data["status"]["arrears_households"] == 12
    assert set(data["situations"]) == {PAID_UP, *SITUATIONS}
    again = runner.invoke(cli, ["sample", "--home", target, "--households", "40"])
    assert again.exit_code == 1
    assert "already has 40 households" in again.output
    text = runner.invoke(cli, ["sample", "--home", str(tmp_path / "other"), "--households", "30", "--arrears", "10", "--staff", "5"])
    assert text.exit_code == 0, text.output
    assert "wilful refusal" in text.output and "30 households" in text.output


# -- the playbook sees the intended debtor type ------------------------------------------------------


def _naive(text: str | None) -> datetime | None:
    # Facts built by hand here are naive wall time (HouseholdFacts.zone None): the ledger's ISO strings
    # carry the +08:00 offset, which is dropped to keep the local time (facts_for would convert instead).
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=None)


def _facts(home: Home, room: str) -> Any:
    from knock.core.accounts import account
    from knock.playbook.facts import ComplaintFact, ContactFact, EscalationFact, HouseholdFacts, PromiseFact

    store = home.store
    h = home.ledger.household(room)
    hid = h.household_id
    acc = account(store, hid, TODAY, home.settings)
    return HouseholdFacts(
        room=h.room, owner_name=h.owner_name, occupancy=h.occupancy, owed_fen=acc.owed_fen, months_owed=acc.months_owed,  # type: ignore[arg-type]
        oldest_due=acc.oldest_due, has_phone=bool(h.phones),
        contacts=tuple(ContactFact(_naive(r["at"]), r["channel"], r["outcome"], r["collector_id"], r["reason"], r["note"])  # type: ignore[arg-type]
                       for r in store.query("SELECT * FROM contacts WHERE household_id = ? ORDER BY at", (hid,))),
        promises=tuple(PromiseFact(_naive(r["made_at"]), date.fromisoformat(r["due_date"]), r["window"], r["amount_fen"], "open")  # type: ignore[arg-type]
                       for r in store.query("SELECT * FROM promises WHERE household_id = ?", (hid,))),
        complaints=tuple(ComplaintFact(_naive(r["opened_at"]), r["category"], r["text"], r["status"], _naive(r["closed_at"]), r["staff_involved"])  # type: ignore[arg-type]
                         for r in store.query("SELECT * FROM complaints WHERE household_id = ?", (hid,))),
        escalations=tuple(EscalationFact(_naive(r["at"]), r["step"])  # type: ignore[arg-type]
                          for r in store.query("SELECT * FROM escalations WHERE household_id = ? ORDER BY at", (hid,))),
        notes=h.notes, owner_gender=h.gender,  # type: ignore[arg-type]
        tags=h.tags, last_paid_at=_naive(store.scalar("SELECT MAX(paid_at) FROM payments WHERE household_id = ?", (hid,))),
    )


def test_the_playbook_recognises_each_planned_debtor_type(built: tuple[Home, SampleSummary]) -> None:
    rules = pytest.importorskip("knock.playbook.rules")
    home, _ = built
    plan = plan_sample(seed=7, now=NOW, **SIZES)
    missed = []
    seen: set[str] = set()
    for h in plan.households:
        if h.situation == PAID_UP:
            continue
        keys = [t.key for t in rules.classify(_facts(home, h.room), home.settings, NOW.replace(tzinfo=None))]
        seen.update(keys)
        if h.situation not in keys:
            missed.append((h.room, h.situation, keys))
    assert not missed
    assert set(SITUATIONS) <= seen


def test_streamed_build_matches_the_whole_plan(built: tuple[Home, SampleSummary]) -> None:
    from knock.sample.community import summarize

    _, summary = built
    planned = summarize(plan_sample(seed=7, now=NOW, **SIZES))
    assert {**summary.to_dict(), "seconds": 0} == {**planned.to_dict(), "seconds": 0}


def test_a_company_with_earlier_quiet_hours_still_gets_a_sample(tmp_path: Path) -> None:
    """The ledger refuses visits in quiet hours, so the sample's history keeps out of them too."""
    from datetime import time as clock_time

    from knock.settings import Contact, Settings

    settings = Settings(contact=Contact(quiet_start=clock_time(20, 30), quiet_end=clock_time(9, 0)))
    home = open_home(tmp_path / "early", clock=lambda: NOW, settings=settings)
    build_sample(home, seed=3, households=120, arrears=40, staff=8)
    late = [
        r["at"] for r in home.store.query("SELECT at FROM contacts WHERE outcome != 'note' AND channel != 'letter'")
        if not "09:00" <= r["at"][11:16] < "20:30"
    ]
    assert late == []
    home.close()
