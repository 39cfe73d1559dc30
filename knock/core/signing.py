"""Device keys and the signed verification text printed as a receipt's QR code.

Each laptop has its own Ed25519 key, made on first use and kept in the home
folder with mode 0600. A receipt's verification QR carries::

    KNOCK1|<receipt_no>|<amount_fen>|<room>|<issued_at>|<device_id>|<signature>

``issued_at`` is ISO 8601 to the minute (``2025-03-08T19:42``, with the UTC
offset if the time has one). The signature is Ed25519 over the UTF-8 bytes of
everything before the last ``|`` (version tag included), base64url without
padding. Fields may not contain ``|`` or control characters, so the text splits
one way only. ``device_id`` is derived from the public key, so a verifier that
holds the office's list of device public keys needs nothing else and no network.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # cryptography loads when a key is made, read for signing, or a signature checked (~30 ms at start)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VERSION = "KNOCK1"
"""First field of every verification text; a new layout gets a new tag."""

_BAD_CHARS = re.compile(r"[|\x00-\x1f\x7f]")


class KeyFileError(ValueError):
    """A device key file that exists but cannot be read as an Ed25519 key."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def device_id_for(public_key: bytes) -> str:
    """The short, stable id of a device: ``D`` + 10 base32 characters of SHA-256(public key)."""
    digest = hashlib.sha256(public_key).digest()
    return "D" + base64.b32encode(digest).decode("ascii")[:10]


class DeviceKey:
    """This laptop's signing key.

    Made from a private key, or (:func:`open_device_key`) from the key file and
    its public key known beforehand: the file is then read and cryptography
    loaded only when something is signed, so an app start that signs nothing
    does not pay for them. A private key that turns out not to match the public
    key it was opened with is refused (:class:`KeyFileError`), never used.
    """

    def __init__(self, private_key: Ed25519PrivateKey | None = None, *, path: Path | None = None, public_bytes: bytes | None = None) -> None:
        if private_key is None and (path is None or public_bytes is None):
            raise ValueError("a device key needs its private key, or its file and public key")
        self._private = private_key
        self._path = path
        self.presigned: dict[bytes, bytes] = {}
        """Signatures made ahead for exactly these bytes (the sample build's press, see
        :mod:`knock.core.payload_press`): :meth:`sign` takes one instead of signing again."""
        self.presigned_used = 0
        if public_bytes is not None:
            self.__dict__["public_bytes"] = public_bytes  # the cached_property below, known already

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The Ed25519 private key, read from the key file on first use and checked against the public key."""
        if self._private is None:
            assert self._path is not None
            loaded = _read_private_key(self._path)
            if _raw_public(loaded) != self.public_bytes:
                raise KeyFileError(f"{self._path}: the key file no longer matches this device's public key")
            self._private = loaded
        return self._private

    @cached_property
    def public_bytes(self) -> bytes:
        """The raw 32-byte public key (what the office stores per device); derived once per key."""
        return _raw_public(self.private_key)

    @cached_property
    def device_id(self) -> str:
        """The device id printed on receipts, derived from the public key once (every receipt signature checks it)."""
        return device_id_for(self.public_bytes)

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature of ``data`` (deterministic: one made ahead for these bytes is the same)."""
        if self.presigned:
            made = self.presigned.pop(data, None)
            if made is not None:
                self.presigned_used += 1
                return made
        return self.private_key.sign(data)

    def private_raw(self) -> bytes:
        """The 32 private bytes, for a helper process to sign with (never written anywhere)."""
        from cryptography.hazmat.primitives import serialization

        return self.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def _raw_public(private_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _read_private_key(path: Path) -> Ed25519PrivateKey:
    """The private key in the file at ``path`` (PKCS#8 PEM, or 32 raw bytes); :class:`KeyFileError` if it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = path.read_bytes()
    if len(data) == 32:
        return Ed25519PrivateKey.from_private_bytes(data)
    try:
        loaded = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not an unencrypted PEM or raw Ed25519 private key ({exc})") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: the key is not an Ed25519 key")
    return loaded


def open_device_key(path: Path, public_cache: Path) -> DeviceKey:
    """The device key at ``path`` (made if absent), without reading it for signing yet when it can be.

    ``public_cache`` keeps the key's public half beside a SHA-256 of the key
    file's bytes: while the file is unchanged, the device id and public key come
    from there and the private key (with cryptography) loads at the first
    signature. Otherwise the key is read now, exactly as
    :func:`load_or_create_device_key` does (a bad file is refused here), and the
    cache written for next time.
    """
    path, public_cache = Path(path), Path(public_cache)
    public = _cached_public(path, public_cache)
    if public is not None:
        return DeviceKey(path=path, public_bytes=public)
    key = load_or_create_device_key(path)
    _write_public_cache(path, public_cache, key)
    return key


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cached_public(path: Path, public_cache: Path) -> bytes | None:
    """The public key kept for the key file at ``path`` as it is now; None without a key, a cache, or a matching one."""
    try:
        stamp, _, public_text = public_cache.read_text(encoding="ascii").strip().partition(" ")
        if stamp != _file_digest(path):
            return None
        public = _unb64url(public_text)
    except (OSError, ValueError):  # no key yet, no cache yet, or a damaged cache: the key itself is read instead
        return None
    return public if len(public) == 32 else None


def _write_public_cache(path: Path, public_cache: Path, key: DeviceKey) -> None:
    """Keep ``key``'s public half for the next start (owner-only, written atomically)."""
    from knock.paths import write_private

    try:
        write_private(public_cache, f"{_file_digest(path)} {_b64url(key.public_bytes)}\n".encode("ascii"))
    except OSError:  # a read-only home still works: the key is then read at every start
        return


def load_or_create_device_key(path: Path) -> DeviceKey:
    """Load the device key at ``path`` (PKCS#8 PEM, or 32 raw bytes), creating it if absent.

    A new key is written as PEM with mode 0600, created exclusively so two
    processes starting at once cannot both make one.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_device_key(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        return DeviceKey(key)
    return DeviceKey(_read_private_key(path))


def public_key_b64(key: DeviceKey) -> str:
    """The device's raw public key as base64url, for the office's device list."""
    return _b64url(key.public_bytes)


def public_key_from_b64(text: str) -> bytes:
    """The raw public key back from :func:`public_key_b64` (as the ledger's devices table keeps it)."""
    return _unb64url(text)


@dataclass(frozen=True)
class ReceiptFields:
    """What a receipt's verification QR vouches for."""

    receipt_no: str
    amount_fen: int
    room: str
    issued_at: datetime
    device_id: str


def _issued_text(issued_at: datetime) -> str:
    return issued_at.isoformat(timespec="minutes")  # cut to the minute, not rounded


def _signed_part(fields: ReceiptFields) -> str:
    for name in ("receipt_no", "room", "device_id"):
        value = getattr(fields, name)
        if not value or _BAD_CHARS.search(value):
            raise ValueError(f"receipt field {name} must be non-empty without '|' or control characters: {value!r}")
    if not isinstance(fields.amount_fen, int) or isinstance(fields.amount_fen, bool) or fields.amount_fen < 0:
        raise ValueError(f"amount must be non-negative int fen: {fields.amount_fen!r}")
    return "|".join(
        [VERSION, fields.receipt_no, str(fields.amount_fen), fields.room, _issued_text(fields.issued_at), fields.device_id]
    )


def receipt_signed_bytes(fields: ReceiptFields) -> bytes:
    """The bytes a receipt's signature covers (what :func:`receipt_qr_text` signs)."""
    return _signed_part(fields).encode("utf-8")


def receipt_qr_text(fields: ReceiptFields, key: DeviceKey) -> str:
    """The signed verification text for a receipt (see the module docstring)."""
    if fields.device_id != key.device_id:
        raise ValueError(f"receipt names device {fields.device_id} but the key is device {key.device_id}")
    signed = _signed_part(fields)
    return f"{signed}|{_b64url(key.sign(signed.encode('utf-8')))}"


def receipt_text_from(fields: ReceiptFields, signature: str) -> str:
    """The verification text again, from the receipt's fields and its stored signature.

    The same bytes :func:`receipt_qr_text` produced at payment time, so the signature still
    verifies; a payment event stores only the signature, the rest is in the payment itself."""
    return f"{_signed_part(fields)}|{signature}"


Verdict = Literal["genuine", "forged", "unknown_device", "malformed", "void", "not_in_ledger"]


@dataclass(frozen=True)
class VerificationResult:
    """What ``knock verify`` says about a scanned text."""

    verdict: Verdict
    reason: str
    fields: ReceiptFields | None = None
    """The parsed fields (present unless the text was malformed); trust them only if genuine."""
    voided_at: str = ""
    """For a void receipt: when it was voided (ISO 8601)."""
    void_reason: str = ""
    """For a void receipt: why."""

    @property
    def genuine(self) -> bool:
        """True only for a valid signature by a known device."""
        return self.verdict == "genuine"


def parse_receipt_text(text: str) -> ReceiptFields:
    """Split a verification text into fields, without checking the signature.

    Raises :class:`ValueError` with a plain reason when the text is malformed.
    """
    parts = text.strip().split("|")
    if parts[0] != VERSION:
        raise ValueError(f"not a Knock receipt code (expected it to start with {VERSION}|)")
    if len(parts) != 7:
        raise ValueError(f"a Knock receipt code has 7 fields, this one has {len(parts)}")
    _, receipt_no, amount, room, issued, device_id, _sig = parts
    if not receipt_no or not room or not device_id:
        raise ValueError("receipt number, room and device must not be empty")
    if not amount.isdigit() or (len(amount) > 1 and amount.startswith("0")):
        raise ValueError(f"amount is not a whole number of fen: {amount!r}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}([+-]\d{2}:\d{2})?", issued):
        raise ValueError(f"time is not ISO 8601 to the minute: {issued!r}")
    try:
        issued_at = datetime.fromisoformat(issued)
    except ValueError:
        raise ValueError(f"time is not a real date and time: {issued!r}") from None
    return ReceiptFields(receipt_no, int(amount), room, issued_at, device_id)


def verify_receipt_text(text: str, lookup_public_key: Callable[[str], bytes | None]) -> VerificationResult:
    """Check a scanned verification text offline.

    ``lookup_public_key(device_id)`` returns the raw 32-byte public key of a
    registered device, or None. Never raises for bad input: malformed text,
    an unknown device and a bad signature are each a verdict with a reason.
    """
    try:
        fields = parse_receipt_text(text)
    except ValueError as exc:
        return VerificationResult("malformed", str(exc))
    stripped = text.strip()
    signed, _, sig_text = stripped.rpartition("|")
    public = lookup_public_key(fields.device_id)
    if public is None:
        return VerificationResult("unknown_device", f"device {fields.device_id} is not registered with this office", fields)
    if device_id_for(public) != fields.device_id:
        return VerificationResult("unknown_device", f"the key on file does not belong to device {fields.device_id}", fields)
    try:
        signature = _unb64url(sig_text)
    except ValueError:
        return VerificationResult("malformed", "the signature is not base64url", fields)
    if len(signature) != 64:
        return VerificationResult("forged", "the signature has the wrong length", fields)
    if _b64url(signature) != sig_text:
        # base64 leaves spare bits in the last character: a second spelling of the same bytes.
        # Exactly one text verifies for one receipt, so a re-spelled signature is refused.
        return VerificationResult("malformed", "the signature is not in canonical form", fields)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, signed.encode("utf-8"))
    except InvalidSignature:
        return VerificationResult("forged", "the signature does not match the receipt's contents", fields)
    if signed != _signed_part(fields):
        # e.g. a time written with seconds or an oddly spelled offset: signed, but not by Knock
        return VerificationResult("malformed", "the receipt code is not in canonical form", fields)
    return VerificationResult("genuine", "signed by this device; contents unchanged", fields)
