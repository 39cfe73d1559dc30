"""The per-collector report a team lead reads after the merge, and hands over with the cash.

For one day: visits against assigned households, outcomes, promises, complaints, money by
method with the receipt number range, voids, receipt gaps and duplicates, open flags, and the
cash counted against the cash receipts. Plain data here; the CLI prints it as text or JSON
and the documents layer prints one page per collector.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from knock.core.money import format_yuan
from knock.core.reports.day import door_payment_outcomes, with_door_payments
from knock.core.store import Store
from sync.status import cash_counts, cash_expected_fen


@dataclass
class MethodTotal:
    """Money one collector took by one method."""

    method: str
    count: int
    amount_fen: int
    first_receipt: str
    last_receipt: str


@dataclass
class CollectorReport:
    """One collector's day as the office ledger holds it."""

    staff_id: str
    name: str
    day: str
    assigned: int
    visited: int
    outcomes: dict[str, int]
    promises: int
    complaints: int
    money: list[MethodTotal]
    total_fen: int
    voids: list[dict[str, Any]]
    cash_expected_fen: int
    cash_counted_fen: int | None
    cash_difference_fen: int | None
    devices: list[str]
    flags: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """For --json."""
        return asdict(self)


def collector_reports(store: Store, day: date | str, *, only: set[str] | None = None) -> list[CollectorReport]:
    """One report per collector who was assigned or did anything on ``day`` (or only the ids in ``only``)."""
    d = day if isinstance(day, str) else day.isoformat()
    people: set[str] = set()
    for sql in (
        "SELECT DISTINCT staff_id FROM assignments WHERE day = ?",
        "SELECT DISTINCT collector_id FROM contacts WHERE substr(at, 1, 10) = ?",
        "SELECT DISTINCT collector_id FROM payments WHERE substr(paid_at, 1, 10) = ?",
        "SELECT DISTINCT collector_id FROM cash_counts WHERE day = ?",
    ):
        people.update(r[0] for r in store.query(sql, (d,)))
    if only is not None:
        people &= only
    counts = {c.collector_id: c for c in cash_counts(store, d)}
    reports = [_one(store, staff_id, d, counts.get(staff_id)) for staff_id in people]
    return sorted(reports, key=lambda r: r.name)


def _one(store: Store, staff_id: str, d: str, count: Any) -> CollectorReport:
    name = store.scalar("SELECT name FROM staff WHERE staff_id = ?", (staff_id,)) or staff_id
    assigned = int(store.scalar("SELECT COUNT(*) FROM assignments WHERE day = ? AND staff_id = ?", (d, staff_id)))
    contacts = store.query(
        "SELECT household_id, outcome FROM contacts WHERE collector_id = ? AND substr(at, 1, 10) = ? AND outcome != 'note'", (staff_id, d)
    )
    outcomes = Counter(r["outcome"] for r in contacts)
    promises = int(store.scalar("SELECT COUNT(*) FROM promises WHERE collector_id = ? AND substr(made_at, 1, 10) = ?", (staff_id, d)))
    complaints = int(store.scalar("SELECT COUNT(*) FROM complaints WHERE opened_by = ? AND substr(opened_at, 1, 10) = ?", (staff_id, d)))
    money = [
        MethodTotal(r["method"], int(r["n"]), int(r["total"]), r["first"], r["last"])
        for r in store.query(
            "SELECT p.method, COUNT(*) AS n, SUM(p.amount_fen) AS total, MIN(p.receipt_no) AS first, MAX(p.receipt_no) AS last"
            " FROM live_payments p"
            " WHERE p.collector_id = ? AND substr(p.paid_at, 1, 10) = ? GROUP BY p.method ORDER BY p.method",
            (staff_id, d),
        )
    ]
    voids = [
        dict(r)
        for r in store.query(
            "SELECT p.receipt_no, p.amount_fen, v.reason, v.voided_at FROM payment_voids v JOIN payments p USING (payment_id)"
            " WHERE p.collector_id = ? AND substr(p.paid_at, 1, 10) = ? ORDER BY p.receipt_no",
            (staff_id, d),
        )
    ]
    devices = [r[0] for r in store.query(
        "SELECT DISTINCT COALESCE(d.name, p.device_id) FROM payments p LEFT JOIN device_enrolments d USING (device_id)"
        " WHERE p.collector_id = ? AND substr(p.paid_at, 1, 10) = ?", (staff_id, d))]
    device_ids = [r[0] for r in store.query("SELECT DISTINCT device_id FROM payments WHERE collector_id = ? AND substr(paid_at, 1, 10) = ?", (staff_id, d))]
    marks = ",".join("?" * len(device_ids))
    flag_rows = store.query(
        "SELECT flag_id, kind, message, json_extract(detail, '$.message_en') AS message_en, status, raised_at"
        " FROM sync_flags WHERE status = 'open' AND (collector_id = ?"
        + (f" OR (collector_id = '' AND device_id IN ({marks}))" if device_ids else "")
        + ") ORDER BY raised_at, flag_id",
        (staff_id, *device_ids),
    )
    expected = cash_expected_fen(store, staff_id, d)
    counted = None if count is None else count.counted_fen
    contacted = {r["household_id"] for r in contacts}
    paid = door_payment_outcomes(store, date.fromisoformat(d), staff_id)
    return CollectorReport(
        staff_id, name, d, assigned, len(contacted | paid.keys()),
        dict(sorted(with_door_payments(outcomes, contacted, paid).items())), promises, complaints,
        money, sum(m.amount_fen for m in money), voids, expected, counted, None if counted is None else counted - expected, devices,
        [dict(r) for r in flag_rows],
    )


def report_text(reports: list[CollectorReport], locale: str = "zh") -> str:
    """The reports as plain text, one block per collector; each flag's sentence in ``locale``."""
    if not reports:
        return "no collector did anything on that day"
    lines: list[str] = []
    for r in reports:
        lines.append(f"{r.name}  {r.day}  visited {r.visited}/{r.assigned} assigned" + (f"  devices: {', '.join(r.devices)}" if r.devices else ""))
        if r.outcomes:
            lines.append("  outcomes: " + ", ".join(f"{k} {v}" for k, v in r.outcomes.items()))
        lines.append(f"  promises {r.promises}, complaints {r.complaints}")
        for m in r.money:
            span = m.first_receipt if m.first_receipt == m.last_receipt else f"{m.first_receipt}..{m.last_receipt}"
            lines.append(f"  {m.method:<14}{m.count:>4} receipts  {format_yuan(m.amount_fen, symbol=True):>14}  {span}")
        lines.append(f"  total {format_yuan(r.total_fen, symbol=True)}")
        for v in r.voids:
            lines.append(f"  void {v['receipt_no']} {format_yuan(int(v['amount_fen']), symbol=True)}: {v['reason']}")
        cash = f"  cash: receipts {format_yuan(r.cash_expected_fen, symbol=True)}"
        if r.cash_counted_fen is None:
            cash += ", not counted yet"
        else:
            assert r.cash_difference_fen is not None
            diff = r.cash_difference_fen
            cash += f", counted {format_yuan(r.cash_counted_fen, symbol=True)}, " + ("matches" if diff == 0 else f"difference {format_yuan(diff, symbol=True)}")
        lines.append(cash)
        for f in r.flags:
            sentence = f["message_en"] if locale == "en" and f.get("message_en") else f["message"]
            lines.append(f"  ! [{f['flag_id'][-8:]}] {sentence}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def reports_json(reports: list[CollectorReport]) -> str:
    """The reports as one JSON document."""
    return json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2)
