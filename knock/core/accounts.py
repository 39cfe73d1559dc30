"""Reading a household's account: charges, what is open, ageing and penalty.

Open amounts are always recomputed from the facts (charges not reversed,
payments not voided) with :func:`knock.core.allocation.settle`, so there is
no running balance that could drift from the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from knock.core.ageing import bucket_for, limitation_risk
from knock.core.allocation import ChargeLine, settle
from knock.core.penalty import penalty_fen
from knock.core.store import Store
from knock.settings import Settings


@dataclass(frozen=True)
class OtherPhone:
    """A number on file that belongs to someone other than the owner."""

    number: str
    role: str
    """tenant, agent, relative or other."""
    name: str = ""


@dataclass(frozen=True)
class Household:
    """One home and its owner, as the projection holds it."""

    household_id: str
    room: str
    building: str
    unit: str
    room_no: str
    floor: int
    owner_name: str
    gender: str
    phones: tuple[str, ...]
    area_centi_m2: int
    occupancy: str
    notes: str
    tags: frozenset[str]
    billing_code: str = ""
    """The room code as the billing system writes it (``A座-12-03``), kept so exports match it exactly;
    empty when the household did not come from a billing export."""
    other_phones: tuple[OtherPhone, ...] = ()
    """Numbers on file that are not the owner's (a tenant's, an agent's): never sent the debt."""

    @classmethod
    def from_row(cls, row: Any) -> Household:
        """From a ``households`` row."""
        return cls(
            household_id=row["household_id"],
            room=row["room"],
            building=row["building"],
            unit=row["unit"],
            room_no=row["room_no"],
            floor=int(row["floor"]),
            owner_name=row["owner_name"],
            gender=row["gender"],
            phones=tuple(json.loads(row["phones"])),
            area_centi_m2=int(row["area_centi_m2"]),
            occupancy=row["occupancy"],
            notes=row["notes"],
            tags=frozenset(json.loads(row["tags"])),
            billing_code=row["billing_code"],
            other_phones=tuple(
                OtherPhone(str(x.get("number", "")), str(x.get("role", "other")), str(x.get("name", "")))
                for x in json.loads(row["other_phones"] if "other_phones" in row.keys() else "[]")
            ),
        )


@dataclass(frozen=True)
class ChargeStatus:
    """A charge with what is still open on it today."""

    charge_id: str
    item: str
    period_start: date
    period_end: date
    due_date: date
    amount_fen: int
    open_fen: int
    penalty_fen: int
    bucket: str | None
    """Ageing bucket, None when not yet due."""
    limitation_risk: bool


@dataclass(frozen=True)
class Account:
    """A household's money position."""

    charges: tuple[ChargeStatus, ...]
    paid_fen: int
    credit_fen: int

    @property
    def open_charges(self) -> tuple[ChargeStatus, ...]:
        """Charges with something still to pay, oldest first."""
        return tuple(c for c in self.charges if c.open_fen > 0)

    @property
    def owed_fen(self) -> int:
        """Everything still open, due or not."""
        return sum(c.open_fen for c in self.charges)

    @property
    def overdue_fen(self) -> int:
        """Open on charges already due (arrears)."""
        return sum(c.open_fen for c in self.charges if c.bucket is not None)

    @property
    def penalty_total_fen(self) -> int:
        """Penalty on all open charges (0 when penalties are off)."""
        return sum(c.penalty_fen for c in self.charges)

    @property
    def months_owed(self) -> int:
        """Distinct billing months with an open, due charge."""
        from knock.core.ageing import months_in

        months: set[tuple[int, int]] = set()
        for c in self.charges:
            if c.open_fen > 0 and c.bucket is not None:
                months |= months_in(c.period_start, c.period_end)
        return len(months)

    @property
    def oldest_due(self) -> date | None:
        """Due date of the oldest open charge."""
        dues = [c.due_date for c in self.charges if c.open_fen > 0]
        return min(dues) if dues else None


def household_by_room(store: Store, room: str) -> Household | None:
    """The household in ``room`` (canonical code), or None."""
    row = store.query_one("SELECT * FROM households WHERE room = ?", (room,))
    return None if row is None else Household.from_row(row)


def household_by_id(store: Store, household_id: str) -> Household | None:
    """The household with this id, or None."""
    row = store.query_one("SELECT * FROM households WHERE household_id = ?", (household_id,))
    return None if row is None else Household.from_row(row)


def live_charge_rows(store: Store, household_id: str) -> list[Any]:
    """Charges not reversed, oldest first."""
    return store.query(
        "SELECT c.* FROM charges c LEFT JOIN charge_reversals r ON r.charge_id = c.charge_id"
        " WHERE c.household_id = ? AND r.charge_id IS NULL ORDER BY c.due_date, c.period_start, c.item, c.charge_id",
        (household_id,),
    )


def paid_total(store: Store, household_id: str) -> int:
    """All payments not voided."""
    return int(
        store.scalar(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM live_payments WHERE household_id = ?",
            (household_id,),
        )
    )


def account(store: Store, household_id: str, today: date, settings: Settings) -> Account:
    """The household's charges with open amounts, ageing and penalty as of ``today``."""
    rows = live_charge_rows(store, household_id)
    lines = [ChargeLine(r["charge_id"], int(r["amount_fen"]), r["due_date"], r["period_start"], r["item"]) for r in rows]
    paid = paid_total(store, household_id)
    open_amounts, credit = settle(lines, paid)
    statuses = []
    for r in rows:
        due = date.fromisoformat(r["due_date"])
        open_fen = open_amounts[r["charge_id"]]
        statuses.append(
            ChargeStatus(
                charge_id=r["charge_id"],
                item=r["item"],
                period_start=date.fromisoformat(r["period_start"]),
                period_end=date.fromisoformat(r["period_end"]),
                due_date=due,
                amount_fen=int(r["amount_fen"]),
                open_fen=open_fen,
                # An imported penalty (滞纳金 the billing system already charged) earns no penalty of its own.
                penalty_fen=0 if r["item"] == "penalty" else penalty_fen(open_fen, due, today, settings.penalty),
                bucket=bucket_for(due, today),
                limitation_risk=open_fen > 0 and limitation_risk(due, today, settings.escalation.limitation_years),
            )
        )
    return Account(tuple(statuses), paid, credit)
