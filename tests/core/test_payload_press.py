"""The payload press: payloads deflated by a helper process come back as the bytes Knock would have
written itself, and a helper that cannot start or dies never costs a row."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from knock.core import payload_press
from knock.core.events import EventKind as K
from knock.core.payload_codec import stored_payload
from knock.core.payload_press import PRESS_ROWS, PayloadPress, deflate_all, serve
from knock.core.signing import DeviceKey, parse_receipt_text, receipt_qr_text, verify_receipt_text
from knock.home import Home

N = 2 * PRESS_ROWS + 17
"""Two full hand-overs and a part one."""


def _items(n: int = N) -> list[tuple[str, dict, str]]:
    return [
        (K.HOUSEHOLD_REGISTERED, {"household_id": f"H{i}", "room": f"{1 + i // 400}-1-{101 + i % 400}", "owner_name": "王", "phones": [], "tags": []}, "import")
        for i in range(n)
    ]


def _stored_as_knock_would(home: Home) -> list[tuple[bytes, bytes]]:
    """(bytes in the log, bytes stored_payload makes here from the event's JSON) for every event."""
    rows = home.store.query(
        "SELECT l.payload AS raw, e.kind, e.payload FROM event_log l JOIN events e ON e.event_id = l.event_id ORDER BY l.arrival"
    )
    return [(bytes(r["raw"]), stored_payload(r["kind"], r["payload"])) for r in rows]


def _bulk_with(home: Home, press: PayloadPress) -> None:
    home.store.press = press
    try:
        home.ledger.journal.append_many(_items())
    finally:
        home.store.press = None
        press.close()


def test_a_bulk_load_through_the_press_stores_the_same_bytes_as_without(home: Home) -> None:
    press = PayloadPress()
    _bulk_with(home, press)
    assert press.pressed == N  # every payload went through the helper process
    pairs = _stored_as_knock_would(home)
    assert len(pairs) >= N
    assert all(raw == mine for raw, mine in pairs)
    assert home.store.scalar("SELECT COUNT(*) FROM households") == N
    assert home.ledger.journal.verify_chain(home.ledger.device.device_id) == []


def test_a_helper_killed_mid_load_costs_no_row(home: Home) -> None:
    press = PayloadPress()
    press.collect(press.submit([(K.CHARGE_ADDED, '{"a":1}')]))  # the helper is running
    assert press._process is not None
    press._process.kill()
    _bulk_with(home, press)
    assert press.pressed == 1  # only the one before the kill
    assert home.store.scalar("SELECT COUNT(*) FROM households") == N
    assert all(raw == mine for raw, mine in _stored_as_knock_would(home))


def test_a_helper_that_cannot_start_leaves_the_work_here(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payload_press.sys, "executable", "/nonexistent/python3")
    press = PayloadPress()
    _bulk_with(home, press)
    assert press.pressed == 0
    assert home.store.scalar("SELECT COUNT(*) FROM households") == N
    assert all(raw == mine for raw, mine in _stored_as_knock_would(home))


def test_close_ends_the_helper_process() -> None:
    press = PayloadPress()
    texts = [(K.CHARGE_ADDED, '{"amount_fen":100}'), ("no.such.kind", '{"x":"是"}')]
    assert press.collect(press.submit(texts)) == deflate_all(texts)
    process = press._process
    assert process is not None and process.poll() is None
    press.close()
    assert process.poll() is not None
    press.close()  # twice is fine


def test_one_core_gets_no_press(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payload_press, "usable_cpus", lambda: 1)
    assert PayloadPress.for_bulk_load() is None
    monkeypatch.setattr(payload_press, "usable_cpus", lambda: 2)
    assert isinstance(PayloadPress.for_bulk_load(), PayloadPress)


def test_the_helper_loop_answers_each_message_and_stops_at_a_cut_one() -> None:
    texts = [(K.CONTACT_LOGGED, '{"note":"下次再来"}')]
    source, sink = io.BytesIO(), io.BytesIO()
    payload_press._send(source, ("deflate", texts))
    payload_press._send(source, ("deflate", texts))
    whole = source.getvalue()
    serve(io.BytesIO(whole[:-3]), sink)  # the second message is cut short: one answer, then the end
    sink.seek(0)
    assert payload_press._receive(sink) == deflate_all(texts)
    assert payload_press._receive(sink) is None


def test_the_helper_loop_ends_at_a_message_it_does_not_know() -> None:
    source, sink = io.BytesIO(), io.BytesIO()
    for message in (("sign",), [("k", "{}")], ("deflate", [(K.CONTACT_LOGGED, "{}")])):
        payload_press._send(source, message)
    serve(io.BytesIO(source.getvalue()), sink)
    assert sink.getvalue() == b""  # the first message was not a press message: no answer, the loop ended


def test_signatures_from_the_helper_are_the_ones_the_key_makes_here() -> None:
    key = DeviceKey(Ed25519PrivateKey.generate())
    datas = [f"1|R-{i:06d}|100|1-1-101".encode() for i in range(300)] + ["房间|¥".encode()]
    press = PayloadPress()
    try:
        signatures = press.collect(press.sign(key.private_raw(), datas))
    finally:
        press.close()
    assert press.signed == len(datas)
    assert signatures == [key.sign(d) for d in datas]
    public = key.private_key.public_key()
    for data, signature in zip(datas, signatures):
        public.verify(signature, data)  # raises if not


def test_a_press_that_cannot_start_signs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payload_press.sys, "executable", "/nonexistent/python3")
    key = DeviceKey(Ed25519PrivateKey.generate())
    press = PayloadPress()
    assert press.collect(press.sign(key.private_raw(), [b"a", b"b"])) == [key.sign(b"a"), key.sign(b"b")]
    assert press.signed == 0


def test_the_sample_build_deflates_through_a_press_and_stops_it(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from knock.home import open_home
    from knock.sample import build_sample

    made: list[PayloadPress] = []

    def spy(cls: type[PayloadPress]) -> PayloadPress:
        made.append(PayloadPress())
        return made[-1]

    monkeypatch.setattr(PayloadPress, "for_bulk_load", classmethod(spy))
    home = open_home(tmp_path / "home")
    before = home.store.scalar("SELECT COUNT(*) FROM events")
    build_sample(home, seed=3, households=40, assign=False)
    after = home.store.scalar("SELECT COUNT(*) FROM events")
    assert len(made) == 1 and made[0].pressed == after - before > 40
    assert made[0]._process is None  # stopped when the build ended
    assert all(raw == mine for raw, mine in _stored_as_knock_would(home))
    home.close()


def test_the_sample_build_signs_its_receipts_ahead_in_the_press(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every receipt signature came from the press, and each is the one the key makes here for that receipt."""
    from knock.home import open_home
    from knock.sample import build_sample
    from knock.sample import community

    made: list[PayloadPress] = []
    monkeypatch.setattr(PayloadPress, "for_bulk_load", classmethod(lambda cls: made.append(PayloadPress()) or made[-1]))
    monkeypatch.setattr(community, "SIGN_AHEAD", 7)  # many hand-overs, and a short last one
    home = open_home(tmp_path / "home")
    summary = build_sample(home, seed=5, households=60, assign=False)
    payments = home.store.query("SELECT receipt_no, qr_text FROM payments")
    assert summary.payments == len(payments) > 20
    assert made[0].signed == home.key.presigned_used == len(payments)
    assert home.key.presigned == {}  # nothing made ahead is left lying about
    here = DeviceKey(home.key.private_key)  # the same key, signing for itself
    for row in payments:
        assert row["qr_text"] == receipt_qr_text(parse_receipt_text(row["qr_text"]), here), row["receipt_no"]
        assert verify_receipt_text(row["qr_text"], lambda device: here.public_bytes).genuine
    home.close()


def test_a_guess_that_misses_signs_here() -> None:
    key = DeviceKey(Ed25519PrivateKey.generate())
    key.presigned = {b"foretold": key.sign(b"foretold")}
    assert key.sign(b"something else") == DeviceKey(key.private_key).sign(b"something else")
    assert key.presigned_used == 0 and b"foretold" in key.presigned
    key.sign(b"foretold")
    assert key.presigned_used == 1 and key.presigned == {}
