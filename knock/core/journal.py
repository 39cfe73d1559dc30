"""Writing events: this device's chain, and events that arrive from others.

Local events get the next sequence number and the chain hash of this device.
Incoming events (from a sync file or the server) are checked: a known id with
the same hash is a no-op, a known id with a different hash is refused loudly,
and an event must continue its device's chain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ulid import ULID

from knock.core.events import GENESIS, ChainError, Event, EventConflict
from knock.core.projections import project
from knock.core.store import Store

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Local time with its UTC offset: the device clock events carry."""
    return datetime.now().astimezone()


def new_id() -> str:
    """A ULID: sortable by time, unique without a server."""
    return str(ULID())


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
        row = self.store.query_one(
            "SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", (device_id,)
        )
        return (0, GENESIS) if row is None else (int(row["seq"]), str(row["hash"]))

    def append(self, kind: str, payload: dict[str, Any], *, author: str) -> Event:
        """Write a new local event (inside the caller's transaction, or its own)."""
        with self.store.transaction() as conn:
            seq, prev = self._head(self.device_id)
            event = Event.create(
                event_id=new_id(),
                device_id=self.device_id,
                seq=seq + 1,
                author=author,
                device_time=self.clock().isoformat(timespec="seconds"),
                kind=kind,
                payload=payload,
                prev_hash=prev,
            )
            self._store(conn, event)
            self._head_cache = (self.store.write_epoch, event.seq, event.hash)
            return event

    def ingest(self, event: Event) -> bool:
        """Take an event from another device. Returns False when it was already here."""
        if not event.hash_is_valid():
            raise ChainError(f"event {event.event_id}: hash does not match its content")
        with self.store.transaction() as conn:
            existing = self.store.query_one("SELECT hash FROM events WHERE event_id = ?", (event.event_id,))
            if existing is not None:
                if existing["hash"] == event.hash:
                    return False
                raise EventConflict(
                    f"event {event.event_id} from device {event.device_id} arrived again with different content"
                )
            seq, prev = self._head(event.device_id)
            if event.seq != seq + 1 or event.prev_hash != prev:
                raise ChainError(
                    f"event {event.event_id}: device {event.device_id} seq {event.seq} does not follow seq {seq}"
                )
            self._store(conn, event)
            return True

    def _store(self, conn: Any, event: Event) -> None:
        row = event.to_row()
        row["received_at"] = self.clock().isoformat(timespec="seconds")
        conn.execute(
            "INSERT INTO events (event_id, device_id, seq, author, device_time, kind, payload, prev_hash, hash, received_at)"
            " VALUES (:event_id, :device_id, :seq, :author, :device_time, :kind, :payload, :prev_hash, :hash, :received_at)",
            row,
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
