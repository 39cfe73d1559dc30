"""The sync file: one laptop's unacknowledged events, compressed, with a signed manifest.

Layout (see ``sync/FORMAT.md``): a gzip-compressed POSIX tar holding ``manifest.json``,
``manifest.sig`` and ``events.jsonl``. The manifest names the device, its collectors, the
sequence range and count, the hash of the last event (the chain head), the hash before the
first event (the previous file's head), the creation time and the SHA-256 of
``events.jsonl``. The device signs the manifest's exact bytes with its Ed25519 key, so the
signed head authenticates every event beneath it: none can be added, dropped, changed or
claimed for another device without the merge noticing.

This module reads and writes bytes; it knows nothing of screens, PDFs or the merge policy.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import operator
import os
import struct
import tarfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from knock.core.events import GENESIS, Event, canonical_json, is_canonical_json
from knock.core.signing import DeviceKey, device_id_for
from knock.core.store import Store
from sync.errors import FileRefused

FORMAT = "knock-sync/1"
"""The manifest's ``format``; a new layout gets a new number."""

SUFFIX = ".sync.tar.gz"
MEMBERS = ("manifest.json", "manifest.sig", "events.jsonl")
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
"""gzip header Knock writes (no name, mtime 0, best compression, unknown OS): checked exactly on
read, so that every byte of the file is covered by a check (the rest by gzip's CRC and the signature)."""

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Refuse anything larger before unpacking (a day of one laptop is a few MB)."""


@dataclass(frozen=True)
class Manifest:
    """What a sync file says about itself (signed by the device)."""

    format: str
    device_id: str
    device_name: str
    collectors: tuple[dict[str, str], ...]
    first_seq: int
    last_seq: int
    count: int
    head_hash: str
    prev_hash: str
    created_at: str
    events_sha256: str

    def to_dict(self) -> dict[str, Any]:
        """Plain form (what manifest.json holds)."""
        return {
            "format": self.format,
            "device_id": self.device_id,
            "device_name": self.device_name,
            "collectors": [dict(c) for c in self.collectors],
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "count": self.count,
            "head_hash": self.head_hash,
            "prev_hash": self.prev_hash,
            "created_at": self.created_at,
            "events_sha256": self.events_sha256,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Manifest:
        """Parse, naming the field that is wrong."""
        if not isinstance(data, dict):
            raise FileRefused(f"{where}: manifest.json is not a JSON object")
        if data.get("format") != FORMAT:
            raise FileRefused(f"{where}: not a Knock sync file of format {FORMAT} (format is {data.get('format')!r})")
        try:
            collectors = tuple({"staff_id": str(c["staff_id"]), "name": str(c["name"])} for c in data["collectors"])
            fields = {name: data[name] for name in ("device_id", "device_name", "head_hash", "prev_hash", "created_at", "events_sha256")}
            numbers = {name: data[name] for name in ("first_seq", "last_seq", "count")}
        except (KeyError, TypeError) as exc:
            raise FileRefused(f"{where}: manifest field missing or malformed: {exc}") from None
        for name, value in fields.items():
            if not isinstance(value, str):
                raise FileRefused(f"{where}: manifest field {name} is not text")
        for name, value in numbers.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 2**53:
                raise FileRefused(f"{where}: manifest field {name} is not a whole number")
        return cls(FORMAT, collectors=collectors, **fields, **numbers)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SyncFile:
    """A read (not yet trusted) sync file."""

    source: str
    size: int
    sha256: str
    manifest: Manifest
    manifest_bytes: bytes
    signature: bytes
    events: tuple[Event, ...]
    payload_json: tuple[str, ...]
    """Canonical JSON of each payload, computed once while reading."""
    hashes_checked: bool = False
    """True when every event's hash was proven, while reading, to cover its fields and ``payload_json``
    (so the ledger need not compute it again). False says nothing: the ledger checks them."""

    def verify_signature(self, public_key: bytes) -> None:
        """Refuse unless the manifest was signed by the holder of ``public_key`` for this device."""
        if device_id_for(public_key) != self.manifest.device_id:
            raise FileRefused(f"{self.source}: the enrolled key does not belong to device {self.manifest.device_id}")
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(self.signature, self.manifest_bytes)
        except InvalidSignature:
            raise FileRefused(f"{self.source}: bad signature: the manifest was not signed by device {self.manifest.device_name or self.manifest.device_id}") from None


def _tar_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def build_sync_bytes(
    store: Store,
    key: DeviceKey,
    *,
    device_name: str,
    created_at: datetime,
    after_seq: int = 0,
) -> tuple[bytes, Manifest]:
    """The sync file for this device: its events after ``after_seq`` (the acknowledged ones), signed."""
    device_id = key.device_id
    rows = store.query(
        "SELECT event_id, device_id, seq, author, device_time, kind, payload, prev_hash, hash FROM events"
        " WHERE device_id = ? AND seq > ? ORDER BY seq",
        (device_id, after_seq),
    )
    if rows:
        prev = str(rows[0]["prev_hash"])
        before = int(rows[0]["seq"]) - 1
    else:
        last_row = store.query_one("SELECT seq, hash FROM events WHERE device_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1", (device_id, after_seq))
        before = int(last_row["seq"]) if last_row else 0
        prev = str(last_row["hash"]) if last_row else GENESIS
    collectors = store.query(
        "SELECT DISTINCT s.staff_id, s.name FROM events e JOIN staff s ON s.staff_id = e.author"
        " WHERE e.device_id = ? AND e.seq > ? ORDER BY s.name",
        (device_id, after_seq),
    )
    return encode_sync_file(
        [dict(r) for r in rows], key, device_name=device_name, created_at=created_at,
        collectors=[{"staff_id": r["staff_id"], "name": r["name"]} for r in collectors], prev_hash=prev, seq_before=before,
    )


def encode_sync_file(
    rows: list[dict[str, Any]],
    key: DeviceKey,
    *,
    device_name: str,
    created_at: datetime,
    collectors: list[dict[str, str]],
    prev_hash: str,
    seq_before: int,
) -> tuple[bytes, Manifest]:
    """Sign and pack event rows (``events`` table rows, payload as canonical JSON text) of ``key``'s device."""
    lines: list[str] = []
    for row in rows:
        lines.append(
            '{"author":%s,"device_id":%s,"device_time":%s,"event_id":%s,"hash":%s,"kind":%s,"payload":%s,"prev_hash":%s,"seq":%d}'
            % (
                json.dumps(row["author"], ensure_ascii=False),
                json.dumps(row["device_id"]),
                json.dumps(row["device_time"]),
                json.dumps(row["event_id"]),
                json.dumps(row["hash"]),
                json.dumps(row["kind"]),
                row["payload"],
                json.dumps(row["prev_hash"]),
                int(row["seq"]),
            )
        )
    events_bytes = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    if rows:
        first, last, head = int(rows[0]["seq"]), int(rows[-1]["seq"]), str(rows[-1]["hash"])
    else:
        first = last = seq_before
        head = prev_hash
    manifest = Manifest(
        FORMAT,
        key.device_id,
        device_name,
        tuple(dict(c) for c in collectors),
        first,
        last,
        len(rows),
        head,
        prev_hash,
        created_at.isoformat(timespec="seconds"),
        hashlib.sha256(events_bytes).hexdigest(),
    )
    manifest_bytes = (canonical_json(manifest.to_dict()) + "\n").encode("utf-8")
    signature = base64.b64encode(key.sign(manifest_bytes)) + b"\n"
    return pack_archive(list(zip(MEMBERS, (manifest_bytes, signature, events_bytes), strict=True))), manifest


def pack_archive(members: list[tuple[str, bytes]]) -> bytes:
    """A Knock archive: the members in order in a POSIX tar, gzip-compressed with the fixed header."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            _tar_member(tar, name, data)
    return _gzip(buffer.getvalue())


def _gzip(data: bytes) -> bytes:
    """gzip with Knock's fixed header (the standard library's OS byte differs between versions)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    return _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def sync_file_name(device_name: str, day: str) -> str:
    """``knock-<device>-<day>.sync.tar.gz``: one file a day per laptop (a re-export replaces it)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in device_name) or "device"
    return f"knock-{safe}-{day}{SUFFIX}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a pulled stick holds the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # some removable-media file systems cannot fsync a directory; the file itself is synced
    finally:
        os.close(dir_fd)


def unpack_archive(data: bytes, source: str, names: tuple[str, ...]) -> dict[str, bytes]:
    """The members of a Knock archive (sync file or pack), refusing truncated or corrupted ones exactly."""
    size = len(data)
    if size > MAX_FILE_BYTES:
        raise FileRefused(f"{source}: {size:,} bytes is larger than any sync file ({MAX_FILE_BYTES:,} bytes at most)")
    if size < len(_GZIP_HEADER) + 8:
        if _GZIP_HEADER.startswith(data[: len(_GZIP_HEADER)]):
            raise FileRefused(f"{source}: file truncated at byte {size}")
        raise FileRefused(f"{source}: not a Knock sync file or pack (too short, {size} bytes)")
    if data[:2] != _GZIP_HEADER[:2]:
        raise FileRefused(f"{source}: not a Knock sync file or pack (not gzip-compressed)")
    if data[: len(_GZIP_HEADER)] != _GZIP_HEADER:
        raise FileRefused(f"{source}: file corrupted: the compression header was altered")
    try:
        raw = gzip.decompress(data)
    except EOFError:
        raise FileRefused(f"{source}: file truncated at byte {size}") from None
    except (OSError, zlib.error) as exc:
        raise FileRefused(f"{source}: file corrupted: the compressed data does not check out ({exc})") from None
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for info in tar:
                if not info.isfile() or info.name not in names or info.name in members:
                    raise FileRefused(f"{source}: file corrupted: unexpected member {info.name!r}")
                extracted = tar.extractfile(info)
                assert extracted is not None  # a regular file always has content
                members[info.name] = extracted.read()
    except tarfile.TarError as exc:
        raise FileRefused(f"{source}: file corrupted: the archive inside does not read ({exc})") from None
    missing = [m for m in names if m not in members]
    if missing:
        raise FileRefused(f"{source}: file corrupted: {', '.join(missing)} missing")
    return members


@dataclass(frozen=True)
class SyncHead:
    """The first look at a sync file: what it says about itself, before its events are unpacked."""

    source: str
    size: int
    sha256: str
    """Of the file's bytes: the full read proves it reads the very bytes whose signature was checked."""
    manifest: Manifest
    manifest_bytes: bytes
    signature: bytes

    verify_signature = SyncFile.verify_signature


_HEAD_CHUNK = 64 * 1024


def read_sync_head(data: bytes, source: str) -> SyncHead:
    """The manifest and signature of a sync file, unpacking only the start of it.

    Knock writes ``manifest.json`` and ``manifest.sig`` first, so a merge can order and trust its
    files without decompressing every event twice; the events (with the gzip CRC and the events'
    digest) are checked by the full read (:func:`read_sync_bytes`), which must see the same bytes.
    A file laid out otherwise, or broken near its start, takes the full read's careful path here
    too, with its exact reasons.
    """
    size = len(data)
    digest = hashlib.sha256(data).hexdigest()
    found: dict[str, bytes] = {}
    if len(data) <= MAX_FILE_BYTES and data[: len(_GZIP_HEADER)] == _GZIP_HEADER:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        raw = b""
        try:
            pending = data[len(_GZIP_HEADER) :]
            while len(found) < 2 and (pending or not inflater.eof):
                raw += inflater.decompress(pending, _HEAD_CHUNK)
                pending = inflater.unconsumed_tail
                found = _leading_members(raw, MEMBERS[:2])
                if not pending:
                    break
        except zlib.error:
            found = {}
    if len(found) < 2:
        whole = read_sync_bytes(data, source, parse_events=False)
        return SyncHead(source, size, digest, whole.manifest, whole.manifest_bytes, whole.signature)
    manifest, signature = _manifest_and_signature(found["manifest.json"], found["manifest.sig"], source)
    return SyncHead(source, size, digest, manifest, found["manifest.json"], signature)


def _leading_members(raw: bytes, names: tuple[str, ...]) -> dict[str, bytes]:
    """Those of ``names`` that lie whole at the start of a (partly unpacked) tar, in order; {} if unsure."""
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for info in tar:
                if info.name not in names or info.name in members or not info.isfile():
                    return {}
                if info.offset_data + info.size > len(raw):
                    return members if len(members) == len(names) else {}
                extracted = tar.extractfile(info)
                assert extracted is not None  # a regular file always has content
                members[info.name] = extracted.read()
                if len(members) == len(names):
                    return members
    except (tarfile.TarError, EOFError, OSError):
        return {}
    return {}


def _manifest_and_signature(manifest_bytes: bytes, sig: bytes, source: str) -> tuple[Manifest, bytes]:
    try:
        manifest_data = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FileRefused(f"{source}: manifest.json is not UTF-8 JSON ({exc})") from None
    manifest = Manifest.from_dict(manifest_data, source)
    try:
        signature = base64.b64decode(sig.strip(), validate=True)
    except ValueError:
        raise FileRefused(f"{source}: bad signature: manifest.sig is not base64") from None
    if len(signature) != 64:
        raise FileRefused(f"{source}: bad signature: manifest.sig has {len(signature)} bytes, not 64")
    return manifest, signature


def read_sync_bytes(data: bytes, source: str, *, parse_events: bool = True) -> SyncFile:
    """Unpack and parse a sync file, refusing with the exact reason. Signature not yet checked.

    With ``parse_events=False`` only the manifest, signature and the events' digest are read
    (events come back empty): the cheap first look a merge takes at every file before it
    orders them, so that a run of many files never holds all their events at once.
    """
    size = len(data)
    members = unpack_archive(data, source, MEMBERS)
    manifest_bytes = members["manifest.json"]
    manifest, signature = _manifest_and_signature(manifest_bytes, members["manifest.sig"], source)
    events_bytes = members["events.jsonl"]
    if hashlib.sha256(events_bytes).hexdigest() != manifest.events_sha256:
        raise FileRefused(f"{source}: events.jsonl does not match the signed manifest (changed after signing)")
    if not parse_events:
        return SyncFile(source, size, hashlib.sha256(data).hexdigest(), manifest, manifest_bytes, signature, (), ())
    events, payloads, checked = _parse_events(events_bytes, manifest, source)
    return SyncFile(source, size, hashlib.sha256(data).hexdigest(), manifest, manifest_bytes, signature, events, payloads, checked)


_DECODER = json.JSONDecoder()
"""``json.loads`` of a str, without the call's wrappers per line (a merge reads every event)."""


def _decode_line(line: str) -> Any:
    """``json.loads(line)``, the fast way when the line is exactly one JSON value (as written)."""
    try:
        item, end = _DECODER.raw_decode(line)
    except ValueError:
        end = -1
    if end != len(line):  # whitespace around the value, or junk after it: the full rule decides (or says why not)
        item = _DECODER.decode(line)
    return item


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSON Lines member: split at "\n" only.

    ``str.splitlines`` would also split at U+2028, U+2029 and NEL, which canonical JSON keeps
    raw inside strings (a collector's note may hold them), and so cut an event in two.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_EVENT_FIELDS = operator.itemgetter("author", "device_id", "device_time", "event_id", "hash", "kind", "payload", "prev_hash", "seq")
"""The nine keys of an event line, in the (sorted) order Knock writes them."""

_SET_DICT = object.__setattr__
_NEW = object.__new__
_EVENT_HAS_DICT = "__slots__" not in Event.__dict__ and set(_EVENT_FIELDS.__reduce__()[1]) == {f for f in Event.__dataclass_fields__}


def _event_from_line(item: dict[str, Any]) -> Event:
    """The ``Event`` whose fields are exactly ``item``'s nine keys (already checked), without copying them.

    A line's keys are the event's field names, so the parsed dict becomes the event's own
    ``__dict__``: the same object ``Event(...)`` would build, without the frozen dataclass's nine
    guarded assignments (a third of reading an event). Falls back to the constructor should
    ``Event`` ever change its fields or keep them in slots.
    """
    if _EVENT_HAS_DICT:
        event = _NEW(Event)
        _SET_DICT(event, "__dict__", item)
        return event
    return Event(**item)


def _parse_events(data: bytes, manifest: Manifest, source: str) -> tuple[tuple[Event, ...], tuple[str, ...], bool]:
    """The file's events, each payload's canonical JSON, and whether every hash was proven here.

    The fast path, for a line exactly as Knock writes it: orjson parses it, the payload's canonical
    JSON is *the line's own bytes* (proven by :func:`~knock.core.events.is_canonical_json`, never
    re-encoded in Python), and the chain hash is checked over those bytes. A line it cannot prove
    (other spellings, floats, big numbers, anything odd) takes the careful path below, which
    accepts and refuses exactly what the standard library's ``json.loads`` does, with the same
    reasons; its hash is then left for the ledger to check, as before.

    Why the canonical form is checked, not just the hash over the bytes: the hash is defined over
    ``canonical_json(payload)``. A payload spelled otherwise (keys twice, ``\\u0061`` for ``a``,
    spaces) would be stored in a form whose hash no other check (``verify_chain``, a replay, another
    ledger) could confirm, and a duplicated key reads differently in different JSON parsers: the
    same signed bytes must mean one thing everywhere.
    """
    events: list[Event] = []
    payloads: list[str] = []
    name = manifest.device_name or manifest.device_id
    device = manifest.device_id
    prev = manifest.prev_hash
    expected = manifest.first_seq
    all_checked = True
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    loads, sha256, fields = orjson.loads, hashlib.sha256, _EVENT_FIELDS
    for number, line in enumerate(lines, start=1):
        event: Event | None = None
        try:
            item = loads(line)
            author, device_id, device_time, event_id, digest, kind, payload, prev_hash, seq = fields(item)
        except (orjson.JSONDecodeError, KeyError, TypeError):
            item = None
        if (
            item is not None and len(item) == 9 and type(payload) is dict and type(seq) is int and seq == expected
            and device_id == device and prev_hash == prev and type(author) is str and type(device_time) is str
            and type(event_id) is str and type(digest) is str and type(kind) is str
        ):
            start = line.find(b',"payload":{') + 11
            end = line.rfind(b',"prev_hash":"')
            text = line[start:end]
            if start > 10 and end > start and is_canonical_json(text, payload):
                if sha256(f"{prev}\n{event_id}\n{device}\n{seq}\n{author}\n{device_time}\n{kind}\n".encode() + text).hexdigest() != digest:
                    all_checked = False  # the ledger refuses it, with its usual reason
                event = _event_from_line(item)
                payloads.append(text.decode())
        if event is None:
            event = _careful_event(line, number, source, manifest, name, expected, prev)
            payloads.append(canonical_json(event.payload))
            all_checked = False
        events.append(event)
        prev = event.hash
        expected += 1
    if len(events) != manifest.count:
        raise FileRefused(f"{source}: the manifest promises {manifest.count} events, the file holds {len(events)}")
    if events and (events[-1].seq != manifest.last_seq or events[-1].hash != manifest.head_hash):
        raise FileRefused(f"{source}: device {name}: the last event is not the signed chain head (hash does not match)")
    if not events and manifest.head_hash != manifest.prev_hash:
        raise FileRefused(f"{source}: an empty file must have its head equal to the previous head")
    return tuple(events), tuple(payloads), all_checked


def _careful_event(line_bytes: bytes, number: int, source: str, manifest: Manifest, name: str, expected: int, prev: str) -> Event:
    """One line the standard library's way, refusing the file with the exact reason."""
    try:
        line = line_bytes.decode("utf-8")
        item = _decode_line(line)
        payload = item["payload"]
        if not isinstance(payload, dict):
            raise TypeError("payload is not an object")
        event = Event(
            str(item["event_id"]), str(item["device_id"]), int(item["seq"]), str(item["author"]),
            str(item["device_time"]), str(item["kind"]), payload, str(item["prev_hash"]), str(item["hash"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise FileRefused(f"{source}: events.jsonl line {number}: not an event ({exc})") from None
    if event.device_id != manifest.device_id:
        raise FileRefused(f"{source}: events.jsonl line {number}: event {event.event_id} claims device {event.device_id}, but the file is signed by device {name}")
    if event.seq != expected:
        raise FileRefused(f"{source}: device {name}: event {expected} missing in the file (line {number} holds {event.seq})")
    if event.prev_hash != prev:
        raise FileRefused(f"{source}: device {name}: event {event.seq} does not continue the chain (hash does not match)")
    return event


def read_sync_file(path: Path, *, parse_events: bool = True) -> SyncFile:
    """Read a sync file from disk (see :func:`read_sync_bytes`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FileRefused(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    return read_sync_bytes(data, str(path), parse_events=parse_events)
