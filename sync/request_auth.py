"""Signed HTTP requests between a laptop and the office server.

Every push and pull carries the calling device's Ed25519 signature (the key that signs its
receipts and sync files) over the method, the path with its query, the SHA-256 of the body, a
timestamp and a random nonce. The server refuses a stale timestamp and a nonce it has seen, so
a captured request cannot be replayed, and a changed body or path no longer matches the
signature. Nothing here knows of HTTP libraries: the client and the server pass strings.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from knock.core.signing import DeviceKey, public_key_from_b64
from knock.core.store import Store
from sync.devices import find_device

SCHEME = "knock-request/1"
H_DEVICE = "x-knock-device"
H_TIME = "x-knock-time"
H_NONCE = "x-knock-nonce"
H_SIGNATURE = "x-knock-signature"


def signing_text(method: str, path: str, body: bytes, timestamp: int, nonce: str) -> bytes:
    """The exact bytes a request signature covers (documented in sync/FORMAT.md)."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{SCHEME}\n{method.upper()}\n{path}\n{digest}\n{timestamp}\n{nonce}".encode("utf-8")


def sign_request(key: DeviceKey, method: str, path: str, body: bytes, *, now: datetime) -> dict[str, str]:
    """The headers that authenticate one request from this device."""
    timestamp = int(now.timestamp())
    nonce = secrets.token_urlsafe(18)
    signature = key.sign(signing_text(method, path, body, timestamp, nonce))
    return {
        H_DEVICE: key.device_id,
        H_TIME: str(timestamp),
        H_NONCE: nonce,
        H_SIGNATURE: base64.b64encode(signature).decode("ascii"),
    }


class Refused(Exception):
    """A request the server will not serve: HTTP status and a plain reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Caller:
    """An authenticated, enrolled, active device."""

    device_id: str
    name: str


class NonceBook:
    """Nonces seen within the time window, kept on disk so a restarted server still refuses replays.

    A separate small SQLite file beside the ledger: nonces are not facts of the business, so they
    stay out of the append-only ledger, and old ones are forgotten once their timestamps would be
    refused as stale anyway.
    """

    def __init__(self, path: Path, window_seconds: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.window = window_seconds
        self._lock = threading.Lock()
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, device_id TEXT NOT NULL, ts INTEGER NOT NULL)")

    def claim(self, device_id: str, nonce: str, timestamp: int, now: int) -> bool:
        """Record the nonce; False if it was used before (a replay)."""
        with self._lock:
            self.conn.execute("DELETE FROM nonces WHERE ts < ?", (now - 2 * self.window,))
            try:
                self.conn.execute("INSERT INTO nonces (nonce, device_id, ts) VALUES (?,?,?)", (f"{device_id}:{nonce}", device_id, timestamp))
            except sqlite3.IntegrityError:
                return False
            return True

    def close(self) -> None:
        """Close the file."""
        self.conn.close()


def authenticate(
    store: Store, nonces: NonceBook, headers: Mapping[str, str], method: str, path: str, body: bytes, *, now: datetime
) -> Caller:
    """The calling device, or Refused (401 unknown/unsigned/bad signature/stale/replayed, 403 revoked)."""
    device_id = headers.get(H_DEVICE, "")
    stamp, nonce, sig_text = headers.get(H_TIME, ""), headers.get(H_NONCE, ""), headers.get(H_SIGNATURE, "")
    if not (device_id and stamp and nonce and sig_text):
        raise Refused(401, "unsigned request: every request must carry the device's signature headers")
    if len(nonce) > 100 or len(device_id) > 40:
        raise Refused(401, "malformed signature headers")
    try:
        timestamp = int(stamp)
        signature = base64.b64decode(sig_text, validate=True)
    except ValueError:
        raise Refused(401, "malformed signature headers") from None
    enrolled = find_device(store, device_id)
    if enrolled is None or enrolled.device_id != device_id:
        raise Refused(401, f"unknown device {device_id}: not enrolled with this office (knock device add)")
    if not enrolled.active:
        raise Refused(403, f"device {enrolled.name} was revoked on {str(enrolled.revoked_at)[:10]}: {enrolled.revoke_reason}")
    try:
        Ed25519PublicKey.from_public_bytes(public_key_from_b64(enrolled.public_key)).verify(
            signature, signing_text(method, path, body, timestamp, nonce)
        )
    except (InvalidSignature, ValueError):
        raise Refused(401, f"bad signature from device {enrolled.name}: the request was changed or not signed by its key") from None
    server_now = int(now.timestamp())
    if abs(server_now - timestamp) > nonces.window:
        raise Refused(401, f"stale request: signed at {timestamp}, the server's clock says {server_now} (more than {nonces.window} s apart); check the laptop's clock")
    if not nonces.claim(device_id, nonce, timestamp, server_now):
        raise Refused(401, "replayed request: this nonce was already used")
    return Caller(enrolled.device_id, enrolled.name)
