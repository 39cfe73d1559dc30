"""Whole-community figures: arrears, collection rate, ageing, collector load.

Computed with set-based SQL so that ``knock status`` stays quick on a
100,000-household ledger. Because payments settle the oldest charges first,
what is overdue for a household is simply its due charges minus everything it
paid, floored at zero.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from knock.core.ageing import BUCKETS, bucket_for, limitation_risk
from knock.core.reports.collected import collected_fen
from knock.core.store import Store

_PER_HOUSEHOLD = """
WITH due AS (
    SELECT c.household_id, SUM(c.amount_fen) AS billed, MIN(c.due_date) AS oldest
    FROM charges c LEFT JOIN charge_reversals r ON r.charge_id = c.charge_id
    WHERE r.charge_id IS NULL AND c.due_date <= :today
    GROUP BY c.household_id
), paid AS (
    SELECT household_id, SUM(amount_fen) AS paid FROM live_payments GROUP BY household_id
)
SELECT due.household_id, due.billed, COALESCE(paid.paid, 0) AS paid,
       MAX(due.billed - COALESCE(paid.paid, 0), 0) AS overdue
FROM due LEFT JOIN paid ON paid.household_id = due.household_id
"""


def percent(part: int, whole: int) -> Decimal:
    """part/whole as a percentage with one decimal (0 when whole is 0)."""
    if whole == 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CollectorLoad:
    """One collector's households for the day."""

    staff_id: str
    name: str
    role: str
    households: int
    overdue_fen: int


@dataclass(frozen=True)
class Status:
    """The community at a glance, as of one day."""

    day: date
    community: str
    households: int
    billed_households: int
    arrears_households: int
    billed_fen: int
    overdue_fen: int
    rate_by_households: Decimal
    rate_by_amount: Decimal
    target_percent: Decimal
    ageing_fen: dict[str, int]
    limitation_risk_households: int
    staff_active: int
    collected_today_fen: int
    loads: list[CollectorLoad] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (amounts stay integer fen; rates as strings)."""
        data = asdict(self)
        data["day"] = self.day.isoformat()
        for key in ("rate_by_households", "rate_by_amount", "target_percent"):
            data[key] = str(data[key])
        return data


def overdue_by_household(store: Store, today: date) -> dict[str, int]:
    """household_id -> overdue fen, for every household with something overdue."""
    rows = store.query(f"SELECT household_id, overdue FROM ({_PER_HOUSEHOLD}) WHERE overdue > 0", {"today": today.isoformat()})
    return {r["household_id"]: int(r["overdue"]) for r in rows}


def _ageing(store: Store, today: date, limitation_years: int) -> tuple[dict[str, int], int]:
    """Overdue money by ageing bucket, settling payments oldest-first per household."""
    buckets = {label: 0 for label, _, _ in BUCKETS}
    risky: set[str] = set()
    paid = {
        r["household_id"]: int(r["paid"])
        for r in store.query("SELECT household_id, SUM(amount_fen) AS paid FROM live_payments GROUP BY household_id")
    }
    rows = store.iterate(
        "SELECT c.household_id, c.amount_fen, c.due_date FROM charges c"
        " LEFT JOIN charge_reversals r ON r.charge_id = c.charge_id"
        " WHERE r.charge_id IS NULL AND c.due_date <= ?"
        " ORDER BY c.household_id, c.due_date, c.period_start, c.item, c.charge_id",
        (today.isoformat(),),
    )
    current, left = None, 0
    for r in rows:
        hid = r["household_id"]
        if hid != current:
            current, left = hid, paid.get(hid, 0)
        amount = int(r["amount_fen"])
        covered = min(left, amount)
        left -= covered
        open_fen = amount - covered
        if open_fen <= 0:
            continue
        due = date.fromisoformat(r["due_date"])
        label = bucket_for(due, today)
        assert label is not None  # only due charges are read
        buckets[label] += open_fen
        if limitation_risk(due, today, limitation_years):
            risky.add(hid)
    return buckets, len(risky)


def community_status(store: Store, today: date, target_percent: Decimal, limitation_years: int = 3) -> Status:
    """Compute :class:`Status` for ``today``."""
    params = {"today": today.isoformat()}
    totals = store.query_one(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(billed),0) AS billed, COALESCE(SUM(overdue),0) AS overdue,"
        f" SUM(overdue > 0) AS arrears FROM ({_PER_HOUSEHOLD})",
        params,
    )
    assert totals is not None
    billed_households = int(totals["n"])
    arrears_households = int(totals["arrears"] or 0)
    billed, overdue = int(totals["billed"]), int(totals["overdue"])
    ageing, risky = _ageing(store, today, limitation_years)
    overdue_map = overdue_by_household(store, today)
    loads = []
    for r in store.query(
        "SELECT s.staff_id, s.name, s.role, COUNT(a.household_id) AS n, GROUP_CONCAT(a.household_id) AS ids"
        " FROM assignments a JOIN staff s ON s.staff_id = a.staff_id WHERE a.day = ? GROUP BY s.staff_id ORDER BY s.name",
        (today.isoformat(),),
    ):
        ids = (r["ids"] or "").split(",")
        loads.append(CollectorLoad(r["staff_id"], r["name"], r["role"], int(r["n"]), sum(overdue_map.get(i, 0) for i in ids)))
    community = store.scalar("SELECT name FROM communities ORDER BY rowid LIMIT 1") or ""
    return Status(
        day=today,
        community=community,
        households=int(store.scalar("SELECT COUNT(*) FROM households")),
        billed_households=billed_households,
        arrears_households=arrears_households,
        billed_fen=billed,
        overdue_fen=overdue,
        rate_by_households=percent(billed_households - arrears_households, billed_households),
        rate_by_amount=percent(billed - overdue, billed),
        target_percent=target_percent,
        ageing_fen=ageing,
        limitation_risk_households=risky,
        staff_active=int(store.scalar("SELECT COUNT(*) FROM staff WHERE active = 1")),
        collected_today_fen=collected_fen(store, today),
        loads=loads,
    )
