"""Current state, derived from events.

Each event kind has one function that writes its consequences into the
projection tables, inside the same transaction that stores the event. The
projection can always be rebuilt by replaying the log into a fresh file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from knock.core.events import Event, EventKind as K
from knock.core.rooms import parse_room

Projector = Callable[[sqlite3.Connection, Event], None]


_INSERT_SQL: dict[tuple[str, tuple[str, ...]], str] = {}
"""INSERT statements by (table, columns): built once, not once per event (the bulk path runs this per row)."""


def _insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    key = (table, tuple(row))
    sql = _INSERT_SQL.get(key)
    if sql is None:
        sql = _INSERT_SQL[key] = f"INSERT INTO {table} ({', '.join(key[1])}) VALUES ({', '.join('?' * len(key[1]))})"
    conn.execute(sql, tuple(row.values()))


class RecentRows:
    """Rooms and charges a bulk writer has just projected, remembered so that a payment's look-ups
    (its household's room, each lean line's charge) need no query.

    Why: a bulk writer (:class:`knock.core.journal.BatchWriter`) buffers its INSERTs, and any query
    first writes every buffer, so one look-up per payment cut the batches into pieces a few rows
    long. A room code and a charge's item and period never change once written (append-only), so
    what was projected in this batch is the answer; anything not held here is read from the
    database as before. At most ``limit`` rows of each are held (then it starts again).
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self.rooms: dict[str, str] = {}
        """household id -> room code."""
        self.charges: dict[str, tuple[str, str, str]] = {}
        """charge id -> (item, period start, period end)."""

    def add_room(self, household_id: str, room: str) -> None:
        if len(self.rooms) >= self.limit:
            self.rooms.clear()
        self.rooms[household_id] = room

    def add_charge(self, charge_id: str, item: str, period_start: str, period_end: str) -> None:
        if len(self.charges) >= self.limit:
            self.charges.clear()
        self.charges[charge_id] = (item, period_start, period_end)


def _recent(conn: Any) -> RecentRows | None:
    """The bulk writer's :class:`RecentRows` (a plain connection has none)."""
    return getattr(conn, "recent", None)


def _json_list(value: Any) -> str:
    """A list column's JSON; the common empty list without a trip through the encoder."""
    return "[]" if value == [] else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _device(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    conn.execute(
        "INSERT OR IGNORE INTO devices (device_id, device_code, name, public_key, registered_at) VALUES (?,?,?,?,?)",
        (p["device_id"], p["device_code"], p["name"], p["public_key"], e.device_time),
    )


def _community(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(conn, "communities", {"community_id": p["community_id"], "name": p["name"], "address": p.get("address", "")})


def _household(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    room = parse_room(p["room"])
    _insert(
        conn,
        "households",
        {
            "household_id": p["household_id"],
            "room": room.code,
            "building": room.building,
            "unit": room.unit,
            "room_no": room.room_no,
            "floor": room.floor,
            "owner_name": p["owner_name"],
            "gender": p.get("gender", ""),
            "phones": _json_list(p.get("phones", [])),
            "area_centi_m2": int(p.get("area_centi_m2", 0)),
            "occupancy": p.get("occupancy", "occupied"),
            "notes": p.get("notes", ""),
            "tags": json.dumps(sorted(p.get("tags", [])), ensure_ascii=False, sort_keys=True),
            "other_phones": _json_list(p.get("other_phones", [])),
            "registered_at": e.device_time,
            "billing_code": p.get("billing_code", ""),
        },
    )
    recent = _recent(conn)
    if recent is not None:
        recent.add_room(p["household_id"], room.code)


_HOUSEHOLD_FIELDS = {"owner_name", "gender", "phones", "area_centi_m2", "occupancy", "notes", "tags", "billing_code", "other_phones"}


def _household_updated(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    for field, value in p["fields"].items():
        if field not in _HOUSEHOLD_FIELDS:
            raise ValueError(f"household.updated: unknown field {field!r}")
        if field in ("phones", "tags", "other_phones"):
            value = json.dumps(sorted(value) if field == "tags" else value, ensure_ascii=False, sort_keys=True)
        conn.execute(f"UPDATE households SET {field} = ? WHERE household_id = ?", (value, p["household_id"]))


_CHARGE_SQL = (
    "INSERT INTO charges (charge_id, household_id, item, period_start, period_end, due_date, amount_fen, source, billing_item, event_id)"
    " VALUES (?,?,?,?,?,?,?,?,?,?)"
)


def _charge(conn: sqlite3.Connection, e: Event) -> None:
    # One fixed statement and a tuple, like the other hot projectors: most events are charges.
    p = e.payload
    get = p.get
    conn.execute(
        _CHARGE_SQL,
        (
            p["charge_id"], p["household_id"], p["item"], p["period_start"], p["period_end"], p["due_date"], int(p["amount_fen"]),
            get("source", ""), get("billing_item", ""), e.event_id,
        ),
    )
    recent = _recent(conn)
    if recent is not None:
        recent.add_charge(p["charge_id"], p["item"], p["period_start"], p["period_end"])


def _charge_reversed(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(conn, "charge_reversals", {"charge_id": p["charge_id"], "reason": p["reason"], "reversed_at": e.device_time, "event_id": e.event_id})


_PAYMENT_SQL = (
    "INSERT INTO payments (payment_id, household_id, amount_fen, method, collector_id, collector_name, device_id, paid_at,"
    " receipt_no, receipt_seq, owed_after_fen, credit_after_fen, qr_text, payer, event_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_PAYMENT_ITEM_SQL = (
    "INSERT INTO payment_items (payment_id, line, charge_id, item, period_start, period_end, amount_fen) VALUES (?,?,?,?,?,?,?)"
)


def _payment(conn: sqlite3.Connection, e: Event) -> None:
    # The hot projectors (payments, contacts, promises, receipt prints) pass one fixed statement and
    # a tuple: a merge applies a million of these, and building a dict per row was a third of it.
    p = e.payload
    get = p.get
    payment_id = p["payment_id"]
    qr_text = p["qr_text"] if "qr_text" in p else _receipt_text(conn, e)
    conn.execute(
        _PAYMENT_SQL,
        (
            payment_id, p["household_id"], int(p["amount_fen"]), p["method"], p["collector_id"], p["collector_name"],
            e.device_id, p["paid_at"], p["receipt_no"], int(p["receipt_seq"]), int(p["owed_after_fen"]),
            int(p["credit_after_fen"]), qr_text, get("payer", ""), e.event_id,
        ),
    )
    for line, item in enumerate(p["items"], start=1):
        if "item" not in item:  # a lean line: the charge says what and for which period
            item = {**item, **_charge_fields(conn, e, item["charge_id"])}
        get = item.get
        conn.execute(
            _PAYMENT_ITEM_SQL,
            (payment_id, line, get("charge_id"), item["item"], get("period_start"), get("period_end"), int(item["amount_fen"])),
        )


def _charge_fields(conn: sqlite3.Connection, e: Event, charge_id: str) -> dict[str, Any]:
    recent = _recent(conn)
    held = recent.charges.get(charge_id) if recent is not None else None
    if held is not None:
        return {"item": held[0], "period_start": held[1], "period_end": held[2]}
    row = conn.execute("SELECT item, period_start, period_end FROM charges WHERE charge_id = ?", (charge_id,)).fetchone()
    if row is None:
        raise ValueError(f"payment {e.payload['payment_id']}: charge {charge_id} is not in the ledger")
    return {"item": row[0], "period_start": row[1], "period_end": row[2]}


def _receipt_text(conn: sqlite3.Connection, e: Event) -> str:
    """A lean payment keeps only the receipt's signature: the verification text is rebuilt from the
    payment, its device and the room (a room code never changes), byte for byte as it was signed."""
    from knock.core.signing import ReceiptFields, receipt_text_from  # cryptography loads only where receipts are

    p = e.payload
    signature = p.get("receipt_sig", "")
    if not signature:
        return ""
    recent = _recent(conn)
    room = recent.rooms.get(p["household_id"]) if recent is not None else None
    if room is None:
        row = conn.execute("SELECT room FROM households WHERE household_id = ?", (p["household_id"],)).fetchone()
        if row is None:
            raise ValueError(f"payment {p['payment_id']}: household {p['household_id']} is not in the ledger")
        room = row[0]
    fields = ReceiptFields(p["receipt_no"], int(p["amount_fen"]), room, datetime.fromisoformat(p["paid_at"]), e.device_id)
    return receipt_text_from(fields, signature)


def _payment_voided(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(conn, "payment_voids", {"payment_id": p["payment_id"], "reason": p["reason"], "voided_at": e.device_time, "voided_by": e.author, "event_id": e.event_id})


_RECEIPT_PRINT_SQL = "INSERT INTO receipt_prints (event_id, receipt_no, printed_at, reprint) VALUES (?,?,?,?)"


def _receipt_printed(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    conn.execute(_RECEIPT_PRINT_SQL, (e.event_id, p["receipt_no"], e.device_time, int(bool(p["reprint"]))))


_CONTACT_SQL = (
    "INSERT INTO contacts (contact_id, household_id, channel, outcome, reason, note, collector_id, at, override_by, warnings,"
    " template, message_id, event_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _contact(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    get = p.get
    message_id = get("message_id", "")
    if message_id and conn.execute("SELECT 1 FROM contacts WHERE message_id = ?", (message_id,)).fetchone():
        # The same text confirmed on two laptops: both events stay in the log, it counts once.
        return
    conn.execute(
        _CONTACT_SQL,
        (
            p["contact_id"], p["household_id"], p["channel"], p["outcome"], get("reason", ""), get("note", ""), p["collector_id"],
            p["at"], get("override_by", ""), _json_list(get("warnings", [])), get("template", ""), message_id, e.event_id,
        ),
    )


_PROMISE_SQL = (
    "INSERT INTO promises (promise_id, household_id, contact_id, made_at, due_date, window, amount_fen, collector_id, event_id)"
    " VALUES (?,?,?,?,?,?,?,?,?)"
)


def _promise(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    get = p.get
    conn.execute(
        _PROMISE_SQL,
        (p["promise_id"], p["household_id"], get("contact_id", ""), p["made_at"], p["due_date"], p["window"], get("amount_fen"), p["collector_id"], e.event_id),
    )


def _complaint_opened(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "complaints",
        {
            "complaint_id": p["complaint_id"],
            "household_id": p["household_id"],
            "category": p["category"],
            "text": p["text"],
            "staff_involved": p.get("staff_involved", ""),
            "opened_at": p.get("at", e.device_time),
            "opened_by": e.author,
        },
    )


def _complaint_closed(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    conn.execute(
        "UPDATE complaints SET status = 'closed', closed_at = ?, resolution = ? WHERE complaint_id = ?",
        (p.get("at", e.device_time), p.get("resolution", ""), p["complaint_id"]),
    )


def _escalation(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "escalations",
        {
            "escalation_id": p["escalation_id"],
            "household_id": p["household_id"],
            "step": p["step"],
            "at": p.get("at", e.device_time),
            "author": e.author,
            "deadline": p.get("deadline"),
            "note": p.get("note", ""),
            "event_id": e.event_id,
        },
    )


def _staff(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "staff",
        {
            "staff_id": p["staff_id"],
            "name": p["name"],
            "role": p["role"],
            "team": p.get("team", ""),
            "phone": p.get("phone", ""),
            "active": int(p.get("active", True)),
            "pin_hash": p.get("pin_hash", ""),
        },
    )


_STAFF_FIELDS = {"name", "role", "team", "phone", "active", "pin_hash"}


def _staff_updated(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    for field, value in p["fields"].items():
        if field not in _STAFF_FIELDS:
            raise ValueError(f"staff.updated: unknown field {field!r}")
        if field == "active":
            value = int(bool(value))
        conn.execute(f"UPDATE staff SET {field} = ? WHERE staff_id = ?", (value, p["staff_id"]))


def _assignments(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    day = p["day"]
    if p.get("replace_day", True):
        conn.execute("DELETE FROM assignments WHERE day = ?", (day,))
    # A laptop holds only its collectors' households (see sync packs): pairs for homes or staff it
    # does not hold are not its business. At the office every pair's household and staff exist.
    conn.executemany(
        "INSERT OR REPLACE INTO assignments (day, household_id, staff_id, event_id) SELECT ?, ?, ?, ?"
        " WHERE EXISTS (SELECT 1 FROM households WHERE household_id = ?) AND EXISTS (SELECT 1 FROM staff WHERE staff_id = ?)",
        [(day, household_id, staff_id, e.event_id, household_id, staff_id) for household_id, staff_id in p["pairs"]],
    )


def _phone_revealed(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(conn, "phone_reveals", {"event_id": e.event_id, "household_id": p["household_id"], "staff_id": p["staff_id"], "at": e.device_time})


def _payments_exported(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "payment_exports",
        {
            "export_id": p["export_id"],
            "exported_at": e.device_time,
            "exported_by": e.author,
            "range_from": p.get("range_from"),
            "range_to": p.get("range_to"),
            "since_last": int(bool(p.get("since_last", False))),
            "file_name": p.get("file_name", ""),
            "lines": int(p["lines"]),
            "total_fen": int(p["total_fen"]),
            "event_id": e.event_id,
        },
    )
    # A fact exported twice (two overlapping date ranges) keeps its first export.
    conn.executemany(
        "INSERT OR IGNORE INTO exported_facts (fact_event_id, export_id) VALUES (?, ?)",
        [(fact, p["export_id"]) for fact in p["facts"]],
    )


def _device_enrolled(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    conn.execute(
        "INSERT OR REPLACE INTO device_enrolments (device_id, name, public_key, enrolled_at, enrolled_by, event_id)"
        " VALUES (?,?,?,?,?,?)",
        (p["device_id"], p["name"], p["public_key"], e.device_time, e.author, e.event_id),
    )


def _device_revoked(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    conn.execute(
        "UPDATE device_enrolments SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE device_id = ?",
        (e.device_time, e.author, p.get("reason", ""), p["device_id"]),
    )


def _sync_merged(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "sync_merges",
        {
            "merge_id": p["merge_id"],
            "file_sha256": p["file_sha256"],
            "device_id": p["device_id"],
            "first_seq": int(p["first_seq"]),
            "last_seq": int(p["last_seq"]),
            "event_count": int(p["event_count"]),
            "new_events": int(p["new_events"]),
            "head_hash": p["head_hash"],
            "file_created_at": p["file_created_at"],
            "merged_at": e.device_time,
            "merged_by": e.author,
            "event_id": e.event_id,
        },
    )


def _sync_flagged(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "sync_flags",
        {
            "flag_id": p["flag_id"],
            "kind": p["kind"],
            "device_id": p.get("device_id", ""),
            "collector_id": p.get("collector_id", ""),
            "household_id": p.get("household_id", ""),
            "subject_event_id": p.get("subject_event_id", ""),
            "message": p["message"],
            "detail": json.dumps(p.get("detail", {}), ensure_ascii=False, sort_keys=True),
            "raised_at": e.device_time,
            "event_id": e.event_id,
        },
    )


def _sync_flag_resolved(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    conn.execute(
        "UPDATE sync_flags SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ? WHERE flag_id = ?",
        (e.device_time, e.author, p["resolution"], p["flag_id"]),
    )


def _sync_parked(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "sync_parked",
        {"event_id": p["event_id"], "device_id": p["device_id"], "seq": int(p["seq"]), "reason": p["reason"], "parked_at": e.device_time},
    )


def _sync_unparked(conn: sqlite3.Connection, e: Event) -> None:
    conn.execute("UPDATE sync_parked SET applied_at = ? WHERE event_id = ?", (e.device_time, e.payload["event_id"]))


def _cash_counted(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "cash_counts",
        {
            "count_id": p["count_id"],
            "day": p["day"],
            "collector_id": p["collector_id"],
            "counted_fen": int(p["counted_fen"]),
            "expected_fen": int(p["expected_fen"]),
            "difference_fen": int(p["counted_fen"]) - int(p["expected_fen"]),
            "counted_by": e.author,
            "counted_at": e.device_time,
            "event_id": e.event_id,
        },
    )
def _signin_attempted(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(conn, "signin_attempts", {"event_id": e.event_id, "staff_id": p["staff_id"], "at": p["at"], "outcome": "ok" if p["ok"] else "wrong"})


def _signin_unlocked(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(conn, "signin_attempts", {"event_id": e.event_id, "staff_id": p["staff_id"], "at": p["at"], "outcome": "unlocked", "by_staff_id": p["by"]})


def _guard_overridden(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "guard_overrides",
        {
            "event_id": e.event_id,
            "household_id": p["household_id"],
            "contact_id": p.get("contact_id", ""),
            "rule": p["rule"],
            "manager_id": p["manager_id"],
            "reason": p.get("reason", ""),
            "at": p.get("at", e.device_time),
            "author": e.author,
        },
    )


def _text_flagged(conn: sqlite3.Connection, e: Event) -> None:
    p = e.payload
    _insert(
        conn,
        "text_flags",
        {
            "event_id": e.event_id,
            "household_id": p.get("household_id", ""),
            "source": p["source"],
            "source_id": p.get("source_id", ""),
            "author": e.author,
            "categories": json.dumps(p["categories"], ensure_ascii=False),
            "excerpt": p["excerpt"],
            "at": p.get("at", e.device_time),
        },
    )


PROJECTORS: dict[str, Projector] = {
    K.DEVICE_REGISTERED: _device,
    K.COMMUNITY_CREATED: _community,
    K.HOUSEHOLD_REGISTERED: _household,
    K.HOUSEHOLD_UPDATED: _household_updated,
    K.CHARGE_ADDED: _charge,
    K.CHARGE_REVERSED: _charge_reversed,
    K.PAYMENT_RECORDED: _payment,
    K.PAYMENT_VOIDED: _payment_voided,
    K.RECEIPT_PRINTED: _receipt_printed,
    K.CONTACT_LOGGED: _contact,
    K.PROMISE_MADE: _promise,
    K.COMPLAINT_OPENED: _complaint_opened,
    K.COMPLAINT_CLOSED: _complaint_closed,
    K.ESCALATION_RECORDED: _escalation,
    K.STAFF_REGISTERED: _staff,
    K.STAFF_UPDATED: _staff_updated,
    K.ASSIGNMENTS_SET: _assignments,
    K.PHONE_REVEALED: _phone_revealed,
    K.GUARD_OVERRIDDEN: _guard_overridden,
    K.TEXT_FLAGGED: _text_flagged,
    K.PAYMENTS_EXPORTED: _payments_exported,
    K.DEVICE_ENROLLED: _device_enrolled,
    K.DEVICE_REVOKED: _device_revoked,
    K.SYNC_MERGED: _sync_merged,
    K.SYNC_FLAGGED: _sync_flagged,
    K.SYNC_FLAG_RESOLVED: _sync_flag_resolved,
    K.SYNC_PARKED: _sync_parked,
    K.SYNC_UNPARKED: _sync_unparked,
    K.CASH_COUNTED: _cash_counted,
    K.SIGNIN_ATTEMPTED: _signin_attempted,
    K.SIGNIN_UNLOCKED: _signin_unlocked,
}
"""One projector per event kind; an unknown kind is refused, never ignored."""


def project(conn: sqlite3.Connection, event: Event) -> None:
    """Apply one event to the projection tables."""
    try:
        projector = PROJECTORS[event.kind]
    except KeyError:
        raise ValueError(f"unknown event kind {event.kind!r} (event {event.event_id})") from None
    projector(conn, event)
