"""``knock check``: is this ledger what its events say it is?

The events are the truth and carry a hash chain per device; every other table
is derived from them. Someone with the laptop and an SQLite shell could still
edit a derived table (a PIN hash, a household's owner), drop a trigger, or
delete a payment with its event. This module finds that:

- :func:`quick_check` (run when the field app starts; a few indexed queries
  and the hash of each device's newest events): every device's sequence is
  1..n without gaps, the newest events still hash and link, receipt numbers
  per device run 1..n without a gap or repeat, each insert-only table has one
  row per event that made it, the append-only triggers are all in place, and
  the staff table (PIN hashes, roles) equals a replay of the staff events;
- :func:`full_check` (``knock check --full``) adds every event's hash and
  link, and compares every projection table with a replay of the whole log
  into a fresh ledger.

Each finding is one plain sentence; an empty list means the ledger is intact.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

from knock.core.events import GENESIS, Event, EventKind as K
from knock.core.projections import project
from knock.core.schema import APPEND_ONLY_TABLES
from knock.core.store import Store

TAIL = 64
"""Events per device whose hashes the quick check recomputes (the newest ones: where an edit would go)."""

PROJECTION_TABLES: dict[str, str] = {
    "devices": "device_id",
    "communities": "community_id",
    "households": "household_id",
    "charges": "charge_id",
    "charge_reversals": "charge_id",
    "payments": "payment_id",
    "payment_items": "payment_id, line",
    "payment_voids": "payment_id",
    "receipt_prints": "event_id",
    "staff": "staff_id",
    "contacts": "contact_id",
    "promises": "promise_id",
    "complaints": "complaint_id",
    "escalations": "escalation_id",
    "assignments": "day, household_id",
    "phone_reveals": "event_id",
    "signin_attempts": "event_id",
}
"""Every table rebuilt from the events, with the columns that order it for comparison."""

_ONE_ROW_PER_EVENT: dict[str, tuple[str, ...]] = {
    "households": (K.HOUSEHOLD_REGISTERED,),
    "charges": (K.CHARGE_ADDED,),
    "charge_reversals": (K.CHARGE_REVERSED,),
    "payments": (K.PAYMENT_RECORDED,),
    "payment_voids": (K.PAYMENT_VOIDED,),
    "receipt_prints": (K.RECEIPT_PRINTED,),
    "staff": (K.STAFF_REGISTERED,),
    "contacts": (K.CONTACT_LOGGED,),
    "promises": (K.PROMISE_MADE,),
    "complaints": (K.COMPLAINT_OPENED,),
    "escalations": (K.ESCALATION_RECORDED,),
    "phone_reveals": (K.PHONE_REVEALED,),
    "signin_attempts": (K.SIGNIN_ATTEMPTED, K.SIGNIN_UNLOCKED),
}
"""Tables that get exactly one row per event of these kinds: their counts must agree."""


def _event_chain(rows: Iterable[sqlite3.Row], device_id: str, start_prev: str | None, *, partial: bool = False) -> list[str]:
    """Every event's own hash, and each link to the event before it; in a ``partial`` chain (see
    :func:`_partial_devices`) only the links between neighbours that are both here."""
    problems: list[str] = []
    prev = start_prev
    prev_seq = 0
    for row in rows:
        event = Event.from_row(row)
        if prev is not None and event.prev_hash != prev and (not partial or prev_seq == event.seq - 1):
            problems.append(f"device {device_id}: event {event.seq} does not link to event {event.seq - 1} (hash chain broken)")
        if not event.hash_is_valid():
            problems.append(f"device {device_id}: event {event.seq} ({event.kind}) was changed after it was written")
        prev = event.hash
        prev_seq = event.seq
    return problems


def _partial_devices(store: Store) -> set[str]:
    """On a laptop that loads packs, every device but the laptop itself.

    Why: a pack carries only the events its collectors need (the office's assignments for them,
    other laptops' payments on their households; loaded without a chain check, see
    ``sync/packs.py``), so those chains have gaps here by design. The office signed the pack;
    here each of their events must still hash right and link where its neighbour is present,
    and the laptop's own chain is checked whole. An office ledger, fed by merges of whole
    chains, has no partial device.
    """
    laptops = {str(r[0]) for r in store.query("SELECT DISTINCT device_id FROM packs_loaded")}
    if not laptops:
        return set()
    return {str(r[0]) for r in store.query(_DEVICES)} - laptops


_DEVICES = "SELECT n.name FROM (SELECT DISTINCT device_code FROM event_log) c JOIN event_names n ON n.code = c.device_code"
"""Every device with events. The counts and lists over the whole log read ``event_log`` by its
codes (an index alone), not the ``events`` view, which would look up each row's names."""


def _sequences(store: Store) -> list[str]:
    problems: list[str] = []
    partial = _partial_devices(store)
    for row in store.query(
        "SELECT n.name AS device_id, c.n, c.lo, c.hi FROM (SELECT device_code, COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi"
        " FROM event_log GROUP BY device_code) c JOIN event_names n ON n.code = c.device_code"
    ):
        if (row["lo"] != 1 or row["hi"] != row["n"]) and row["device_id"] not in partial:
            problems.append(f"device {row['device_id']}: events numbered {row['lo']}..{row['hi']} but {row['n']} are present (events missing)")
    return problems


def _chain_tails(store: Store) -> list[str]:
    problems: list[str] = []
    partial = _partial_devices(store)
    for (device_id,) in store.query(_DEVICES):
        rows = list(reversed(store.query("SELECT * FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT ?", (device_id, TAIL + 1))))
        start = None
        if rows and rows[0]["seq"] == 1:
            start = GENESIS
        problems += _event_chain(rows, device_id, start, partial=device_id in partial)
    return problems


def _full_chains(store: Store) -> list[str]:
    problems: list[str] = []
    partial = _partial_devices(store)
    for (device_id,) in store.query(_DEVICES):
        rows = store.iterate("SELECT * FROM events WHERE device_id = ? ORDER BY seq", (device_id,))
        problems += _event_chain(rows, device_id, GENESIS, partial=device_id in partial)
    return problems


def _receipts(store: Store) -> list[str]:
    problems: list[str] = []
    partial = _partial_devices(store)  # a pack brings only the receipts of its collectors' households
    for row in store.query(
        "SELECT p.device_id, COUNT(*) AS n, COUNT(DISTINCT receipt_seq) AS distinct_n, MIN(receipt_seq) AS lo, MAX(receipt_seq) AS hi,"
        " COALESCE(d.device_code, '') AS code FROM payments p LEFT JOIN devices d ON d.device_id = p.device_id GROUP BY p.device_id"
    ):
        code = row["code"] or row["device_id"]
        if row["distinct_n"] != row["n"]:
            problems.append(f"device {code}: a receipt number is used twice")
        if (row["lo"] != 1 or row["hi"] != row["distinct_n"]) and row["device_id"] not in partial:
            have = {r[0] for r in store.query("SELECT receipt_seq FROM payments WHERE device_id = ?", (row["device_id"],))}
            missing = sorted(set(range(1, row["hi"] + 1)) - have)
            shown = ", ".join(f"{code}-{seq:06d}" for seq in missing[:10]) + (" …" if len(missing) > 10 else "")
            problems.append(f"device {code}: receipts missing from the ledger: {shown}")
    wrong = store.query(
        "SELECT receipt_no FROM payments p JOIN devices d ON d.device_id = p.device_id"
        " WHERE p.receipt_no != d.device_code || '-' || substr('000000' || p.receipt_seq, -6) LIMIT 10"
    )
    problems += [f"receipt {r['receipt_no']}: its number does not match its device and sequence" for r in wrong]
    return problems


def _counts(store: Store) -> list[str]:
    """One pass over the log counts every kind (a count per table would read it once per table)."""
    kinds = sorted({kind for group in _ONE_ROW_PER_EVENT.values() for kind in group})
    marks = ",".join("?" for _ in kinds)
    logged = {
        r[0]: int(r[1])
        for r in store.query(
            f"SELECT n.name, COUNT(*) FROM event_names n JOIN event_log l ON l.kind_code = n.code WHERE n.name IN ({marks}) GROUP BY n.name", kinds
        )
    }
    parked = {
        r[0]: int(r[1])
        for r in store.query(
            "SELECT e.kind, COUNT(*) FROM sync_parked p JOIN events e ON e.event_id = p.event_id WHERE p.applied_at IS NULL GROUP BY e.kind"
        )
    }
    problems: list[str] = []
    for table, group in _ONE_ROW_PER_EVENT.items():
        events = sum(logged.get(kind, 0) - parked.get(kind, 0) for kind in group)
        rows = int(store.scalar(f"SELECT COUNT(*) FROM {table}"))
        if rows != events:
            problems.append(f"table {table} has {rows} rows but the events record {events}: it was edited outside Knock")
    return problems


def _triggers(store: Store) -> list[str]:
    present = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    problems = []
    for table in APPEND_ONLY_TABLES:
        for action in ("update", "delete"):
            if f"{table}_no_{action}" not in present:
                problems.append(f"table {table} has lost its append-only guard ({table}_no_{action} trigger)")
    return problems


def _rows(store: Store, table: str, order: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in store.query(f"SELECT * FROM {table} ORDER BY {order}")]


def _replayed(store: Store, kinds: tuple[str, ...] | None, scratch: Path | str) -> Store:
    """A fresh ledger with the projections of ``store``'s events (all, or only ``kinds``), in the order they were applied.

    That is arrival order, except for events a merge parked: those are applied
    where their ``sync.unparked`` event says they were, or not at all while parked.
    """
    target = Store(scratch)
    parked = {r[0] for r in store.query("SELECT event_id FROM sync_parked")}
    where = "" if kinds is None else f" WHERE kind IN ({','.join('?' for _ in kinds + (K.SYNC_UNPARKED,))})"
    with target.transaction() as conn:
        for row in store.iterate(f"SELECT * FROM events{where} ORDER BY rowid", (kinds + (K.SYNC_UNPARKED,)) if kinds else ()):
            event = Event.from_row(row)
            if event.kind == K.SYNC_UNPARKED:
                waiting = store.query_one("SELECT * FROM events WHERE event_id = ?", (event.payload["event_id"],))
                if waiting is not None and (kinds is None or waiting["kind"] in kinds):
                    project(conn, Event.from_row(waiting))
                if kinds is not None:
                    continue
            elif event.event_id in parked:
                continue
            project(conn, event)
    return target


def _compare(store: Store, replay: Store, tables: Iterable[str]) -> list[str]:
    problems = []
    for table in tables:
        order = PROJECTION_TABLES[table]
        mine, theirs = _rows(store, table, order), _rows(replay, table, order)
        if mine != theirs:
            differ = len(set(mine) ^ set(theirs))
            problems.append(f"table {table} differs from a replay of the events ({differ} rows differ): it was edited outside Knock")
    return problems


def quick_check(store: Store) -> list[str]:
    """The cheap checks (see the module docstring): fast enough for every start of the field app."""
    problems = _sequences(store) + _chain_tails(store) + _receipts(store) + _counts(store) + _triggers(store)
    try:
        replay = _replayed(store, (K.STAFF_REGISTERED, K.STAFF_UPDATED), ":memory:")
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:  # a payload damaged by hand (a finding above too)
        return [*problems, f"the staff events cannot be replayed: {exc!r}"]
    try:
        problems += _compare(store, replay, ["staff"])
    finally:
        replay.close()
    return problems


def full_check(store: Store) -> list[str]:
    """Everything: every hash and link, and every projection table against a full replay."""
    problems = _sequences(store) + _full_chains(store) + _receipts(store) + _counts(store) + _triggers(store)
    with tempfile.TemporaryDirectory(prefix="knock-check-") as tmp:
        try:
            replay = _replayed(store, None, Path(tmp) / "replay.db")
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
            return [*problems, f"the events cannot be replayed: {exc!r}"]
        try:
            problems += _compare(store, replay, PROJECTION_TABLES)
        finally:
            replay.close()
    return problems
