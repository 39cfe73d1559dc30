"""Whole-community figures: arrears, collection rate, ageing, collector load.

One pass of set-based SQL (:mod:`.arrears`) gives every household's billed,
overdue and aged money, summed per collector of the day, so that
``knock status`` stays quick on a 100,000-household ledger. Figures are as of
the end of the day: payments taken after it do not count yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from knock.core.reports.arrears import Ageing, cut_params, overdue_by_household, totals_sql
from knock.core.reports.collected import collected_fen
from knock.core.store import Store

__all__ = ["CollectorLoad", "Status", "community_status", "overdue_by_household", "percent"]


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


def community_status(store: Store, today: date, target_percent: Decimal, limitation_years: int = 3) -> Status:
    """Compute :class:`Status` for ``today``."""
    params = cut_params(today, limitation_years)
    billed_households = arrears_households = billed = overdue = 0
    ageing = Ageing.empty()
    overdue_by_staff: dict[str, int] = {}
    for r in store.iterate(totals_sql(group="a.staff_id"), params):  # one row per collector of the day, one for the rest
        billed_households += int(r["households"])
        arrears_households += int(r["arrears"] or 0)
        billed += int(r["billed"] or 0)
        overdue += int(r["overdue"] or 0)
        ageing.add_sums(r)
        if r["grp"] is not None:
            overdue_by_staff[r["grp"]] = int(r["overdue"] or 0)
    loads = [
        CollectorLoad(r["staff_id"], r["name"], r["role"], int(r["n"]), overdue_by_staff.get(r["staff_id"], 0))
        for r in store.query(
            "SELECT s.staff_id, s.name, s.role, COUNT(a.household_id) AS n"
            " FROM assignments a JOIN staff s ON s.staff_id = a.staff_id WHERE a.day = ? GROUP BY s.staff_id ORDER BY s.name",
            (today.isoformat(),),
        )
    ]
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
        ageing_fen=dict(ageing.fen),
        limitation_risk_households=ageing.past_households,
        staff_active=int(store.scalar("SELECT COUNT(*) FROM staff WHERE active = 1")),
        collected_today_fen=collected_fen(store, today),
        loads=loads,
    )
