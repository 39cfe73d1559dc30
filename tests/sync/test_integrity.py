"""A file that cannot be trusted is refused whole, with the exact reason, and changes nothing."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from datetime import datetime
from pathlib import Path

import pytest

from knock.core.events import canonical_json
from knock.core.signing import DeviceKey, public_key_b64
from knock.home import open_home
from sync.devices import enrol_device, revoke_device
from sync.errors import FileRefused
from sync.export import record_acknowledgement
from sync.files import MEMBERS, _gzip, read_sync_bytes
from tests.conftest import CST, FakeClock
from tests.sync.conftest import World


def _members(path: Path) -> dict[str, bytes]:
    import gzip

    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(path.read_bytes()))) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def _pack(members: dict[str, bytes], path: Path) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in MEMBERS:
            info = tarfile.TarInfo(name)
            info.size = len(members[name])
            tar.addfile(info, io.BytesIO(members[name]))
    path.write_bytes(_gzip(buffer.getvalue()))
    return path


def _resign(members: dict[str, bytes], key: DeviceKey) -> None:
    import hashlib

    manifest = json.loads(members["manifest.json"])
    manifest["events_sha256"] = hashlib.sha256(members["events.jsonl"]).hexdigest()
    members["manifest.json"] = (canonical_json(manifest) + "\n").encode()
    members["manifest.sig"] = base64.b64encode(key.sign(members["manifest.json"])) + b"\n"


def _snapshot(world: World) -> tuple[int, int]:
    s = world.office.store
    return int(s.scalar("SELECT COUNT(*) FROM events")), int(s.scalar("SELECT COUNT(*) FROM payments"))


def _day(world: World) -> Path:
    world.a07.ledger.record_payment("1-1-101", 50000, method="cash", collector="张伟")
    world.a07.ledger.log_contact("1-1-102", channel="door", outcome="promised", collector="张伟")
    return world.export(world.a07)


def _refused(world: World, path: Path) -> str:
    before = _snapshot(world)
    run = world.merge(path)
    assert [v.status for v in run.verdicts] == ["refused"]
    assert _snapshot(world) == before
    return run.verdicts[0].reason


def test_every_single_flipped_byte_is_refused_or_changes_no_content(world: World, tmp_path: Path) -> None:
    """Each bit flip is caught, except in the few unused bits of the compressed stream, which carry
    nothing: there the unpacked bytes are exactly the original ones."""
    import gzip

    path = _day(world)
    data = path.read_bytes()
    lookup = world.office.store
    from sync.merge import _trust

    survivors = []
    for position in range(len(data)):
        bad = bytearray(data)
        bad[position] ^= 0x01
        try:
            _trust(lookup, read_sync_bytes(bytes(bad), f"byte {position}"))
        except FileRefused:
            continue
        survivors.append(position)
        assert gzip.decompress(bytes(bad)) == gzip.decompress(data), f"byte {position} changed content unnoticed"
    # Which bits a deflate stream leaves unused depends on the data (timestamps, ids): a run saw 0, 1
    # and 2 such bytes. The property is the one above (nothing a flip changes goes unnoticed); this
    # only says such bits stay a rare few.
    assert len(survivors) <= 4, f"{survivors} of {len(data)} bytes"
    bad = bytearray(data)
    bad[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.sync.tar.gz").write_bytes(bytes(bad))
    assert "corrupted" in _refused(world, tmp_path / "bad.sync.tar.gz")


def test_flipped_byte_in_manifest_event_or_signature_after_repacking(world: World, tmp_path: Path) -> None:
    path = _day(world)
    cases = (
        ("manifest.json", b'"device_name":"A07"', b'"device_name":"A08"', "bad signature"),
        ("events.jsonl", b'"amount_fen":50000', b'"amount_fen":60000', "does not match the signed manifest"),
    )
    for member, old, new, reason in cases:
        members = _members(path)
        assert old in members[member]
        members[member] = members[member].replace(old, new, 1)
        assert reason in _refused(world, _pack(members, tmp_path / f"{member}.sync.tar.gz"))
    members = _members(path)
    sig = bytearray(members["manifest.sig"])
    sig[10] = ord("A") if sig[10] != ord("A") else ord("B")
    members["manifest.sig"] = bytes(sig)
    assert "bad signature" in _refused(world, _pack(members, tmp_path / "sig.sync.tar.gz"))


def test_event_changed_and_resigned_by_the_device_is_a_hash_mismatch(world: World, tmp_path: Path) -> None:
    path = _day(world)
    members = _members(path)
    members["events.jsonl"] = members["events.jsonl"].replace(b'"amount_fen":50000', b'"amount_fen":5000')
    _resign(members, world.a07.key)
    reason = _refused(world, _pack(members, tmp_path / "forged.sync.tar.gz"))
    assert "hash does not match" in reason


def test_truncated_file(world: World, tmp_path: Path) -> None:
    data = _day(world).read_bytes()
    cut = tmp_path / "cut.sync.tar.gz"
    cut.write_bytes(data[: len(data) // 2])
    assert _refused(world, cut).endswith(f"file truncated at byte {len(data) // 2}")


def test_unknown_device(world: World, tmp_path: Path) -> None:
    stranger = open_home(tmp_path / "stranger", clock=FakeClock(datetime(2026, 11, 23, 19, 0, tzinfo=CST)))
    world.give_office_events(stranger)
    stranger.ledger.log_contact("1-1-101", channel="door", outcome="not_home", collector="张伟")
    reason = _refused(world, world.export(stranger))
    assert "unknown device" in reason and "not enrolled" in reason
    stranger.close()


def test_revoked_device_is_refused_with_the_date_and_earlier_merges_stay(world: World) -> None:
    path = _day(world)
    world.merge(path)
    kept = _snapshot(world)
    world.a07.ledger.record_payment("1-1-102", 10000, method="cash", collector="张伟")
    later = world.export(world.a07)
    revoke_device(world.office.ledger, "A07", reason="lost on the bus", author="office")
    reason = _refused(world, later)
    assert "device A07 was revoked on 2026-11-23" in reason
    assert _snapshot(world)[1] == kept[1]


def test_missing_file_in_the_middle_of_a_chain(world: World, tmp_path: Path) -> None:
    def export_and_ack(folder: str) -> Path:
        path = world.export(world.a07, tmp_path / folder)
        m = world.read(path).manifest
        record_acknowledgement(world.a07, m.last_seq, m.head_hash, "test")
        return path

    world.a07.ledger.record_payment("1-1-101", 10000, method="cash", collector="张伟")
    monday = export_and_ack("mon")
    world.a07.ledger.record_payment("1-1-102", 10000, method="cash", collector="张伟")
    tuesday = export_and_ack("tue")
    world.a07.ledger.record_payment("1-1-201", 10000, method="cash", collector="张伟")
    wednesday = export_and_ack("wed")
    t = world.read(tuesday).manifest
    world.merge(monday)
    reason = _refused(world, wednesday)
    assert f"device A07: events {t.first_seq}-{t.last_seq} missing; merge the file that holds them first" in reason
    run = world.merge(wednesday, tuesday)
    assert [v.status for v in run.verdicts] == ["merge", "merge"]
    assert world.office.ledger.journal.verify_chain(world.a07.ledger.device.device_id) == []


def test_events_claiming_another_device(world: World, tmp_path: Path) -> None:
    path = _day(world)
    members = _members(path)
    a07, b02 = world.a07.ledger.device.device_id, world.b02.ledger.device.device_id
    lines = members["events.jsonl"].decode().splitlines()
    last = json.loads(lines[-1])
    last["device_id"] = b02
    lines[-1] = json.dumps(last, ensure_ascii=False)
    members["events.jsonl"] = ("\n".join(lines) + "\n").encode()
    _resign(members, world.a07.key)
    reason = _refused(world, _pack(members, tmp_path / "claim.sync.tar.gz"))
    assert f"claims device {b02}" in reason and a07 not in reason.split("claims")[1]


def test_same_event_id_with_different_content_is_a_conflict(world: World, tmp_path: Path) -> None:
    path = _day(world)
    world.merge(path)
    members = _members(path)
    # the laptop's key re-signs a rewritten history: same seq, different content and hash
    lines = [json.loads(line) for line in members["events.jsonl"].decode().splitlines()]
    from knock.core.events import Event

    prev = lines[0]["prev_hash"]
    for item in lines:
        if item["kind"] == "payment.recorded":
            item["payload"]["amount_fen"] = 1
        event = Event.create(**{k: item[k] for k in ("event_id", "device_id", "seq", "author", "device_time", "kind", "payload")}, prev_hash=prev)
        item.update(event.to_dict())
        prev = event.hash
    members["events.jsonl"] = ("\n".join(json.dumps(i, ensure_ascii=False) for i in lines) + "\n").encode()
    manifest = json.loads(members["manifest.json"])
    manifest["head_hash"] = prev
    members["manifest.json"] = (canonical_json(manifest) + "\n").encode()
    _resign(members, world.a07.key)
    reason = _refused(world, _pack(members, tmp_path / "fork.sync.tar.gz"))
    assert "differs from the one already merged" in reason


def test_key_of_a_device_not_enrolled_cannot_reuse_an_enrolled_name(world: World, tmp_path: Path) -> None:
    from sync.errors import SyncError

    other = open_home(tmp_path / "other", clock=world.a07_clock)
    with pytest.raises(SyncError, match="already used by device"):
        enrol_device(world.office.ledger, "A07", public_key_b64(other.key), author="office")
    other.close()
