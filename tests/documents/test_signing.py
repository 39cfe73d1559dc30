"""Device keys and receipt verification texts."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knock.core.signing import (
    KeyFileError,
    ReceiptFields,
    load_or_create_device_key,
    open_device_key,
    public_key_b64,
    receipt_qr_text,
    verify_receipt_text,
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("keys")
    return load_or_create_device_key(base / "a.key"), load_or_create_device_key(base / "b.key")


def _fields(key, **changes) -> ReceiptFields:
    base = ReceiptFields("D1-000042", 100560, "3-2-501", datetime(2025, 3, 8, 19, 42, 31), key.device_id)
    return replace(base, **changes)


def _lookup(*keys):
    table = {k.device_id: k.public_bytes for k in keys}
    return table.get


def test_key_file_created_private_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "home" / "device.key"
    key = load_or_create_device_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = load_or_create_device_key(path)
    assert again.public_bytes == key.public_bytes
    assert len(public_key_b64(key)) == 43


def test_raw_key_file_and_bad_file(tmp_path: Path) -> None:
    raw = tmp_path / "raw.key"
    raw.write_bytes(bytes(range(32)))
    assert len(load_or_create_device_key(raw).public_bytes) == 32
    bad = tmp_path / "bad.key"
    bad.write_text("hello")
    with pytest.raises(KeyFileError, match="bad.key"):
        load_or_create_device_key(bad)


def test_opened_key_reads_the_private_key_only_to_sign(tmp_path: Path) -> None:
    """A start with the public half cached knows the device id without reading the key; the first
    signature reads it; a changed key file is read again, a bad one refused at open as before."""
    path, cache = tmp_path / "device.key", tmp_path / "device.pub"
    made = open_device_key(path, cache)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    again = open_device_key(path, cache)
    assert again._private is None  # not read yet
    assert (again.device_id, again.public_bytes) == (made.device_id, made.public_bytes)
    text = receipt_qr_text(_fields(again), again)
    assert verify_receipt_text(text, _lookup(made)).genuine
    path.write_bytes(bytes(range(32)))  # another key in the file: the cache no longer applies
    other = open_device_key(path, cache)
    assert other._private is not None and other.public_bytes != made.public_bytes
    assert open_device_key(path, cache).public_bytes == other.public_bytes
    path.write_text("hello")
    with pytest.raises(KeyFileError, match="device.key"):
        open_device_key(path, cache)


def test_forged_public_cache_is_refused_at_the_first_signature(tmp_path: Path) -> None:
    """Someone who writes another public key beside the key file gets no receipt signed under it."""
    path, cache = tmp_path / "device.key", tmp_path / "device.pub"
    open_device_key(path, cache)
    stamp = cache.read_text().split()[0]
    other = load_or_create_device_key(tmp_path / "other.key")
    cache.write_text(f"{stamp} {public_key_b64(other)}\n")
    forged = open_device_key(path, cache)
    assert forged.device_id == other.device_id
    with pytest.raises(KeyFileError, match="no longer matches"):
        receipt_qr_text(_fields(forged), forged)


def test_genuine(keys) -> None:
    a, b = keys
    text = receipt_qr_text(_fields(a), a)
    assert text.startswith(f"KNOCK1|D1-000042|100560|3-2-501|2025-03-08T19:42|{a.device_id}|")
    result = verify_receipt_text(text, _lookup(a, b))
    assert result.genuine and result.verdict == "genuine"
    assert result.fields == _fields(a, issued_at=datetime(2025, 3, 8, 19, 42))


def test_timezone_is_kept(keys) -> None:
    a, _ = keys
    when = datetime(2025, 3, 8, 19, 42, tzinfo=timezone(timedelta(hours=8)))
    text = receipt_qr_text(_fields(a, issued_at=when), a)
    assert "|2025-03-08T19:42+08:00|" in text
    assert verify_receipt_text(text, _lookup(a)).fields.issued_at == when  # type: ignore[union-attr]


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_tampering_any_field_is_forged(keys, index: int) -> None:
    a, _ = keys
    parts = receipt_qr_text(_fields(a), a).split("|")
    parts[index] = {1: "D1-000043", 2: "1005600", 3: "3-2-502", 4: "2025-03-08T19:43"}[index]
    result = verify_receipt_text("|".join(parts), _lookup(a))
    assert result.verdict == "forged" and not result.genuine


def test_swapping_device_id(keys) -> None:
    a, b = keys
    parts = receipt_qr_text(_fields(a), a).split("|")
    parts[5] = b.device_id
    assert verify_receipt_text("|".join(parts), _lookup(a, b)).verdict == "forged"


def test_other_devices_key_is_not_genuine(keys) -> None:
    a, b = keys
    # a forger with key b claims to be device a
    text = receipt_qr_text(_fields(b), b).replace(b.device_id, a.device_id)
    assert verify_receipt_text(text, _lookup(a, b)).verdict == "forged"
    # and a lookup that hands back the wrong key for a device is caught too
    honest = receipt_qr_text(_fields(a), a)
    assert verify_receipt_text(honest, lambda _id: b.public_bytes).verdict == "unknown_device"


def test_unknown_device(keys) -> None:
    a, _ = keys
    result = verify_receipt_text(receipt_qr_text(_fields(a), a), lambda _id: None)
    assert result.verdict == "unknown_device" and a.device_id in result.reason
    assert result.fields is not None and result.fields.amount_fen == 100560


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "https://pay.example.cn/x",
        "KNOCK1|a|b",
        "KNOCK1|R1|12.50|3-2-501|2025-03-08T19:42|D|sig",
        "KNOCK1|R1|1250|3-2-501|yesterday|D|sig",
        "KNOCK1|R1|1250|3-2-501|2025-02-30T19:42|D|sig",
        "KNOCK1|R1|1250|3-2-501|2025-03-08T19:42|D|not base64!",
        "KNOCK2|R1|1250|3-2-501|2025-03-08T19:42|D|sig",
    ],
)
def test_malformed_is_a_result_not_an_exception(keys, text: str) -> None:
    a, _ = keys
    result = verify_receipt_text(text, _lookup(a))
    assert result.verdict in ("malformed", "unknown_device")
    assert not result.genuine and result.reason


def test_fields_with_separator_are_refused(keys) -> None:
    a, _ = keys
    with pytest.raises(ValueError, match="room"):
        receipt_qr_text(_fields(a, room="3|2"), a)
    with pytest.raises(ValueError, match="device"):
        receipt_qr_text(_fields(a, device_id="Dother"), a)


@given(
    st.integers(min_value=0, max_value=10**10),
    st.text(alphabet=st.characters(blacklist_characters="|", blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20),
)
def test_round_trip(keys, amount: int, room: str) -> None:
    a, _ = keys
    fields = _fields(a, amount_fen=amount, room=room, issued_at=datetime(2025, 1, 1, 8, 5))
    result = verify_receipt_text(receipt_qr_text(fields, a), _lookup(a))
    assert result.genuine, result.reason
    assert result.fields == fields
