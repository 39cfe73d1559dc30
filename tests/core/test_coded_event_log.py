"""The coded event log (issue 13): names stored once as codes, times packed; the ``events`` view unchanged."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knock.core.events import Event, EventKind
from knock.core.integrity import full_check, quick_check
from knock.core.store import Store
from knock.core.stored_time import sql_text, stored_time, time_text
from knock.home import Home


def _sql_render(value: int | str) -> str:
    conn = sqlite3.connect(":memory:")
    try:
        return str(conn.execute(f"SELECT {sql_text('?1')}", (value,)).fetchone()[0])
    finally:
        conn.close()


@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 30)),
    st.integers(min_value=-17 * 60, max_value=17 * 60),
)
def test_a_packed_time_reads_back_byte_for_byte_in_python_and_sql(moment: datetime, offset_minutes: int) -> None:
    text = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes))).isoformat(timespec="seconds")
    stored = stored_time(text)
    assert isinstance(stored, int)
    assert moment.year >= 4000 or stored.bit_length() < 48  # six bytes in SQLite for the next two thousand years
    assert time_text(stored) == text and _sql_render(stored) == text


@pytest.mark.parametrize(
    "text",
    ["2026-11-23T19:30:00.5+08:00", "2026-11-23 19:30:00+08:00", "2026-11-23T19:30:00Z", "2026-11-23T19:30:00", "1969-12-31T23:59:59+00:00",
     "yesterday", "", "2026-11-23T19:30:00+08:00:30", "2026-11-23T19:30:00-00:00", "2026-11-23T19:30:00+08:75",
     "2026-11-23T19:30:00+٠٨:00", "2026-11-23T19:30:00+17:10", "2026-11-23T19:30+08:00:00"],
)
def test_a_time_that_would_not_read_back_is_stored_as_its_text(text: str) -> None:
    assert stored_time(text) == text
    assert _sql_render(text) == text


def test_names_and_times_are_stored_once_and_the_view_shows_them(home: Home) -> None:
    led = home.ledger
    led.register_staff("李明", "guard")
    led.register_household("3-2-501", "王芳", phones=["13800000000"])
    led.add_charge("3-2-501", "property_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 1, 15), 60000)
    led.record_payment("3-2-501", 30000, method="cash", collector="李明")
    stored = home.store.query("SELECT device_code, author_code, kind_code, typeof(device_time) AS t FROM event_log")
    assert all(isinstance(r["device_code"], int) and isinstance(r["kind_code"], int) and r["t"] == "integer" for r in stored)
    assert home.store.scalar("SELECT code FROM event_names WHERE name = ?", (EventKind.DEVICE_REGISTERED,)) == 1
    rows = home.store.query("SELECT * FROM events ORDER BY rowid")
    assert {r["device_id"] for r in rows} == {led.device.device_id}
    assert rows[-1]["kind"] == EventKind.PAYMENT_RECORDED and rows[-1]["author"] == led.staff("李明").staff_id
    assert all(r["device_time"] == r["received_at"] and datetime.fromisoformat(r["device_time"]).tzinfo for r in rows)
    assert all(Event.from_row(r).hash_is_valid() for r in rows)
    assert quick_check(home.store) == [] and full_check(home.store) == []


def test_a_name_code_handed_out_in_a_rolled_back_transaction_is_not_reused(home: Home) -> None:
    store = home.store
    with pytest.raises(RuntimeError):
        with store.transaction():
            assert store.name_code("device-that-never-was") is not None
            raise RuntimeError("the action failed")
    assert store.name_code("device-that-never-was", add=False) is None
    with store.transaction():
        code = store.name_code("another-device")
    assert store.scalar("SELECT name FROM event_names WHERE code = ?", (code,)) == "another-device"
    assert store.name_code("another-device") == code


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> str:
    return " / ".join(r[3] for r in store.query("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize(
    ("sql", "params", "uses"),
    [
        ("SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", ("D",), "sqlite_autoindex_event_log_2 (device_code=?)"),
        ("SELECT COUNT(*) FROM events WHERE device_id = ? AND seq > ?", ("D", 3), "(device_code=? AND seq>?)"),
        ("SELECT * FROM events WHERE event_id = ?", ("E",), "sqlite_autoindex_event_log_1 (event_id=?)"),
        ("SELECT COUNT(*) FROM events WHERE kind = ?", ("payment.recorded",), "events_kind (kind_code=?)"),
    ],
)
def test_the_view_is_searched_by_its_indexes(home: Home, sql: str, params: tuple[object, ...], uses: str) -> None:
    plan = _plan(home.store, sql, params)
    assert uses in plan and "SCAN l" not in plan, plan
