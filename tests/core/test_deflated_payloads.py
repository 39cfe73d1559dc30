"""Payloads stored deflated (issue 13): the hash chain, the ``events`` view and old ledgers are unchanged in meaning."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

import knock.core.store as store_module
from knock.core import ledger_sql, payload_codec
from knock.core.events import Event, EventKind, canonical_json
from knock.core.integrity import full_check
from knock.core.schema import MIGRATION_DEFLATED_PAYLOADS, MIGRATIONS
from knock.core.store import Store
from knock.home import Home

_EVENT_COLUMNS = "event_id, device_id, seq, author, device_time, kind, payload, prev_hash, hash, received_at"
_PROJECTIONS = ("households", "charges", "payments", "payment_items", "contacts", "staff")


def _fill(home: Home) -> None:
    led = home.ledger
    led.register_staff("李明", "guard")
    led.register_household("3-2-501", "王芳", phones=["13800000000"], notes="楼下\t有狗 \"引号\"")
    led.add_charge("3-2-501", "property_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 1, 15), 60000)
    led.add_charge("3-2-501", "parking_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 1, 15), 15000)
    led.record_payment("3-2-501", 70000, method="cash", collector="李明")
    led.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明")


def test_every_shipped_dictionary_is_unchanged() -> None:
    for number, (_kind, name, sha) in payload_codec.DICTIONARIES.items():
        data = (Path(payload_codec.__file__).parent / "payload_dicts" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, f"dictionary {number} ({name}) changed after it shipped"
        assert 0 < len(data) <= 16384 and data.decode("utf-8")


@pytest.mark.parametrize("kind", sorted({v for k, v in vars(EventKind).items() if k.isupper()} | {"some.future_kind"}))
def test_every_kind_round_trips_byte_for_byte(kind: str) -> None:
    for payload in ({}, {"household_id": "01M8QNQRZHX55CZ1Z180X77MZS", "note": "王芳 \u2028 \ud7ff 🏠", "n": 2**70}, {"rows": list(range(20000))}):
        text = canonical_json(payload)
        stored = payload_codec.stored_payload(kind, text)
        assert isinstance(stored, bytes) and payload_codec.payload_text(stored) == text


def test_payloads_are_stored_deflated_and_read_back_through_the_view(home: Home) -> None:
    _fill(home)
    stored = home.store.query("SELECT n.name AS kind, l.payload FROM event_log l JOIN event_names n ON n.code = l.kind_code")
    assert stored and all(isinstance(r["payload"], bytes) for r in stored)
    charge = next(r["payload"] for r in stored if r["kind"] == EventKind.CHARGE_ADDED)
    assert charge[0] == 2 and len(charge) < 80  # charge.added's own dictionary; ~220 bytes of JSON
    rows = home.store.query("SELECT * FROM events ORDER BY rowid")
    assert all(r["payload"] == canonical_json(json.loads(r["payload"])) for r in rows)
    assert all(Event.from_row(r).hash_is_valid() for r in rows)
    assert home.store.scalar(
        "SELECT SUM(json_extract(payload, '$.amount_fen')) FROM events WHERE kind = ?", (EventKind.PAYMENT_RECORDED,)
    ) == 70000
    assert home.store.scalar("SELECT json_extract(payload, '$.notes') FROM events WHERE kind = ?", (EventKind.HOUSEHOLD_REGISTERED,)) == "楼下\t有狗 \"引号\""
    assert full_check(home.store) == []


def test_a_damaged_stored_payload_is_reported_by_check_not_raised(home: Home) -> None:
    _fill(home)
    conn = home.store.conn
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE event_log SET payload = x'08ffff00' WHERE kind_code = (SELECT code FROM event_names WHERE name = ?)", (EventKind.PAYMENT_RECORDED,))
    conn.execute("UPDATE event_log SET payload = x'63' WHERE kind_code = (SELECT code FROM event_names WHERE name = ?)", (EventKind.CONTACT_LOGGED,))  # unknown dictionary id 99
    payload = home.store.scalar("SELECT payload FROM events WHERE kind = ?", (EventKind.PAYMENT_RECORDED,))
    assert json.loads(payload) == {"unreadable_stored_payload": "08ffff00"}
    problems = full_check(home.store)
    assert any("was changed after it was written" in p for p in problems), problems


def test_an_update_through_the_view_stores_text_that_reads_back(home: Home) -> None:
    _fill(home)
    conn = home.store.conn
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET payload = replace(payload, '70000', '7000') WHERE kind = ?", (EventKind.PAYMENT_RECORDED,))
    assert home.store.scalar("SELECT typeof(l.payload) FROM event_log l JOIN event_names n ON n.code = l.kind_code WHERE n.name = ?", (EventKind.PAYMENT_RECORDED,)) == "text"
    assert json.loads(home.store.scalar("SELECT payload FROM events WHERE kind = ?", (EventKind.PAYMENT_RECORDED,)))["amount_fen"] == 7000
    assert any("was changed after it was written" in p for p in full_check(home.store))


def _old_ledger(home: Home, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same ledger as ``home`` in the schema before deflated payloads (JSON text in ``event_log``)."""
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", MIGRATIONS[: MIGRATIONS.index(MIGRATION_DEFLATED_PAYLOADS)])
        Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    payload_codec.register(conn)
    conn.create_function("knock_hash_bytes", 1, bytes.fromhex)
    conn.execute("ATTACH ? AS new", (str(home.path / "knock.db"),))
    conn.execute("BEGIN")
    tables = [r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name != 'event_log'")]
    for table in tables:
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM new.{table}")
    conn.execute(
        "INSERT INTO main.event_log SELECT rowid, event_id, device_id, seq, author, device_time, kind,"
        " payload, knock_hash_bytes(hash), NULL, NULL FROM new.events ORDER BY rowid"
    )
    conn.execute("COMMIT")
    conn.execute("DETACH new")
    conn.close()


def test_an_old_ledger_is_deflated_with_every_event_hash_and_projection_intact(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(home)
    old = tmp_path / "old.db"
    _old_ledger(home, old, monkeypatch)
    plain = sqlite3.connect(old)
    assert plain.execute("SELECT COUNT(*) FROM event_log WHERE typeof(payload) != 'text'").fetchone()[0] == 0
    before = [tuple(r) for r in plain.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY rowid")]
    tables_before = {t: sorted(map(tuple, plain.execute(f"SELECT * FROM {t}"))) for t in _PROJECTIONS}
    plain.close()
    converted = Store(old)
    try:
        assert converted.schema_version == len(MIGRATIONS)
        assert [tuple(r) for r in converted.query(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY rowid")] == before
        assert converted.scalar("SELECT COUNT(*) FROM event_log WHERE typeof(payload) != 'blob'") == 0
        assert {t: sorted(map(tuple, converted.query(f"SELECT * FROM {t}"))) for t in _PROJECTIONS} == tables_before
        assert "WITHOUT ROWID" in converted.scalar("SELECT sql FROM sqlite_master WHERE name = 'payment_items'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            converted.conn.execute("DELETE FROM payment_items")
        assert full_check(converted) == []
    finally:
        converted.close()


def test_the_log_reads_from_a_shell_with_ledger_sql(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(home)
    db = home.path / "knock.db"
    plain = sqlite3.connect(db)
    with pytest.raises(sqlite3.OperationalError, match="knock_payload"):  # why the README points to ledger_sql
        plain.execute("SELECT payload FROM events")
    plain.close()
    assert ledger_sql.main([str(db), "SELECT kind, json_extract(payload, '$.amount_fen') AS fen FROM events WHERE kind = 'payment.recorded'"]) == 0
    assert capsys.readouterr().out == "kind\tfen\npayment.recorded\t70000\n"
    assert ledger_sql.main([str(db), "DELETE FROM charges"]) == 2
    assert "readonly" in capsys.readouterr().err
    assert ledger_sql.main([str(db), "SELEC nonsense"]) == 2
    assert "syntax error" in capsys.readouterr().err
    assert ledger_sql.main([str(home.path / "missing.db"), "SELECT 1"]) == 2
    assert "no such ledger file" in capsys.readouterr().err
    assert ledger_sql.main([]) == 2
