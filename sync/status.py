"""What the office asks of sync at the end of the day: cash counted, devices not synced, open flags.

Read-only views over the sync projection tables (see ``/sync/FORMAT.md`` and the schema's
sync migration). The nightly summary, the merge screen and ``knock sync review`` use these,
so there is one answer to "who has not synced today" and "what still needs a person".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from knock.core.reports.collected import collected_fen
from knock.core.store import Store


@dataclass(frozen=True)
class CashCount:
    """The latest cash count of one collector for one day."""

    count_id: str
    day: str
    collector_id: str
    collector_name: str
    counted_fen: int
    expected_fen: int
    """Cash receipts the ledger held when the lead counted."""
    difference_fen: int
    """counted - expected; negative means cash is short."""
    counted_by: str
    counted_at: str
    event_id: str
    expected_now_fen: int
    """Cash receipts the ledger holds now (a file merged after the count changes this)."""


def cash_expected_fen(store: Store, collector_id: str, day: date | str) -> int:
    """Cash taken by a collector on a day, from receipts that are not voided: the one count of cash."""
    return collected_fen(store, day if isinstance(day, date) else date.fromisoformat(day), collector_id, method="cash")


def cash_counts(store: Store, day: date | str) -> list[CashCount]:
    """The latest count per collector for ``day``, by collector name."""
    day_text = day if isinstance(day, str) else day.isoformat()
    rows = store.query(
        "SELECT c.*, COALESCE(s.name, c.collector_id) AS collector_name FROM cash_counts c"
        " LEFT JOIN staff s ON s.staff_id = c.collector_id WHERE c.day = ?"
        " ORDER BY c.collector_id, c.counted_at, c.count_id",
        (day_text,),
    )
    latest: dict[str, Any] = {}
    for row in rows:
        latest[row["collector_id"]] = row
    return sorted(
        (
            CashCount(
                r["count_id"], r["day"], r["collector_id"], r["collector_name"], int(r["counted_fen"]), int(r["expected_fen"]),
                int(r["difference_fen"]), r["counted_by"], r["counted_at"], r["event_id"],
                cash_expected_fen(store, r["collector_id"], day_text),
            )
            for r in latest.values()
        ),
        key=lambda c: c.collector_name,
    )


@dataclass(frozen=True)
class DeviceSync:
    """An enrolled device and when its events last reached this ledger."""

    device_id: str
    name: str
    last_merged_at: str | None
    events_merged_total: int


def devices_not_synced(store: Store, day: date | str) -> list[DeviceSync]:
    """Enrolled, unrevoked devices with no file merged on ``day`` (office-local date of the merge)."""
    day_text = day if isinstance(day, str) else day.isoformat()
    rows = store.query(
        "SELECT d.device_id, d.name, MAX(m.merged_at) AS last_merged_at, COALESCE(SUM(m.new_events), 0) AS total,"
        " SUM(CASE WHEN substr(m.merged_at, 1, 10) = ? THEN 1 ELSE 0 END) AS today"
        " FROM device_enrolments d LEFT JOIN sync_merges m ON m.device_id = d.device_id"
        " WHERE d.revoked_at IS NULL GROUP BY d.device_id ORDER BY d.name",
        (day_text,),
    )
    return [DeviceSync(r["device_id"], r["name"], r["last_merged_at"], int(r["total"])) for r in rows if not r["today"]]


@dataclass(frozen=True)
class Flag:
    """Something a merge found that needs a person."""

    flag_id: str
    kind: str
    device_id: str
    collector_id: str
    household_id: str
    subject_event_id: str
    message: str
    detail: dict[str, Any]
    raised_at: str
    status: str
    resolved_at: str | None
    resolved_by: str
    resolution: str


def _flag(row: Any) -> Flag:
    return Flag(
        row["flag_id"], row["kind"], row["device_id"], row["collector_id"], row["household_id"], row["subject_event_id"],
        row["message"], json.loads(row["detail"]), row["raised_at"], row["status"], row["resolved_at"], row["resolved_by"],
        row["resolution"],
    )


def open_flags(store: Store) -> list[Flag]:
    """Flags nobody has resolved yet, oldest first."""
    return [_flag(r) for r in store.query("SELECT * FROM sync_flags WHERE status = 'open' ORDER BY raised_at, flag_id")]


def all_flags(store: Store) -> list[Flag]:
    """Every flag, oldest first."""
    return [_flag(r) for r in store.query("SELECT * FROM sync_flags ORDER BY raised_at, flag_id")]
