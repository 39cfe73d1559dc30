"""A scripted day on the sample community, and the summary's figures by hand-written SQL.

The SQL here is written separately from :mod:`knock.core.reports.summary` on purpose:
the tests hold the summary's figures against it, so the two must not share code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from knock.core.events import Event
from knock.home import Home, open_home
from knock.sample import build_sample

CST = timezone(timedelta(hours=8))
DAY = date(2026, 11, 23)
EVENING = datetime(2026, 11, 23, 19, 30, tzinfo=CST)
SIZES = {"households": 300, "arrears": 100, "staff": 8}


class Clock:
    """A settable device clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Day:
    """What the script did, for the tests to look for."""

    home: Home
    clock: Clock
    collector: str
    collector_id: str
    team: str
    other: str
    paid_rooms: list[str] = field(default_factory=list)
    promise_tomorrow_room: str = ""
    broken_room: str = ""
    kept_room: str = ""
    complaint_room: str = ""
    voided_receipt: str = ""
    laptop_receipts: list[str] = field(default_factory=list)
    laptop_name: str = "巡逻笔记本-2"


def _assigned(home: Home, staff_id: str) -> list[str]:
    rows = home.store.query(
        "SELECT h.room FROM assignments a JOIN households h USING (household_id) WHERE a.day = ? AND a.staff_id = ? ORDER BY h.room",
        (DAY.isoformat(), staff_id),
    )
    return [r["room"] for r in rows]


def _owed(home: Home, room: str) -> int:
    from knock.core.accounts import account

    h = home.ledger.household(room)
    return account(home.store, h.household_id, DAY, home.settings).overdue_fen


def build_day(folder: Path, *, merge: bool = True) -> Day:
    """Build the sample (history before today) and run one evening of collection on it."""
    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=CST))
    home = open_home(folder / "office", clock=clock)
    build_sample(home, seed=7, **SIZES)
    busiest = home.store.query(
        "SELECT s.staff_id, s.name, s.team, COUNT(*) AS n FROM assignments a JOIN staff s USING (staff_id)"
        " WHERE a.day = ? GROUP BY s.staff_id ORDER BY n DESC, s.name LIMIT 2",
        (DAY.isoformat(),),
    )
    a, b = busiest[0], busiest[1]
    day = Day(home, clock, a["name"], a["staff_id"], a["team"], b["name"])
    rooms = _assigned(home, a["staff_id"])
    other_rooms = _assigned(home, b["staff_id"])
    ledger = home.ledger
    clock.now = EVENING

    # 1. paid in full, cash; 2. part-paid by WeChat; 3. not home; 4. promise for tomorrow; 5. refused
    full = _owed(home, rooms[0])
    ledger.record_payment(rooms[0], full, method="cash", collector=a["name"])
    ledger.log_contact(rooms[0], channel="door", outcome="paid", collector=a["name"])
    clock.now += timedelta(minutes=6)
    ledger.record_payment(rooms[1], 30000, method="wechat", collector=a["name"])
    ledger.log_contact(rooms[1], channel="door", outcome="part_paid", collector=a["name"])
    day.paid_rooms = [rooms[0], rooms[1]]
    clock.now += timedelta(minutes=6)
    ledger.log_contact(rooms[2], channel="door", outcome="not_home", collector=a["name"])
    clock.now += timedelta(minutes=6)
    ledger.log_contact(rooms[3], channel="door", outcome="promised", collector=a["name"])
    ledger.make_promise(rooms[3], due_date=DAY + timedelta(days=1), window="evening", amount_fen=50000, collector=a["name"])
    day.promise_tomorrow_room = rooms[3]
    clock.now += timedelta(minutes=6)
    ledger.log_contact(rooms[4], channel="door", outcome="refused", collector=a["name"], reason="no_money")

    # a promise made yesterday for today, not kept; another made yesterday and kept today
    yesterday = EVENING - timedelta(days=1)
    ledger.make_promise(rooms[5], due_date=DAY, window="evening", amount_fen=20000, collector=a["name"], at=yesterday)
    day.broken_room = rooms[5]
    ledger.make_promise(rooms[6], due_date=DAY, window="evening", amount_fen=10000, collector=a["name"], at=yesterday)
    clock.now += timedelta(minutes=6)
    ledger.record_payment(rooms[6], 10000, method="cash", collector=a["name"])
    ledger.log_contact(rooms[6], channel="door", outcome="part_paid", collector=a["name"])
    day.kept_room = rooms[6]

    # the second collector: a cash payment voided the same evening, a complaint about a staff member
    clock.now += timedelta(minutes=6)
    wrong = ledger.record_payment(other_rooms[0], 12345, method="cash", collector=b["name"])
    ledger.void_payment(wrong.receipt_no, "wrong room", author=b["staff_id"])
    day.voided_receipt = wrong.receipt_no
    ledger.record_payment(other_rooms[0], 23456, method="alipay", collector=b["name"])
    clock.now += timedelta(minutes=6)
    ledger.log_contact(other_rooms[1], channel="door", outcome="complaint", collector=b["name"])
    ledger.open_complaint(other_rooms[1], category="repair", text="楼道灯坏了", author=b["staff_id"], staff_involved=a["name"])
    day.complaint_room = other_rooms[1]

    if merge:
        _merge_laptop(day, folder, rooms[7], rooms[8])
    clock.now = datetime(2026, 11, 23, 21, 45, tzinfo=CST)
    return day


def _merge_laptop(day: Day, folder: Path, room_cash: str, room_wechat: str) -> None:
    """A second, enrolled laptop takes two payments offline; its sync file is merged at the office with
    issue 10's merger, and the lead counts the collector's cash (100 yuan short). A third laptop is
    enrolled but never syncs."""
    from knock.core.signing import public_key_b64
    from sync.devices import enrol_device, enrolment_bytes, join_office
    from sync.export import export_sync_file
    from sync.merge import Merger
    from sync.review import count_cash

    home = day.home
    lead = home.store.query_one("SELECT name FROM staff WHERE role = 'manager' AND staff_id != ? ORDER BY name LIMIT 1", (day.collector_id,))
    assert lead is not None, "the sample has a manager to merge and count"
    laptop_clock = Clock(EVENING + timedelta(minutes=50))
    laptop = open_home(folder / "laptop", clock=laptop_clock)
    spare = open_home(folder / "spare", clock=laptop_clock)
    for device, name in ((laptop, "巡逻笔记本-1"), (spare, day.laptop_name)):
        enrolled = enrol_device(home.ledger, name, public_key_b64(device.key), author="office")
        join_office(device.store, device.key, enrolment_bytes(home.key, enrolled), f"{name}.enrol", now=EVENING.isoformat())
    office_chain = home.store.query("SELECT * FROM events WHERE device_id = ? ORDER BY seq", (home.ledger.device.device_id,))
    laptop.ledger.journal.ingest_many([Event.from_row(r) for r in office_chain])
    r1 = laptop.ledger.record_payment(room_cash, 40000, method="cash", collector=day.collector)
    laptop.ledger.log_contact(room_cash, channel="door", outcome="part_paid", collector=day.collector)
    laptop_clock.now += timedelta(minutes=5)
    r2 = laptop.ledger.record_payment(room_wechat, 15000, method="wechat", collector=day.collector)
    day.laptop_receipts = [r1.receipt_no, r2.receipt_no]
    stick = folder / "stick"
    stick.mkdir()
    exported = export_sync_file(laptop, stick)
    laptop.close()
    spare.close()
    day.clock.now = EVENING + timedelta(hours=1, minutes=30)
    Merger(home.ledger, author=lead["name"]).run([exported.path])
    cash = int(home.store.scalar(
        "SELECT COALESCE(SUM(amount_fen), 0) FROM live_payments WHERE method = 'cash' AND collector_id = ? AND substr(paid_at, 1, 10) = ?",
        (day.collector_id, DAY.isoformat()),
    ))
    count_cash(home.ledger, day.collector, cash - 10000, by=lead["name"], day=DAY)  # 100 yuan short: flagged by sync


# --------------------------------------------------------------------------- the floor: plain SQL


def pct(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def scope_sql(team: str | None) -> str:
    if team is None:
        return "1"
    return "household_id IN (SELECT a.household_id FROM assignments a JOIN staff s ON s.staff_id = a.staff_id WHERE a.day = :day AND s.team = :team)"


def per_household(home: Home, day: date, team: str | None = None) -> dict[str, tuple[int, int]]:
    """household_id -> (billed due by day, paid by day, not voided)."""
    p = {"day": day.isoformat(), "team": team}
    billed = {
        r[0]: r[1]
        for r in home.store.query(
            f"SELECT household_id, SUM(amount_fen) FROM charges WHERE due_date <= :day AND charge_id NOT IN (SELECT charge_id FROM charge_reversals)"
            f" AND {scope_sql(team)} GROUP BY household_id",
            p,
        )
    }
    paid = {
        r[0]: r[1]
        for r in home.store.query(
            f"SELECT household_id, SUM(amount_fen) FROM payments WHERE payment_id NOT IN (SELECT payment_id FROM payment_voids)"
            f" AND date(substr(paid_at, 1, 10)) <= :day AND {scope_sql(team)} GROUP BY household_id",
            p,
        )
    }
    return {h: (b, paid.get(h, 0)) for h, b in billed.items()}


def headline_sql(home: Home, day: date, team: str | None = None) -> dict[str, Any]:
    rows = per_household(home, day, team)
    n = len(rows)
    arrears = sum(1 for b, p in rows.values() if b > p)
    billed = sum(b for b, _ in rows.values())
    overdue = sum(max(b - p, 0) for b, p in rows.values())
    p = {"day": day.isoformat(), "team": team}
    today = home.store.query_one(
        f"SELECT COUNT(*), COALESCE(SUM(amount_fen), 0), COUNT(DISTINCT household_id) FROM payments"
        f" WHERE payment_id NOT IN (SELECT payment_id FROM payment_voids) AND substr(paid_at, 1, 10) = :day AND {scope_sql(team)}",
        p,
    )
    return {
        "billed_households": n,
        "arrears_households": arrears,
        "billed_fen": billed,
        "overdue_fen": overdue,
        "rate_by_households": pct(n - arrears, n),
        "rate_by_amount": pct(billed - overdue, billed),
        "payments_today": today[0],
        "collected_today_fen": today[1],
        "households_paid_today": today[2],
    }


def collector_sql(home: Home, staff_id: str, day: date) -> dict[str, Any]:
    d = day.isoformat()
    q = home.store.query_one
    methods = {
        r[0]: r[1]
        for r in home.store.query(
            "SELECT method, SUM(amount_fen) FROM payments WHERE collector_id = ? AND substr(paid_at, 1, 10) = ?"
            " AND payment_id NOT IN (SELECT payment_id FROM payment_voids) GROUP BY method",
            (staff_id, d),
        )
    }
    outcomes = {
        r[0]: r[1]
        for r in home.store.query("SELECT outcome, COUNT(*) FROM contacts WHERE collector_id = ? AND substr(at, 1, 10) = ? GROUP BY outcome", (staff_id, d))
    }
    # a household that paid at a door (a standing payment on an enrolled laptop) with no door contact of
    # this collector that day is one outcome: its visit happened, and paying is what happened there;
    # "paid" when the day's last such payment left nothing owed, "part_paid" when money is still owed
    standing = (
        "SELECT household_id, owed_after_fen, ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY paid_at DESC, receipt_seq DESC) AS nth"
        " FROM payments WHERE collector_id = ? AND substr(paid_at, 1, 10) = ?"
        " AND payment_id NOT IN (SELECT payment_id FROM payment_voids) AND device_id IN (SELECT device_id FROM device_enrolments)"
        " AND household_id NOT IN (SELECT household_id FROM contacts WHERE collector_id = ? AND channel = 'door' AND substr(at, 1, 10) = ?)"
    )
    for outcome, n in home.store.query(
        f"SELECT CASE WHEN owed_after_fen <= 0 THEN 'paid' ELSE 'part_paid' END, COUNT(*) FROM ({standing}) WHERE nth = 1 GROUP BY 1",
        (staff_id, d, staff_id, d),
    ):
        outcomes[outcome] = outcomes.get(outcome, 0) + n
    return {
        "assigned": q("SELECT COUNT(*) FROM assignments WHERE day = ? AND staff_id = ?", (d, staff_id))[0],
        "outcomes": outcomes,
        # a door contact, or a payment that stands taken on an enrolled laptop (at a door, even without a
        # contact); this office has enrolled laptops, so what its own device recorded was paid at the counter
        "visited": q(
            "SELECT COUNT(*) FROM (SELECT household_id FROM contacts WHERE collector_id = ? AND channel = 'door' AND substr(at, 1, 10) = ?"
            " UNION SELECT household_id FROM payments WHERE collector_id = ? AND substr(paid_at, 1, 10) = ?"
            " AND payment_id NOT IN (SELECT payment_id FROM payment_voids) AND device_id IN (SELECT device_id FROM device_enrolments))",
            (staff_id, d, staff_id, d),
        )[0],
        "contacts": q("SELECT COUNT(*) FROM contacts WHERE collector_id = ? AND substr(at, 1, 10) = ?", (staff_id, d))[0],
        "receipts": q("SELECT COUNT(*) FROM payments WHERE collector_id = ? AND substr(paid_at, 1, 10) = ?", (staff_id, d))[0],
        "voids": q("SELECT COUNT(*) FROM payment_voids v JOIN payments p USING (payment_id) WHERE p.collector_id = ? AND substr(v.voided_at, 1, 10) = ?", (staff_id, d))[0],
        "methods": methods,
        "collected_fen": sum(methods.values()),
        "cash_fen": methods.get("cash", 0),
        "counted_fen": (lambda r: None if r is None else r[0])(
            q("SELECT counted_fen FROM cash_counts WHERE collector_id = ? AND day = ? ORDER BY counted_at DESC, count_id DESC LIMIT 1", (staff_id, d))
        ),
    }


def buildings_sql(home: Home, day: date) -> dict[str, tuple[int, int, int]]:
    """building -> (billed households, in arrears, paid today)."""
    rows = per_household(home, day)
    building = {r[0]: r[1] for r in home.store.query("SELECT household_id, building FROM households")}
    out: dict[str, list[int]] = {}
    for hid, (b, p) in rows.items():
        entry = out.setdefault(building[hid], [0, 0, 0])
        entry[0] += 1
        entry[1] += int(b > p)
    for r in home.store.query(
        "SELECT h.building, COUNT(DISTINCT p.household_id) FROM payments p JOIN households h USING (household_id)"
        " WHERE p.payment_id NOT IN (SELECT payment_id FROM payment_voids) AND substr(p.paid_at, 1, 10) = ? GROUP BY h.building",
        (day.isoformat(),),
    ):
        out.setdefault(r[0], [0, 0, 0])[2] = r[1]
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}
