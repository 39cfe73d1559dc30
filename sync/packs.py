"""Packs: what the office gives a laptop each morning, signed, for that laptop only.

A pack holds the events a laptop needs for its collectors' households over the coming days
(the households, their charges, payments, visits, promises, complaints and escalations, from
every device), the staff who may sign in there (its collectors and the managers), the day's
assignments, the office's settings, and the acknowledgement of that laptop's own events the
office already merged. The office signs it; the laptop checks the signature against the
office key it pinned at enrolment and refuses a pack for another device or one older than the
pack it has. Loading a pack only adds events: the laptop's own events that the office has not
acknowledged stay exactly as they are, and go in the next sync file.

Layout: a gzip-compressed tar like the sync file, with ``pack.json`` (the manifest),
``pack.sig`` and ``events.jsonl`` (see ``sync/FORMAT.md``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from knock import paths
from knock.core.events import ChainError, Event, EventConflict, EventKind as K, canonical_json
from knock.core.journal import new_id
from knock.home import Home
from sync.devices import find_device, office_pin
from sync.errors import FileRefused, SyncError
from sync.export import record_acknowledgement
from sync.files import jsonl_lines, pack_archive, unpack_archive, write_atomically

PACK_FORMAT = "knock-pack/1"
PACK_MEMBERS = ("pack.json", "pack.sig", "events.jsonl")
PACK_SUFFIX = ".pack.tar.gz"

_GLOBAL_KINDS = {K.COMMUNITY_CREATED, K.DEVICE_REGISTERED, K.DEVICE_ENROLLED, K.DEVICE_REVOKED}
"""Everyone's: the community, device keys (receipts verify anywhere) and enrolments (a team lead's
laptop can check and merge the sticks it collects)."""
_OFFICE_ONLY = {
    K.SYNC_MERGED, K.SYNC_FLAGGED, K.SYNC_FLAG_RESOLVED, K.SYNC_PARKED, K.SYNC_UNPARKED,
    K.CASH_COUNTED, K.RECEIPT_PRINTED,
}


@dataclass(frozen=True)
class PackInfo:
    """What a pack says about itself."""

    pack_id: str
    office_device_id: str
    device_id: str
    device_name: str
    created_at: str
    office_seq: int
    collectors: tuple[str, ...]
    households: int
    count: int


def build_pack(office: Home, device: str, collectors: Iterable[str], *, days: int = 3) -> tuple[bytes, PackInfo]:
    """The signed pack for enrolled ``device`` (name or id) and its ``collectors`` (names or ids)."""
    store = office.store
    enrolled = find_device(store, device)
    if enrolled is None:
        raise SyncError(f"no enrolled device {device!r}")
    if not enrolled.active:
        raise SyncError(f"device {enrolled.name} was revoked on {str(enrolled.revoked_at)[:10]}; it gets no pack")
    people = [office.ledger.staff(c) for c in collectors]
    if not people:
        raise SyncError("a pack needs at least one collector (--collector NAME)")
    today = office.ledger.today()
    span = [(today + timedelta(days=n)).isoformat() for n in range(max(1, days))]
    ids = [p.staff_id for p in people]
    marks = ",".join("?" * len(ids))
    day_marks = ",".join("?" * len(span))
    households = {r[0] for r in store.query(f"SELECT DISTINCT household_id FROM assignments WHERE staff_id IN ({marks}) AND day IN ({day_marks})", (*ids, *span))}
    staff_ok = set(ids) | {r[0] for r in store.query("SELECT staff_id FROM staff WHERE role = 'manager' AND active = 1")}
    payments = {r[0] for r in store.query("SELECT payment_id, household_id FROM payments") if r[1] in households}
    charges = {r[0] for r in store.query("SELECT charge_id, household_id FROM charges") if r[1] in households}
    complaints = {r[0] for r in store.query("SELECT complaint_id, household_id FROM complaints") if r[1] in households}
    lines: list[str] = []
    for row in store.iterate(
        "SELECT event_id, device_id, seq, author, device_time, kind, payload, prev_hash, hash FROM events WHERE device_id != ? ORDER BY rowid",
        (enrolled.device_id,),
    ):
        kind = row["kind"]
        if kind in _OFFICE_ONLY:
            continue
        if kind not in _GLOBAL_KINDS and kind != K.ASSIGNMENTS_SET:
            payload = json.loads(row["payload"])
            if kind in (K.STAFF_REGISTERED, K.STAFF_UPDATED):
                keep = payload["staff_id"] in staff_ok
            elif kind == K.PAYMENT_VOIDED:
                keep = payload["payment_id"] in payments
            elif kind == K.CHARGE_REVERSED:
                keep = payload["charge_id"] in charges
            elif kind == K.COMPLAINT_CLOSED:
                keep = payload["complaint_id"] in complaints
            else:
                keep = payload.get("household_id") in households
            if not keep:
                continue
        elif kind == K.ASSIGNMENTS_SET and json.loads(row["payload"])["day"] < span[0]:
            continue
        lines.append(_line(row))
    events_bytes = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    head = store.query_one("SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", (enrolled.device_id,))
    office_seq = int(store.scalar("SELECT MAX(seq) FROM events WHERE device_id = ?", (office.ledger.device.device_id,)) or 0)
    settings_file = paths.settings_path(office.path)
    manifest = {
        "format": PACK_FORMAT,
        "pack_id": new_id(),
        "office_device_id": office.key.device_id,
        "device_id": enrolled.device_id,
        "device_name": enrolled.name,
        "created_at": office.ledger.now().isoformat(timespec="seconds"),
        "office_seq": office_seq,
        "days": span,
        "collectors": [{"staff_id": p.staff_id, "name": p.name} for p in people],
        "households": len(households),
        "count": len(lines),
        "ack": None if head is None else {"seq": int(head["seq"]), "hash": str(head["hash"])},
        "settings_toml": settings_file.read_text(encoding="utf-8") if settings_file.exists() else None,
        "events_sha256": hashlib.sha256(events_bytes).hexdigest(),
    }
    manifest_bytes = (canonical_json(manifest) + "\n").encode("utf-8")
    signature = base64.b64encode(office.key.sign(manifest_bytes)) + b"\n"
    data = pack_archive([("pack.json", manifest_bytes), ("pack.sig", signature), ("events.jsonl", events_bytes)])
    return data, _info(manifest)


def _line(row: Any) -> str:
    return (
        '{"author":%s,"device_id":%s,"device_time":%s,"event_id":%s,"hash":%s,"kind":%s,"payload":%s,"prev_hash":%s,"seq":%d}'
        % (
            json.dumps(row["author"], ensure_ascii=False), json.dumps(row["device_id"]), json.dumps(row["device_time"]),
            json.dumps(row["event_id"]), json.dumps(row["hash"]), json.dumps(row["kind"]), row["payload"],
            json.dumps(row["prev_hash"]), int(row["seq"]),
        )
    )


def _info(m: dict[str, Any]) -> PackInfo:
    return PackInfo(
        str(m["pack_id"]), str(m["office_device_id"]), str(m["device_id"]), str(m["device_name"]), str(m["created_at"]),
        int(m["office_seq"]), tuple(str(c["name"]) for c in m["collectors"]), int(m["households"]), int(m["count"]),
    )


def pack_file_name(device_name: str, day: str) -> str:
    """``knock-pack-<device>-<day>.pack.tar.gz``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in device_name) or "device"
    return f"knock-pack-{safe}-{day}{PACK_SUFFIX}"


@dataclass(frozen=True)
class Loaded:
    """What loading a pack did."""

    info: PackInfo
    added: int
    already_here: int
    acknowledged_seq: int | None
    settings_changed: bool


def load_pack(laptop: Home, data: bytes, source: str) -> Loaded:
    """Check and load a pack on this laptop; refuses with the exact reason and then changes nothing."""
    pin = office_pin(laptop.store)
    if pin is None:
        raise SyncError(f"{source}: this laptop has not joined an office yet (knock device join ENROLMENT)")
    members = unpack_archive(data, source, PACK_MEMBERS)
    manifest_bytes = members["pack.json"]
    try:
        m = json.loads(manifest_bytes.decode("utf-8"))
        if m.get("format") != PACK_FORMAT:
            raise ValueError(f"format is {m.get('format')!r}, expected {PACK_FORMAT}")
        info = _info(m)
        signature = base64.b64decode(members["pack.sig"].strip(), validate=True)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FileRefused(f"{source}: not a Knock pack ({exc})") from None
    try:
        Ed25519PublicKey.from_public_bytes(pin.public_key).verify(signature, manifest_bytes)
    except InvalidSignature:
        raise FileRefused(f"{source}: bad signature: this pack was not signed by this laptop's office") from None
    if info.office_device_id != pin.office_device_id:
        raise FileRefused(f"{source}: the pack names office {info.office_device_id}, this laptop belongs to {pin.office_device_id}")
    if info.device_id != laptop.key.device_id:
        raise FileRefused(f"{source}: this pack is for device {info.device_name} ({info.device_id}), not for this laptop ({pin.device_name})")
    if hashlib.sha256(members["events.jsonl"]).hexdigest() != m["events_sha256"]:
        raise FileRefused(f"{source}: events.jsonl does not match the signed pack (changed after signing)")
    last = laptop.store.query_one("SELECT pack_id, created_at, office_seq FROM packs_loaded ORDER BY office_seq DESC, created_at DESC LIMIT 1")
    if last is not None and last["pack_id"] == info.pack_id:
        return Loaded(info, 0, info.count, None, False)
    if last is not None and (info.office_seq < int(last["office_seq"]) or info.created_at < str(last["created_at"])):
        raise FileRefused(f"{source}: this pack ({info.created_at[:16]}) is older than the one already loaded ({str(last['created_at'])[:16]}); ask the office for today's")
    events = _events(members["events.jsonl"], source)
    own = laptop.ledger.device.device_id
    if any(e.device_id == own for e in events):
        raise FileRefused(f"{source}: the pack carries this laptop's own events; a pack brings others' events only")
    try:
        return _apply(laptop, info, events, m, source)
    except (ChainError, EventConflict) as exc:
        raise FileRefused(f"{source}: {exc}") from None


def _apply(laptop: Home, info: PackInfo, events: list[Event], m: dict[str, Any], source: str) -> Loaded:
    ack = m.get("ack")
    with laptop.store.transaction() as conn:
        result = laptop.ledger.journal.ingest_many(events, check_chain=False, precheck=_LaptopPrecheck(laptop))
        acked = None
        if ack:
            record_acknowledgement(laptop, int(ack["seq"]), str(ack["hash"]), source)
            acked = int(ack["seq"])
        conn.execute(
            "INSERT INTO packs_loaded (pack_id, office_device_id, device_id, created_at, office_seq, loaded_at, households) VALUES (?,?,?,?,?,?,?)",
            (info.pack_id, info.office_device_id, info.device_id, info.created_at, info.office_seq, laptop.ledger.now().isoformat(timespec="seconds"), info.households),
        )
    changed = False
    settings_text = m.get("settings_toml")
    if isinstance(settings_text, str):
        target = paths.settings_path(laptop.path)
        if not target.exists() or target.read_text(encoding="utf-8") != settings_text:
            write_atomically(target, settings_text.encode("utf-8"))
            changed = True
    return Loaded(info, len(result.added), result.already_here, acked, changed)


class _LaptopPrecheck:
    """On the laptop, an office event that does not fit (e.g. a household it already has under that room) is kept, not applied."""

    def __init__(self, laptop: Home) -> None:
        self.store = laptop.store
        self.rooms = {r[0] for r in laptop.store.query("SELECT room FROM households")}
        self.receipts = {r[0] for r in laptop.store.query("SELECT receipt_no FROM payments")}

    def __call__(self, event: Event) -> str | None:
        p = event.payload
        if event.kind == K.HOUSEHOLD_REGISTERED:
            if p["room"] in self.rooms:
                return "room already held"
            self.rooms.add(p["room"])
        elif event.kind == K.PAYMENT_RECORDED:
            if p["receipt_no"] in self.receipts:
                return "receipt already held"
            self.receipts.add(p["receipt_no"])
        return None


def _events(data: bytes, source: str) -> list[Event]:
    events: list[Event] = []
    for number, line in enumerate(jsonl_lines(data.decode("utf-8")), start=1):
        try:
            item = json.loads(line)
            events.append(Event(
                str(item["event_id"]), str(item["device_id"]), int(item["seq"]), str(item["author"]), str(item["device_time"]),
                str(item["kind"]), dict(item["payload"]), str(item["prev_hash"]), str(item["hash"]),
            ))
        except (ValueError, KeyError, TypeError) as exc:
            raise FileRefused(f"{source}: events.jsonl line {number}: not an event ({exc})") from None
    return events


def read_pack_info(path: Path) -> PackInfo:
    """The manifest of a pack file (not verified), for ``knock sync show``-style listings."""
    members = unpack_archive(Path(path).read_bytes(), str(path), PACK_MEMBERS)
    return _info(json.loads(members["pack.json"]))
