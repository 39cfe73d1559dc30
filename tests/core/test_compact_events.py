"""The compact event log (issue 13): hashes as 32 bytes, prev_hash derived, old ledgers converted."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

import knock.core.store as store_module
from knock.core import payload_codec
from knock.core.events import GENESIS, Event
from knock.core.ids import new_id
from knock.core.integrity import full_check
from knock.core.schema import MIGRATION_COMPACT_EVENTS, MIGRATIONS
from knock.core.store import Store
from knock.home import Home

_EVENT_COLUMNS = "event_id, device_id, seq, author, device_time, kind, payload, prev_hash, hash, received_at"
_OLD = MIGRATIONS.index(MIGRATION_COMPACT_EVENTS)
"""How many migrations an old ledger (before the compact log) has run."""


def _fill(home: Home) -> None:
    led = home.ledger
    led.register_staff("李明", "guard")
    led.register_household("3-2-501", "王芳", phones=["13800000000"])
    led.add_charge("3-2-501", "property_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 1, 15), 60000)
    led.record_payment("3-2-501", 30000, method="cash", collector="李明")
    led.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明")


def _old_ledger(home: Home, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same ledger as ``home``, written in the schema before the compact log (hex hashes in ``events``)."""
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:_OLD])
        Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    payload_codec.register(conn)  # the new ledger's ``events`` view reads payloads through knock_payload
    conn.execute("ATTACH ? AS new", (str(home.path / "knock.db"),))
    conn.execute("BEGIN")
    tables = [r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name != 'events'")]
    for table in tables:
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM new.{table}")
    conn.execute(f"INSERT INTO main.events ({_EVENT_COLUMNS}) SELECT {_EVENT_COLUMNS} FROM new.events ORDER BY rowid")
    conn.execute("COMMIT")
    conn.execute("DETACH new")
    conn.close()


def test_hashes_are_stored_as_32_bytes_and_shown_as_hex(home: Home) -> None:
    _fill(home)
    stored = home.store.query("SELECT hash, prev_hash, received_at FROM event_log")
    assert stored and all(isinstance(r["hash"], bytes) and len(r["hash"]) == 32 for r in stored)
    assert all(r["prev_hash"] is None and r["received_at"] is None for r in stored)  # all derivable
    rows = home.store.query("SELECT * FROM events WHERE device_id = ? ORDER BY seq", (home.ledger.device.device_id,))
    assert rows[0]["prev_hash"] == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"] and len(after["hash"]) == 64
        assert after["received_at"] == after["device_time"]
    assert all(Event.from_row(r).hash_is_valid() for r in rows)
    assert home.ledger.journal.verify_chain(home.ledger.device.device_id) == []


def test_an_old_ledger_is_converted_and_still_verifies(home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(home)
    old = tmp_path / "old.db"
    _old_ledger(home, old, monkeypatch)
    before = [tuple(r) for r in sqlite3.connect(old).execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY rowid")]
    converted = Store(old)
    try:
        assert converted.schema_version == len(MIGRATIONS)
        after = [tuple(r) for r in converted.query(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY rowid")]
        assert after == before
        assert converted.scalar("SELECT COUNT(*) FROM event_log WHERE prev_hash IS NOT NULL") == 0
        assert converted.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'charges_household'") == 0
        assert converted.scalar("SELECT tbl_name FROM sqlite_master WHERE name = 'events_kind'") == "event_log"
        assert full_check(converted) == []
    finally:
        converted.close()


def test_a_broken_link_in_an_old_ledger_stays_visible(home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(home)
    old = tmp_path / "old.db"
    _old_ledger(home, old, monkeypatch)
    conn = sqlite3.connect(old)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET prev_hash = ? WHERE seq = 3", ("ab" * 32,))
    conn.commit()
    conn.close()
    converted = Store(old)
    try:
        assert converted.scalar("SELECT COUNT(*) FROM event_log WHERE prev_hash IS NOT NULL") == 1
        assert converted.scalar("SELECT prev_hash FROM events WHERE seq = 3") == "ab" * 32
        assert any("hash chain broken" in p for p in full_check(converted))
    finally:
        converted.close()


def test_events_from_a_pack_keep_the_link_they_cannot_derive(home: Home) -> None:
    """A laptop stores a selection of another device's chain: the hash before each one is kept."""
    event = Event.create(event_id=new_id(), device_id="DOTHER00001", seq=7, author="system", device_time="2026-11-23T19:30:00+08:00",
                         kind="staff.registered", payload={"staff_id": "S9", "name": "赵六", "role": "guard"}, prev_hash="cd" * 32)
    home.ledger.journal.ingest_many([event], check_chain=False)
    row = home.store.query_one("SELECT * FROM events WHERE event_id = ?", (event.event_id,))
    assert row["prev_hash"] == "cd" * 32 and Event.from_row(row) == event


def test_ids_sort_in_the_order_they_were_made() -> None:
    ids = [new_id() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 26 and set(i) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for i in ids)


def test_a_payment_event_keeps_the_signature_and_charges_not_copies(home: Home) -> None:
    """The payment payload is lean; the tables, the receipt code and its verification are as before."""
    from knock.documents.service import verify_text

    _fill(home)
    paid = home.ledger.record_payment("3-2-501", 40000, method="wechat", collector="李明")  # 30000 + 10000 credit
    payload = Event.from_row(home.store.query_one("SELECT * FROM events WHERE kind = 'payment.recorded' ORDER BY rowid DESC LIMIT 1")).payload
    assert "qr_text" not in payload and len(payload["receipt_sig"]) == 86
    assert payload["items"] == [{"charge_id": paid.items[0]["charge_id"], "amount_fen": 30000},
                                {"charge_id": None, "item": "credit", "amount_fen": 10000}]
    assert paid.items[0]["period_start"] == "2026-01-01"  # the caller still gets the whole allocation
    items = [tuple(r) for r in home.store.query("SELECT item, period_start, period_end, amount_fen FROM payment_items"
                                                  " WHERE payment_id = ? ORDER BY line", (paid.payment_id,))]
    assert items == [("property_fee", "2026-01-01", "2026-03-31", 30000), ("credit", None, None, 10000)]
    text = home.store.scalar("SELECT qr_text FROM payments WHERE payment_id = ?", (paid.payment_id,))
    assert text.startswith(f"KNOCK1|{paid.receipt_no}|40000|3-2-501|") and text.endswith(payload["receipt_sig"])
    assert verify_text(home, text).verdict == "genuine"
    assert full_check(home.store) == []
