"""The SQL ageing (one pass of running sums) equals the Python ageing it replaced, charge by charge and in total.

Random histories of charges and payments, with reversed charges, voided
payments, payments after the report day, ties on due dates and overpayment
(credit), are written straight into the projection tables of an in-memory
ledger; the reference is the per-charge Python walk that ``knock status`` and
the nightly summary used before (oldest-first settlement, one bucket per charge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knock.core.ageing import BUCKETS, bucket_for, limitation_risk
from knock.core.allocation import ChargeLine, settle
from knock.core.reports import community_status
from knock.core.reports.arrears import Ageing, BUCKET_LABELS, households, open_charges, overdue_by_household
from knock.core.reports.summary import nightly_summary
from knock.core.store import Store
from knock.settings import Settings

DAY = date(2026, 11, 23)


@dataclass(frozen=True)
class Charge:
    charge_id: str
    household_id: str
    item: str
    period_start: date
    due: date
    amount_fen: int
    reversed: bool


@dataclass(frozen=True)
class Payment:
    household_id: str
    amount_fen: int
    paid_on: date
    voided: bool


_charge = st.tuples(
    st.integers(0, 3),  # household
    st.sampled_from(("property_fee", "parking", "water")),
    st.integers(-60, 1500)  # due: days before the report day (negative: not yet due)
    | st.builds(lambda years, days: 365 * years - days, st.integers(1, 4), st.integers(-5, 100)),  # about to pass a limitation period
    st.integers(0, 40),  # period start: days before the due date
    st.integers(1, 80_000),
    st.sampled_from((False, False, True)),  # reversed, a third of the time
)
_payment = st.tuples(st.integers(0, 3), st.integers(1, 200_000), st.integers(-10, 1500), st.sampled_from((False, False, False, True)))


def _history(raw_charges: list[tuple[int, str, int, int, int, bool]], raw_payments: list[tuple[int, int, int, bool]]) -> tuple[list[Charge], list[Payment]]:
    charges, seen = [], set()
    for n, (h, item, due_back, start_back, fen, reversed_) in enumerate(raw_charges):
        due = DAY - timedelta(days=due_back)
        start = due - timedelta(days=start_back)
        key = (h, item, start)
        if key in seen:  # the ledger keeps one charge per household, item and period
            continue
        seen.add(key)
        charges.append(Charge(f"c{n:04d}", f"h{h}", item, start, due, fen, reversed_))
    payments = [Payment(f"h{h}", fen, DAY - timedelta(days=back), voided) for h, fen, back, voided in raw_payments]
    return charges, payments


def _ledger(charges: list[Charge], payments: list[Payment]) -> Store:
    store = Store(":memory:")
    with store.transaction() as conn:
        for h in range(4):
            conn.execute(
                "INSERT INTO households (household_id, room, building, unit, room_no, floor, owner_name, registered_at)"
                " VALUES (?, ?, '1', '1', ?, 1, '业主', '2024-01-01T00:00:00+08:00')",
                (f"h{h}", f"1-1-10{h}", f"10{h}"),
            )
        for c in charges:
            conn.execute(
                "INSERT INTO charges (charge_id, household_id, item, period_start, period_end, due_date, amount_fen, event_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (c.charge_id, c.household_id, c.item, c.period_start.isoformat(), (c.period_start + timedelta(days=29)).isoformat(),
                 c.due.isoformat(), c.amount_fen, f"e-{c.charge_id}"),
            )
            if c.reversed:
                conn.execute("INSERT INTO charge_reversals VALUES (?, 'billing error', '2026-11-01T09:00:00+08:00', ?)", (c.charge_id, f"r-{c.charge_id}"))
        for n, p in enumerate(payments):
            conn.execute(
                "INSERT INTO payments (payment_id, household_id, amount_fen, method, collector_id, collector_name, device_id, paid_at,"
                " receipt_no, receipt_seq, owed_after_fen, credit_after_fen, event_id) VALUES (?, ?, ?, 'cash', 's1', '李明', 'd1', ?, ?, ?, 0, 0, ?)",
                (f"p{n}", p.household_id, p.amount_fen, f"{p.paid_on.isoformat()}T{n % 24:02d}:30:00+08:00", f"D1-{n:06d}", n, f"e-p{n}"),
            )
            if p.voided:
                conn.execute("INSERT INTO payment_voids VALUES (?, 'wrong room', '2026-11-23T10:00:00+08:00', 's9', ?)", (f"p{n}", f"v-p{n}"))
    return store


def _paid_by_day(payments: list[Payment]) -> dict[str, int]:
    paid: dict[str, int] = {}
    for p in payments:
        if not p.voided and p.paid_on <= DAY:
            paid[p.household_id] = paid.get(p.household_id, 0) + p.amount_fen
    return paid


def _python_ageing(charges: list[Charge], paid: dict[str, int], years: int) -> tuple[dict[str, int], int]:
    """The loop ``knock status`` ran before: due charges oldest first, each household's payments used up in turn."""
    buckets = {label: 0 for label, _, _ in BUCKETS}
    risky: set[str] = set()
    rows = sorted(
        (c for c in charges if not c.reversed and c.due <= DAY),
        key=lambda c: (c.household_id, c.due.isoformat(), c.period_start.isoformat(), c.item, c.charge_id),
    )
    current, left = None, 0
    for c in rows:
        if c.household_id != current:
            current, left = c.household_id, paid.get(c.household_id, 0)
        covered = min(left, c.amount_fen)
        left -= covered
        open_fen = c.amount_fen - covered
        if open_fen <= 0:
            continue
        label = bucket_for(c.due, DAY)
        assert label is not None
        buckets[label] += open_fen
        if limitation_risk(c.due, DAY, years):
            risky.add(c.household_id)
    return buckets, len(risky)


def _python_open(charges: list[Charge], paid: dict[str, int]) -> dict[str, dict[str, int]]:
    """household -> charge -> open fen, by the nightly summary's previous way (:func:`settle`)."""
    out: dict[str, dict[str, int]] = {}
    for hid in sorted({c.household_id for c in charges}):
        lines = [ChargeLine(c.charge_id, c.amount_fen, c.due.isoformat(), c.period_start.isoformat(), c.item)
                 for c in charges if c.household_id == hid and not c.reversed and c.due <= DAY]
        if lines:
            out[hid] = settle(lines, paid.get(hid, 0))[0]
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw_charges=st.lists(_charge, max_size=30),
    raw_payments=st.lists(_payment, max_size=12),
    years=st.integers(1, 4),
    warn_days=st.integers(0, 120),
)
def test_sql_ageing_equals_the_python_walk(
    raw_charges: list[tuple[int, str, int, int, int, bool]], raw_payments: list[tuple[int, int, int, bool]], years: int, warn_days: int
) -> None:
    charges, payments = _history(raw_charges, raw_payments)
    store = _ledger(charges, payments)
    paid = _paid_by_day(payments)
    by_charge = {c.charge_id: c for c in charges}
    expected_open = _python_open(charges, paid)

    # Status: the whole community's ageing and limitation count.
    buckets, risky = _python_ageing(charges, paid, years)
    status = community_status(store, DAY, target_percent=80, limitation_years=years)  # type: ignore[arg-type]
    assert status.ageing_fen == buckets
    assert status.limitation_risk_households == risky
    assert status.overdue_fen == sum(buckets.values())

    # Per household: overdue, every bucket, money past and nearing the limitation period.
    rows = {r["household_id"]: r for r in households(store, DAY, years, warn_days)}
    assert set(rows) == set(expected_open)
    ageing = Ageing.empty()
    for hid, opens in expected_open.items():
        row = rows[hid]
        ageing.add([row[f"open_{i}"] for i in range(len(BUCKET_LABELS))], row["past_fen"])
        assert row["billed"] == sum(by_charge[cid].amount_fen for cid in opens)
        assert row["overdue"] == sum(opens.values())
        by_bucket = {label: 0 for label in BUCKET_LABELS}
        past = near = 0
        for cid, fen in opens.items():
            due = by_charge[cid].due
            by_bucket[bucket_for(due, DAY) or ""] += fen
            if limitation_risk(due, DAY, years):
                past += fen
            elif limitation_risk(due, DAY + timedelta(days=warn_days), years):
                near += fen
        assert [row[f"open_{i}"] for i in range(len(BUCKET_LABELS))] == list(by_bucket.values())
        assert (row["past_fen"], row["near_fen"]) == (past, near)
    assert ageing.fen == buckets
    assert overdue_by_household(store, DAY) == {hid: row["overdue"] for hid, row in rows.items() if row["overdue"] > 0}

    # Charge by charge: the window-function settlement leaves open exactly what settle() leaves open.
    got = {(o.household_id, o.charge_id): o.open_fen for o in open_charges(store, DAY, [f"h{h}" for h in range(4)])}
    want = {(hid, cid): fen for hid, opens in expected_open.items() for cid, fen in opens.items() if fen > 0}
    assert got == want

    # The nightly summary's risk section, against the per-household settle() walk it used before.
    rooms = {f"h{h}": f"1-1-10{h}" for h in range(4)}
    homes: dict[str, set[str]] = {label: set() for label in BUCKET_LABELS}
    past_homes: set[str] = set()
    past_fen = 0
    near_rows = []
    for hid, opens in expected_open.items():
        if sum(opens.values()) <= 0:
            continue
        near_fen, oldest = 0, None
        for cid, fen in opens.items():
            due = by_charge[cid].due
            if fen <= 0:
                continue
            homes[bucket_for(due, DAY) or ""].add(hid)
            if limitation_risk(due, DAY, years):
                past_homes.add(hid)
                past_fen += fen
            elif limitation_risk(due, DAY + timedelta(days=warn_days), years):
                near_fen += fen
                oldest = due if oldest is None or due < oldest else oldest
        if near_fen and oldest is not None:
            near_rows.append((rooms[hid], oldest, near_fen))
    config = Settings.model_validate({"escalation": {"limitation_years": years, "limitation_warn_days": warn_days}})
    risk = nightly_summary(store, config, DAY, now=datetime(2026, 11, 23, 21, 0, tzinfo=timezone(timedelta(hours=8)))).risk
    assert risk.ageing_fen == buckets
    assert risk.ageing_households == {label: len(v) for label, v in homes.items()}
    assert (risk.past_limitation_households, risk.past_limitation_fen) == (len(past_homes), past_fen)
    assert sorted((n.room, n.oldest_due, n.open_fen) for n in risk.near_limitation) == sorted(near_rows)
    assert all(n.limit_date.year == n.oldest_due.year + years for n in risk.near_limitation)
    store.close()


def test_a_payment_after_the_report_day_does_not_count_yet() -> None:
    charges = [Charge("c1", "h0", "property_fee", DAY - timedelta(days=50), DAY - timedelta(days=40), 30000, False)]
    later = [Payment("h0", 30000, DAY + timedelta(days=1), False)]
    store = _ledger(charges, later)
    assert community_status(store, DAY, target_percent=80).overdue_fen == 30000  # type: ignore[arg-type]
    assert community_status(store, DAY + timedelta(days=1), target_percent=80).overdue_fen == 0  # type: ignore[arg-type]
    store.close()
