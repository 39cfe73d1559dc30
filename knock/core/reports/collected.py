"""Money collected: the one way to count it.

A payment counts when it is in ``live_payments`` (not voided), on the day of
its ``paid_at`` as the collecting laptop wrote it. ``knock status``, the field
app's counters, its end of day and the nightly summary all come here, so an
accountant reconciling cash never sees two different totals for one day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from knock.core.store import Store


def day_range(day: date) -> tuple[str, str]:
    """``(day, next day)`` as ISO strings: ``at >= first AND at < second`` selects the timestamps written on ``day``.

    Timestamps are ISO text starting with the local date the laptop wrote, so
    this is the same test as ``substr(at, 1, 10) = day``, but an index on the
    column can serve it.
    """
    return day.isoformat(), (day + timedelta(days=1)).isoformat()


def collected_fen(store: Store, day: date, collector_id: str | None = None, method: str | None = None) -> int:
    """Fen collected on ``day`` (voided payments excluded): by everyone, or one collector, or one payment method."""
    sql = "SELECT COALESCE(SUM(amount_fen), 0) FROM live_payments WHERE paid_at >= ? AND paid_at < ?"
    params: tuple[str, ...] = day_range(day)
    if collector_id is not None:
        sql += " AND collector_id = ?"
        params += (collector_id,)
    if method is not None:
        sql += " AND method = ?"
        params += (method,)
    return int(store.scalar(sql, params))


@dataclass(frozen=True)
class ReceiptLine:
    """A receipt written on the day, voided or not (a void is shown, never hidden)."""

    receipt_no: str
    room: str
    amount_fen: int
    method: str
    void: bool


def receipts_on(store: Store, day: date, collector_id: str) -> tuple[ReceiptLine, ...]:
    """The collector's receipts of ``day`` in the order they were numbered."""
    rows = store.query(
        "SELECT p.receipt_no, h.room, p.amount_fen, p.method,"
        " EXISTS (SELECT 1 FROM payment_voids v WHERE v.payment_id = p.payment_id) AS void"
        " FROM payments p JOIN households h ON h.household_id = p.household_id"
        " WHERE p.collector_id = ? AND p.paid_at >= ? AND p.paid_at < ? ORDER BY p.receipt_seq",
        (collector_id, *day_range(day)),
    )
    return tuple(ReceiptLine(r["receipt_no"], r["room"], int(r["amount_fen"]), r["method"], bool(r["void"])) for r in rows)


def by_method(receipts: tuple[ReceiptLine, ...]) -> dict[str, int]:
    """Fen per payment method over the receipts that are not voided (the cash to hand over, by kind)."""
    totals: dict[str, int] = {}
    for line in receipts:
        if not line.void:
            totals[line.method] = totals.get(line.method, 0) + line.amount_fen
    return totals
