"""Writing events: this device's chain, and events that arrive from others.

Local events get the next sequence number and the chain hash of this device.
Incoming events (from a sync file or the server) are checked: a known id with
the same hash is a no-op, a known id with a different hash is refused loudly,
and an event must continue its device's chain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from knock.core.events import GENESIS, ChainError, Event, EventConflict, canonical_json, chain_digest, hash_bytes, hash_text
from knock.core.ids import new_id
from knock.core.payload_codec import stored_payload
from knock.core.payload_press import PRESS_ROWS, Pressing, Texts
from knock.core.stored_time import stored_time
from knock.core.projections import RecentRows, project
from knock.core.store import Store

Clock = Callable[[], datetime]

Precheck = Callable[[Event], "str | None"]
"""Says why an incoming event cannot be applied to the projections yet (or None when it can)."""

BATCH_ROWS = 2000
"""Rows buffered per statement before the bulk path writes them with one executemany."""


class BatchWriter:
    """A connection look-alike for projectors that turns many INSERTs into few ``executemany`` calls.

    INSERTs are buffered per statement text and written in the order their statements first
    appeared; any other statement (UPDATE, DELETE) first writes the buffers, so the database
    sees every change in the order the events asked for it. Foreign keys are deferred to the
    commit for the batch, because buffers of different tables are flushed table by table.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._buffers: dict[str, list[Any]] = {}
        self._pending = 0
        self.recent = RecentRows()
        """What the projectors wrote through this writer and look up again (a payment's room and
        charges): answered from memory, so a look-up does not write the buffers out."""
        conn.execute("PRAGMA defer_foreign_keys = ON")

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor | None:
        """Buffer an INSERT; run anything else at once (after the buffers), returning its cursor.

        A projector's look-up (a SELECT) therefore sees every row buffered before it.
        """
        buffer = self._buffers.get(sql)
        if buffer is None and sql.lstrip()[:6].upper() == "INSERT":
            buffer = self._buffers[sql] = []
        if buffer is not None:
            buffer.append(params)
            self._pending += 1
            if self._pending >= BATCH_ROWS:
                self.flush()
            return None
        self.flush()
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Any]) -> None:
        """Like :meth:`execute` for many rows."""
        for row in rows:
            self.execute(sql, row)

    def flush(self) -> None:
        """Write every buffered row."""
        for sql, rows in self._buffers.items():
            if rows:
                self.conn.executemany(sql, rows)
        self._buffers.clear()
        self._pending = 0


@dataclass
class IngestResult:
    """What a bulk ingest did."""

    added: list[Event] = field(default_factory=list)
    already_here: int = 0
    parked: list[tuple[Event, str]] = field(default_factory=list)
    """Events stored in the log but not applied to the projections, with the reason."""


_EVENT_INSERT = (
    "INSERT INTO event_log (event_id, device_code, seq, author_code, device_time, kind_code, payload, hash, received_at, prev_hash)"
    " VALUES (?,?,?,?,?,?,?,?,?,?)"
)
"""Rows go to the ``event_log`` table (:meth:`Journal.stored_row`: hashes as 32 bytes, names as
codes, times packed, the payload deflated); ``prev_hash`` is NULL whenever the previous event of
the device is in the log, ``received_at`` NULL when it is the device time (the ``events`` view
derives both and shows every column as the event has it)."""


def system_clock() -> datetime:
    """Local time with its UTC offset: the device clock events carry."""
    return datetime.now().astimezone()


class Journal:
    """Appends events for one device and applies them to the projections."""

    def __init__(self, store: Store, device_id: str, clock: Clock = system_clock) -> None:
        self.store = store
        self.device_id = device_id
        self.clock = clock
        self._head_cache: tuple[int, int, str] | None = None
        """(write_epoch, seq, hash) of this device's last event, valid inside one transaction
        (BEGIN IMMEDIATE holds the write lock, so nobody else can append meanwhile)."""

    def _head(self, device_id: str) -> tuple[int, str]:
        if device_id == self.device_id and self._head_cache and self._head_cache[0] == self.store.write_epoch:
            return self._head_cache[1], self._head_cache[2]
        code = self.store.name_code(device_id, add=False)
        row = None if code is None else self.store.query_one(
            "SELECT seq, hash FROM event_log WHERE device_code = ? ORDER BY seq DESC LIMIT 1", (code,)
        )
        return (0, GENESIS) if row is None else (int(row[0]), hash_text(row[1]))

    def stored_row(
        self, event_id: str, device_id: str, seq: int, author: str, device_time: str, kind: str, payload_json: str,
        digest: str, received_at: str | None, prev_hash: bytes | None,
    ) -> list[Any]:
        """The ``event_log`` row of an event, for :data:`_EVENT_INSERT` (inside a write transaction:
        a name the log has not seen yet gets its code)."""
        return self.row_with(event_id, device_id, seq, author, device_time, kind, stored_payload(kind, payload_json), digest, received_at, prev_hash)

    def row_with(
        self, event_id: str, device_id: str, seq: int, author: str, device_time: str, kind: str, stored: bytes | None,
        digest: str, received_at: str | None, prev_hash: bytes | None,
    ) -> list[Any]:
        """:meth:`stored_row` with the payload already in its stored form (or None, filled in later by the bulk path)."""
        known = self.store.name_codes()
        code = self.store.name_code
        return [
            event_id, known.get(device_id) or code(device_id), seq, known.get(author) or code(author),
            stored_time(device_time), known.get(kind) or code(kind),
            stored, hash_bytes(digest), stored_time(received_at), prev_hash,
        ]

    def append(self, kind: str, payload: dict[str, Any], *, author: str) -> Event:
        """Write a new local event (inside the caller's transaction, or its own).

        Everything is computed once: one id, one clock read (the device time is also the
        time received), one canonical JSON for the hash and the row. Inside the caller's
        transaction no savepoint is taken: a failure here rolls the caller's action back.
        """
        with self.store.joined_transaction() as conn:
            seq, prev = self._head(self.device_id)
            seq += 1
            event_id = new_id()
            now = self.clock().isoformat(timespec="seconds")
            payload_json = canonical_json(payload)
            digest = chain_digest(prev, event_id, self.device_id, seq, author, now, kind, payload_json)
            event = Event(event_id, self.device_id, seq, author, now, kind, payload, prev, digest)
            conn.execute(_EVENT_INSERT, self.stored_row(event_id, self.device_id, seq, author, now, kind, payload_json, digest, None, None))
            project(conn, event)
            self._head_cache = (self.store.write_epoch, seq, digest)
            return event

    def ingest(self, event: Event) -> bool:
        """Take an event from another device. Returns False when it was already here."""
        payload_json = canonical_json(event.payload)
        digest = chain_digest(
            event.prev_hash, event.event_id, event.device_id, event.seq, event.author, event.device_time, event.kind, payload_json
        )
        if digest != event.hash:
            raise ChainError(f"event {event.event_id}: hash does not match its content")
        with self.store.joined_transaction() as conn:
            existing = conn.execute("SELECT hash FROM event_log WHERE event_id = ?", (event.event_id,)).fetchone()
            if existing is not None:
                if hash_text(existing[0]) == event.hash:
                    return False
                raise EventConflict(
                    f"event {event.event_id} from device {event.device_id} arrived again with different content"
                )
            seq, prev = self._head(event.device_id)
            if event.seq != seq + 1 or event.prev_hash != prev:
                raise ChainError(
                    f"event {event.event_id}: device {event.device_id} seq {event.seq} does not follow seq {seq}"
                )
            self._store(conn, event, payload_json, derived_prev=True)
            return True

    def append_many(self, items: Iterable[tuple[str, dict[str, Any], str] | tuple[str, dict[str, Any], str, str]]) -> list[Event]:
        """Write many new local events ``(kind, payload, author)`` in one transaction: the bulk path.

        Each event's id, JSON and hash are computed once; events and projection rows go to
        the database with batched ``executemany``, without a savepoint per event. The batch is
        one write: its events carry the one device time read when it starts. Importers
        and the sample builder use this; a failure anywhere rolls the whole batch back.
        An item may carry a fourth element, the event id (made with :func:`new_id` just
        before), when a later payload must name this event (a contact's ``seen_payment``).
        """
        written: list[Event] = []
        press = self.store.press
        with self.store.transaction() as conn:
            seq, prev = self._head(self.device_id)
            writer = BatchWriter(conn)
            rows: list[Any] = []
            device_time = self.clock().isoformat(timespec="seconds")  # one write, one moment: the clock is read once
            # With a press, the payloads are deflated by its process while this loop goes on; their
            # rows are written at the end, once the bytes are back (nothing reads the log meanwhile).
            texts: Texts = []
            pressed: list[tuple[list[Any], Pressing]] = []
            for item in items:
                kind, payload, author = item[0], item[1], item[2]
                seq += 1
                event_id = item[3] if len(item) > 3 else new_id()  # type: ignore[misc]
                payload_json = canonical_json(payload)
                digest = chain_digest(prev, event_id, self.device_id, seq, author, device_time, kind, payload_json)
                event = Event(event_id, self.device_id, seq, author, device_time, kind, payload, prev, digest)
                if press is None:
                    rows.append(self.stored_row(event_id, self.device_id, seq, author, device_time, kind, payload_json, digest, None, None))
                else:
                    rows.append(self.row_with(event_id, self.device_id, seq, author, device_time, kind, None, digest, None, None))
                    texts.append((kind, payload_json))
                project(writer, event)  # type: ignore[arg-type]
                written.append(event)
                prev = digest
                if press is not None and len(rows) >= PRESS_ROWS:
                    pressed.append((rows, press.submit(texts)))
                    rows, texts = [], []
                elif len(rows) >= BATCH_ROWS:
                    conn.executemany(_EVENT_INSERT, rows)
                    rows.clear()
            if press is not None:
                if rows:
                    pressed.append((rows, press.submit(texts)))
                    rows = []
                for chunk, pressing in pressed:
                    for row, blob in zip(chunk, press.collect(pressing)):
                        row[6] = blob
                    conn.executemany(_EVENT_INSERT, chunk)
            if rows:
                conn.executemany(_EVENT_INSERT, rows)
            writer.flush()
            if written:
                self._head_cache = (self.store.write_epoch, seq, prev)
        return written

    def ingest_many(
        self,
        events: Sequence[Event],
        *,
        payload_json: Sequence[str] | None = None,
        precheck: Precheck | None = None,
        check_chain: bool = True,
        hashes_checked: bool = False,
    ) -> IngestResult:
        """Take many events from other devices in one transaction: the bulk path of a merge.

        Every event must carry a valid hash and continue its device's chain (after what is
        already stored); a known id with the same hash is skipped, with a different hash it
        is a conflict and nothing is written. ``payload_json`` (the canonical JSON of each
        payload, when the caller already has it) saves serialising twice. An event that
        ``precheck`` finds not applicable is stored in the log (the chain stays whole) but not
        projected; it is returned in ``parked`` for the caller to record. ``check_chain=False``
        is for a pack, whose events are a signed selection of others' chains (each hash is
        still checked; the pack's signature vouches for the selection). ``hashes_checked=True``
        says the caller has already proven each event's hash over its fields and ``payload_json``
        (a sync file's reader does, over the very bytes it read), so it is not computed twice.
        """
        result = IngestResult()
        if not events:
            return result
        with self.store.transaction() as conn:
            known: dict[str, str] = {}
            ids = [e.event_id for e in events]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(f"SELECT event_id, hash FROM event_log WHERE event_id IN ({marks})", chunk):
                    known[row[0]] = hash_text(row[1])
            heads: dict[str, tuple[int, str]] = {}
            received = self.clock().isoformat(timespec="seconds")
            writer = BatchWriter(conn)
            rows: list[tuple[Any, ...]] = []
            for index, event in enumerate(events):
                text = payload_json[index] if payload_json is not None else canonical_json(event.payload)
                if not (hashes_checked and payload_json is not None) and event.hash != chain_digest(
                    event.prev_hash, event.event_id, event.device_id, event.seq, event.author, event.device_time, event.kind, text
                ):
                    raise ChainError(f"event {event.event_id}: hash does not match its content")
                if event.event_id in known:
                    if known[event.event_id] == event.hash:
                        result.already_here += 1
                        continue
                    raise EventConflict(
                        f"event {event.event_id} from device {event.device_id} arrived again with different content"
                    )
                if check_chain:
                    if event.device_id not in heads:
                        heads[event.device_id] = self._head(event.device_id)
                    seq, prev = heads[event.device_id]
                    if event.seq != seq + 1 or event.prev_hash != prev:
                        raise ChainError(
                            f"event {event.event_id}: device {event.device_id} seq {event.seq} does not follow seq {seq}"
                        )
                    heads[event.device_id] = (event.seq, event.hash)
                known[event.event_id] = event.hash
                rows.append(self.stored_row(
                    event.event_id, event.device_id, event.seq, event.author, event.device_time, event.kind, text,
                    event.hash, received, None if check_chain else hash_bytes(event.prev_hash),
                ))
                reason = precheck(event) if precheck is not None else None
                if reason is None:
                    project(writer, event)  # type: ignore[arg-type]
                else:
                    result.parked.append((event, reason))
                result.added.append(event)
                if len(rows) >= BATCH_ROWS:
                    conn.executemany(_EVENT_INSERT, rows)
                    rows.clear()
            if rows:
                conn.executemany(_EVENT_INSERT, rows)
            writer.flush()
        return result

    def _store(self, conn: Any, event: Event, payload_json: str, *, derived_prev: bool) -> None:
        """Insert one event and project it. ``derived_prev``: the previous event of its device is
        in the log (checked by the caller), so its ``prev_hash`` need not be stored."""
        conn.execute(
            _EVENT_INSERT,
            self.stored_row(
                event.event_id, event.device_id, event.seq, event.author, event.device_time, event.kind, payload_json,
                event.hash, self.clock().isoformat(timespec="seconds"), None if derived_prev else hash_bytes(event.prev_hash),
            ),
        )
        project(conn, event)

    def verify_chain(self, device_id: str) -> list[str]:
        """Problems in one device's chain (empty when intact)."""
        problems: list[str] = []
        prev, expected = GENESIS, 1
        for row in self.store.query("SELECT * FROM events WHERE device_id = ? ORDER BY seq", (device_id,)):
            event = Event.from_row(row)
            if event.seq != expected:
                problems.append(f"seq {expected} missing before {event.seq}")
            if event.prev_hash != prev:
                problems.append(f"seq {event.seq}: chain broken")
            if not event.hash_is_valid():
                problems.append(f"seq {event.seq}: content does not match its hash")
            prev, expected = event.hash, event.seq + 1
        return problems


def replay(source: Store, target: Store) -> int:
    """Copy every event of ``source`` into ``target`` in the order they arrived.

    Rebuilding the projections this way and comparing them is how we check
    that current state really is derived from the log alone.
    """
    journal = Journal(target, device_id="replay")
    count = 0
    with target.transaction():
        for row in source.query("SELECT * FROM events ORDER BY rowid"):
            if journal.ingest(Event.from_row(row)):
                count += 1
    return count
