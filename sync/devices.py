"""Enrolling laptops with the office, and pinning the office's key on each laptop.

The office keeps, per laptop, its device id and Ed25519 public key (the same key pair that
signs receipts; the private key never leaves the laptop). Enrolment and revocation are
events in the office ledger, so who enrolled or revoked what, and when, is on record. A
revoked device's files are refused from then on; what was merged before stays.

The hand-over is three small files on a stick:

1. the laptop writes a *request* (``knock device request``): its id, name and public key;
2. the office enrols it (``knock device add NAME --request FILE --out ENROLMENT``) and writes an
   *enrolment*: the device's name and id with the office's public key, signed by the office;
3. the laptop *joins* (``knock device join ENROLMENT``): it pins the office key, so from then
   on it accepts packs signed by that office only.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from knock.core.errors import PermissionDenied
from knock.core.events import EventKind as K, canonical_json
from knock.core.ledger import Ledger
from knock.core.signing import DeviceKey, device_id_for, public_key_b64, public_key_from_b64
from knock.core.store import Store
from sync.errors import SyncError

REQUEST_FORMAT = "knock-device-request/1"
ENROLMENT_FORMAT = "knock-enrolment/1"
MAX_NAME = 40


@dataclass(frozen=True)
class Enrolment:
    """An enrolled device as the office sees it."""

    device_id: str
    name: str
    public_key: str
    enrolled_at: str
    enrolled_by: str
    revoked_at: str | None
    revoke_reason: str

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


def _enrolment(row: Any) -> Enrolment:
    return Enrolment(row["device_id"], row["name"], row["public_key"], row["enrolled_at"], row["enrolled_by"], row["revoked_at"], row["revoke_reason"])


def list_devices(store: Store) -> list[Enrolment]:
    """Every enrolled device (revoked ones too), by name."""
    return [_enrolment(r) for r in store.query("SELECT * FROM device_enrolments ORDER BY name, device_id")]


def find_device(store: Store, name_or_id: str) -> Enrolment | None:
    """An enrolled device by id or by name (an active one wins over a revoked one of the same name)."""
    row = store.query_one(
        "SELECT * FROM device_enrolments WHERE device_id = ? OR name = ? ORDER BY revoked_at IS NOT NULL, enrolled_at DESC LIMIT 1",
        (name_or_id, name_or_id),
    )
    return None if row is None else _enrolment(row)


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME or any(ord(ch) < 32 or ch in "/\\\x7f" for ch in clean):
        raise SyncError(f"device name {name!r}: use 1-{MAX_NAME} printable characters without slashes")
    return clean


def _public_key(text: str) -> bytes:
    try:
        raw = public_key_from_b64(text.strip())
    except ValueError:
        raise SyncError(f"public key {text[:20]!r}…: not base64url") from None
    if len(raw) != 32:
        raise SyncError(f"public key: {len(raw)} bytes, an Ed25519 key has 32")
    return raw


def enrol_device(office: Ledger, name: str, public_key: str, *, author: str) -> Enrolment:
    """Enrol a laptop under ``name`` (e.g. ``A07``); refused if the name or the key is already in use."""
    clean = _check_name(name)
    raw = _public_key(public_key)
    device_id = device_id_for(raw)
    store = office.store
    with store.transaction():
        existing = store.query_one("SELECT * FROM device_enrolments WHERE device_id = ?", (device_id,))
        if existing is not None:
            if existing["revoked_at"] is not None:
                raise SyncError(f"device {existing['name']} ({device_id}) was revoked on {existing['revoked_at'][:10]}; a revoked key cannot be enrolled again, make a new key")
            raise SyncError(f"this key is already enrolled as device {existing['name']} ({device_id})")
        clash = store.query_one("SELECT device_id FROM device_enrolments WHERE name = ? AND revoked_at IS NULL", (clean,))
        if clash is not None:
            raise SyncError(f"the name {clean} is already used by device {clash['device_id']}; revoke it first or choose another name")
        office.journal.append(K.DEVICE_ENROLLED, {"device_id": device_id, "name": clean, "public_key": public_key_b64_of(raw)}, author=author)
    found = find_device(store, device_id)
    assert found is not None  # just written in the same transaction
    return found


def public_key_b64_of(raw: bytes) -> str:
    """Raw public key bytes as the base64url text the ledger stores."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def revoke_device(office: Ledger, name_or_id: str, *, reason: str, author: str) -> Enrolment:
    """Revoke a device: its files are refused from now on; what was merged stays."""
    if not reason.strip():
        raise SyncError("revoking a device needs a reason (lost, stolen, replaced …)")
    with office.store.transaction():
        found = find_device(office.store, name_or_id)
        if found is None:
            raise SyncError(f"no enrolled device {name_or_id!r}")
        if not found.active:
            raise SyncError(f"device {found.name} was already revoked on {str(found.revoked_at)[:10]}")
        office.journal.append(K.DEVICE_REVOKED, {"device_id": found.device_id, "reason": reason.strip()}, author=author)
    again = find_device(office.store, found.device_id)
    assert again is not None
    return again


def request_bytes(key: DeviceKey, name: str) -> bytes:
    """The laptop's enrolment request: id, proposed name and public key (nothing secret)."""
    return (canonical_json({"format": REQUEST_FORMAT, "device_id": key.device_id, "name": name, "public_key": public_key_b64(key)}) + "\n").encode("utf-8")


def read_request(data: bytes, source: str) -> tuple[str, str]:
    """(name, public key) from a request file, checking that the id matches the key."""
    try:
        doc = json.loads(data.decode("utf-8"))
        if doc.get("format") != REQUEST_FORMAT:
            raise ValueError(f"format is {doc.get('format')!r}, expected {REQUEST_FORMAT}")
        name, key, device_id = str(doc["name"]), str(doc["public_key"]), str(doc["device_id"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SyncError(f"{source}: not a Knock device request ({exc})") from None
    if device_id_for(_public_key(key)) != device_id:
        raise SyncError(f"{source}: device id {device_id} does not belong to the public key in the request")
    return name, key


def enrolment_bytes(office_key: DeviceKey, enrolment: Enrolment) -> bytes:
    """The signed enrolment the laptop joins with: its name and id, the office's key."""
    body = {
        "format": ENROLMENT_FORMAT,
        "device_id": enrolment.device_id,
        "name": enrolment.name,
        "office_device_id": office_key.device_id,
        "office_public_key": public_key_b64(office_key),
        "enrolled_at": enrolment.enrolled_at,
    }
    text = canonical_json(body)
    signature = base64.b64encode(office_key.sign(text.encode("utf-8"))).decode("ascii")
    return (canonical_json({"enrolment": body, "signature": signature}) + "\n").encode("utf-8")


@dataclass(frozen=True)
class OfficePin:
    """The office this laptop belongs to."""

    office_device_id: str
    public_key: bytes
    device_id: str
    device_name: str
    pinned_at: str


def office_pin(store: Store) -> OfficePin | None:
    """The pinned office of this laptop, or None before it joined."""
    row = store.query_one("SELECT * FROM office_pin WHERE id = 1")
    if row is None:
        return None
    return OfficePin(row["office_device_id"], public_key_from_b64(row["public_key"]), row["device_id"], row["device_name"], row["pinned_at"])


def office_work_only(store: Store, what: str) -> None:
    """Refuse ``what`` (staff, PINs, laptops) on a laptop enrolled with an office: those are the office's facts.

    Why before the act: a merge sets such facts from a laptop aside anyway (sync/merge.py,
    OFFICE_ONLY_KINDS), so doing them here would only make the laptop disagree with the office.
    """
    pin = office_pin(store)
    if pin is not None:
        raise PermissionDenied(
            f"this laptop ({pin.device_name}) is enrolled with an office: {what} is done at the office and reaches the laptop with its next pack"
        )


def join_office(store: Store, key: DeviceKey, data: bytes, source: str, *, now: str) -> OfficePin:
    """Pin the office key from an enrolment file made for this laptop."""
    try:
        doc = json.loads(data.decode("utf-8"))
        body, signature = doc["enrolment"], base64.b64decode(doc["signature"], validate=True)
        if body.get("format") != ENROLMENT_FORMAT:
            raise ValueError(f"format is {body.get('format')!r}, expected {ENROLMENT_FORMAT}")
        office_key = _public_key(str(body["office_public_key"]))
        device_id, name, office_id = str(body["device_id"]), str(body["name"]), str(body["office_device_id"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SyncError(f"{source}: not a Knock enrolment ({exc})") from None
    if device_id_for(office_key) != office_id:
        raise SyncError(f"{source}: the office id does not belong to the office key")
    try:
        Ed25519PublicKey.from_public_bytes(office_key).verify(signature, canonical_json(body).encode("utf-8"))
    except InvalidSignature:
        raise SyncError(f"{source}: bad signature: the enrolment was not signed by the office it names") from None
    if device_id != key.device_id:
        raise SyncError(f"{source}: this enrolment is for device {name} ({device_id}), not for this laptop ({key.device_id})")
    with store.transaction() as conn:
        current = office_pin(store)
        if current is not None and current.office_device_id != office_id:
            raise SyncError(f"{source}: this laptop already belongs to office {current.office_device_id}; it cannot be moved to {office_id}")
        conn.execute(
            "INSERT OR REPLACE INTO office_pin (id, office_device_id, public_key, device_id, device_name, pinned_at) VALUES (1,?,?,?,?,?)",
            (office_id, public_key_b64_of(office_key), device_id, name, now),
        )
    pinned = office_pin(store)
    assert pinned is not None
    return pinned
