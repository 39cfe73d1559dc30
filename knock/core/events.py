"""The append-only event log: every change to the ledger is one event.

An event is a frozen fact with a client-made ULID, the device that wrote it,
that device's sequence number and clock, and a JSON payload. Each device's
events form a hash chain (each hash covers the previous one), so a sync file
that drops, reorders or edits an event is caught. Current state is derived
from the events by :mod:`knock.core.projections`; nothing here is ever updated
or deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS = "0" * 64
"""prev_hash of a device's first event."""

GENESIS_BYTES = bytes(32)
"""GENESIS as the ledger stores hashes: 32 raw bytes."""


def chain_digest(
    prev_hash: str, event_id: str, device_id: str, seq: int, author: str, device_time: str, kind: str, payload_json: str
) -> str:
    """The chain hash (hex) of an event whose payload is already in canonical JSON: the one hash rule."""
    text = "\n".join((prev_hash, event_id, device_id, str(seq), author, device_time, kind, payload_json))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_text(value: str | bytes | None) -> str:
    """A hash as events and sync files carry it (64 hex digits), from the stored 32 bytes or hex text."""
    if value is None:
        return ""
    return value.hex() if isinstance(value, bytes) else value


def hash_bytes(value: str) -> bytes:
    """A hex hash as the ledger stores it (32 raw bytes); text that is not hex is kept as its bytes,
    so a damaged value is stored as it came and fails verification instead of vanishing."""
    try:
        return bytes.fromhex(value)
    except ValueError:
        return value.encode("utf-8")


class EventKind:
    """The kinds of event the ledger knows. Strings, because they travel in sync files."""

    DEVICE_REGISTERED = "device.registered"
    COMMUNITY_CREATED = "community.created"
    HOUSEHOLD_REGISTERED = "household.registered"
    HOUSEHOLD_UPDATED = "household.updated"
    CHARGE_ADDED = "charge.added"
    CHARGE_REVERSED = "charge.reversed"
    PAYMENT_RECORDED = "payment.recorded"
    PAYMENT_VOIDED = "payment.voided"
    RECEIPT_PRINTED = "receipt.printed"
    CONTACT_LOGGED = "contact.logged"
    PROMISE_MADE = "promise.made"
    COMPLAINT_OPENED = "complaint.opened"
    COMPLAINT_CLOSED = "complaint.closed"
    ESCALATION_RECORDED = "escalation.recorded"
    STAFF_REGISTERED = "staff.registered"
    STAFF_UPDATED = "staff.updated"
    ASSIGNMENTS_SET = "assignments.set"
    PHONE_REVEALED = "phone.revealed"
    GUARD_OVERRIDDEN = "guard.overridden"
    TEXT_FLAGGED = "text.flagged"
    PAYMENTS_EXPORTED = "payments.exported"
    DEVICE_ENROLLED = "device.enrolled"
    DEVICE_REVOKED = "device.revoked"
    SYNC_MERGED = "sync.merged"
    SYNC_FLAGGED = "sync.flagged"
    SYNC_FLAG_RESOLVED = "sync.flag_resolved"
    SYNC_PARKED = "sync.parked"
    SYNC_UNPARKED = "sync.unparked"
    CASH_COUNTED = "cash.counted"
    SIGNIN_ATTEMPTED = "signin.attempted"
    """A PIN was tried for a staff member (right or wrong): the lockout is derived from these."""
    SIGNIN_UNLOCKED = "signin.unlocked"
    """A manager lifted a staff member's lockout."""


_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""What ``json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` builds on every
call; made once, because a merge encodes every event it reads."""


def stdlib_canonical_json(payload: Any) -> str:
    """The definition of the canonical form: the standard library's sorted, compact JSON with
    ``ensure_ascii=False``. Every hash in every ledger was computed over this text."""
    return _CANONICAL_ENCODER.encode(payload)


_SCALARS = frozenset((str, int, bool, type(None)))
_CONTAINERS = frozenset((dict, list, tuple))


def _plain(value: Any) -> bool:
    """True when ``value`` is made of exactly dict, list, tuple, str, int, bool and None (no
    subclass: no Enum, no float, no datetime), the types for which orjson's output is proven
    byte-identical to :func:`stdlib_canonical_json` (tests/core/test_canonical_json.py)."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind in _SCALARS
    for item in items:
        kind = type(item)
        if kind not in _SCALARS and (kind not in _CONTAINERS or not _plain(item)):
            return False
    return True


def canonical_json(payload: Any) -> str:
    """One byte-exact JSON form, so that hashes agree on every machine: :func:`stdlib_canonical_json`.

    Written in C by orjson (0.5 µs against 3 µs) when the payload holds only the plain types
    (:func:`_plain`) and orjson can write it (integers within 64 bits, no lone surrogate, string
    keys); anything else (a float, NaN, an Enum, a datetime, a big integer) is written, or refused,
    by the standard library itself, exactly as before.
    """
    if _plain(payload):
        try:
            return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        except orjson.JSONEncodeError:
            pass  # a big integer, a lone surrogate, a key that is not a string: the stdlib decides
    return _CANONICAL_ENCODER.encode(payload)


def _may_hold_a_float(text: bytes) -> bool:
    """True when orjson's ``text`` may hold a float: every float it writes has a ``.`` or a signed
    exponent (``1.5``, ``1e+16``, ``1e-7``; tests/core/test_canonical_json.py). Floats are where
    orjson and the standard library differ (``0.00001`` against ``1e-05``). Plain ``in`` tests,
    because a regular expression costs more than the whole encoding."""
    return b"." in text or b"e-" in text or b"e+" in text


def is_canonical_json(text: bytes, parsed: Any) -> bool:
    """True when ``text`` is exactly ``canonical_json(parsed)`` in UTF-8, where ``parsed`` is what a
    JSON parser made of ``text`` (so only JSON's own types: dict, list, str, int, bool, None, float).

    Checked in C (orjson, sorted keys) where its output is proven byte-identical to the standard
    library's form (tests/core/test_canonical_json.py: every string, lone surrogates aside, and every
    64-bit integer, nested any way); anything with a float, an integer beyond 64 bits or a lone
    surrogate is decided by :func:`canonical_json` itself. A merge calls this for every event it
    reads, instead of re-encoding each payload in Python.
    """
    try:
        fast = orjson.dumps(parsed, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits or a lone surrogate: not proven, the stdlib decides
        fast = None
    if fast is not None and fast == text and not _may_hold_a_float(fast):
        return True
    # Not proven equal (a mismatch, a float, a big integer): the standard library's form decides. A
    # NaN the stdlib parser let in cannot slip through above: orjson writes it as null, and a text
    # holding null there would not have parsed to NaN.
    try:
        return stdlib_canonical_json(parsed).encode("utf-8") == text
    except (UnicodeEncodeError, ValueError, TypeError):
        return False


@dataclass(frozen=True)
class Event:
    """One fact in the log."""

    event_id: str
    """ULID made by the writing device; unique across all devices."""
    device_id: str
    seq: int
    """1, 2, 3 … per device, no gaps."""
    author: str
    """Staff id (or "system", "import") of who caused it."""
    device_time: str
    """ISO 8601 with offset, from the writing device's clock."""
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @staticmethod
    def compute_hash(
        *,
        event_id: str,
        device_id: str,
        seq: int,
        author: str,
        device_time: str,
        kind: str,
        payload: dict[str, Any],
        prev_hash: str,
    ) -> str:
        """The chain hash: covers every field and the previous event's hash."""
        return chain_digest(prev_hash, event_id, device_id, seq, author, device_time, kind, canonical_json(payload))

    @classmethod
    def create(
        cls,
        *,
        event_id: str,
        device_id: str,
        seq: int,
        author: str,
        device_time: str,
        kind: str,
        payload: dict[str, Any],
        prev_hash: str,
    ) -> Event:
        """Build an event and seal it with its hash."""
        digest = cls.compute_hash(
            event_id=event_id,
            device_id=device_id,
            seq=seq,
            author=author,
            device_time=device_time,
            kind=kind,
            payload=payload,
            prev_hash=prev_hash,
        )
        return cls(event_id, device_id, seq, author, device_time, kind, payload, prev_hash, digest)

    def hash_is_valid(self) -> bool:
        """True when the stored hash matches the content (nobody edited it)."""
        return self.hash == self.compute_hash(
            event_id=self.event_id,
            device_id=self.device_id,
            seq=self.seq,
            author=self.author,
            device_time=self.device_time,
            kind=self.kind,
            payload=self.payload,
            prev_hash=self.prev_hash,
        )

    def to_row(self) -> dict[str, Any]:
        """The ``events`` table row."""
        return {
            "event_id": self.event_id,
            "device_id": self.device_id,
            "seq": self.seq,
            "author": self.author,
            "device_time": self.device_time,
            "kind": self.kind,
            "payload": canonical_json(self.payload),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any] | Any) -> Event:
        """Rebuild from an ``events`` row (a dict or sqlite3.Row; hashes as hex text or stored bytes).

        The ``events`` view gives ``prev_hash`` derived from the previous event of the device;
        where that event is missing (a gap) it is empty, and the event fails verification.
        """
        return cls(
            event_id=row["event_id"],
            device_id=row["device_id"],
            seq=int(row["seq"]),
            author=row["author"],
            device_time=row["device_time"],
            kind=row["kind"],
            payload=json.loads(row["payload"]),
            prev_hash=hash_text(row["prev_hash"]),
            hash=hash_text(row["hash"]),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain form for sync files and --json output."""
        return {**self.to_row(), "payload": self.payload}


class EventConflict(Exception):
    """The same event id arrived again with different content: someone is lying or broken."""


class ChainError(Exception):
    """An event does not continue its device's hash chain."""
