"""The ledger's bulk path: the same facts as one action at a time, checked the same, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest

from knock.core.events import Event
from knock.core.journal import replay
from knock.core.ledger import BulkItemError, NewCharge, NewHousehold
from knock.core.store import Store
from knock.home import Home


def _table(home: Home, sql: str) -> list[tuple]:
    return [tuple(r) for r in home.store.query(sql)]


def test_bulk_registration_and_charges_match_the_projection_a_replay_builds(home: Home) -> None:
    led = home.ledger
    ids = led.register_households([NewHousehold("1-1-101", "甲"), NewHousehold("1-1-102", "乙", phones=("13800000000",), tags=("b", "a"))])
    charges = led.add_charges([NewCharge("1-1-101", "property_fee", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 15), 12000)])
    assert len(ids) == 2 and len(charges) == 1
    assert led.journal.verify_chain(led.device.device_id) == []
    assert _table(home, "SELECT room, owner_name FROM households ORDER BY room") == [("1-1-101", "甲"), ("1-1-102", "乙")]
    copy = Store(":memory:")
    replay(home.store, copy)
    assert [tuple(r) for r in copy.query("SELECT * FROM households ORDER BY room")] == _table(home, "SELECT * FROM households ORDER BY room")
    assert [tuple(r) for r in copy.query("SELECT * FROM charges")] == _table(home, "SELECT * FROM charges")


def test_a_bad_item_names_its_position_and_nothing_is_written(home: Home) -> None:
    led = home.ledger
    before = home.store.scalar("SELECT COUNT(*) FROM events")
    with pytest.raises(BulkItemError) as caught:
        led.register_households([NewHousehold("1-1-101", "甲"), NewHousehold("1-1-101", "重复")])
    assert caught.value.index == 1 and "already registered" in str(caught.value)
    with pytest.raises(BulkItemError) as caught:
        led.add_charges([NewCharge("9-9-999", "property_fee", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 15), 100)])
    assert caught.value.index == 0 and "no household" in str(caught.value)
    assert home.store.scalar("SELECT COUNT(*) FROM events") == before


def test_ingest_many_skips_known_events_and_refuses_a_changed_one(home: Home, tmp_path) -> None:
    from knock.home import open_home

    led = home.ledger
    led.register_households([NewHousehold("1-1-101", "甲")])
    other = open_home(tmp_path / "other", clock=led.clock)
    events = [Event.from_row(r) for r in home.store.query("SELECT * FROM events ORDER BY rowid")]
    first = other.ledger.journal.ingest_many(events)
    assert len(first.added) == len(events)
    again = other.ledger.journal.ingest_many(events)
    assert again.already_here == len(events) and not again.added
    from dataclasses import replace

    from knock.core.events import EventConflict

    forged = replace(events[-1], hash="0" * 64)
    with pytest.raises(Exception, match="hash does not match"):
        other.ledger.journal.ingest_many([forged])
    twin = Event.create(**{**{k: getattr(events[-1], k) for k in ("event_id", "device_id", "seq", "author", "device_time", "kind")},
                           "payload": {**events[-1].payload, "owner_name": "改"}, "prev_hash": events[-1].prev_hash})
    with pytest.raises(EventConflict):
        other.ledger.journal.ingest_many([twin])
    other.close()
