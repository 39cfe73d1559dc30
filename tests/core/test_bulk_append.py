"""The ledger's bulk path: the same facts as one action at a time, checked the same, all or nothing."""

from __future__ import annotations

import pytest

from knock.core.events import Event
from knock.core.journal import replay
from knock.core.store import Store
from knock.home import Home


def _table(home: Home, sql: str) -> list[tuple]:
    return [tuple(r) for r in home.store.query(sql)]


def test_append_many_writes_the_same_facts_as_one_action_at_a_time(home: Home) -> None:
    from knock.core.events import EventKind as K

    led = home.ledger
    items = [
        (K.HOUSEHOLD_REGISTERED, {"household_id": f"H{n}", "room": f"1-1-10{n}", "owner_name": "甲", "phones": [], "tags": ["b", "a"]}, "import")
        for n in range(1, 4)
    ]
    written = led.journal.append_many(items)
    assert [e.seq for e in written] == [2, 3, 4]  # after the device's registration
    assert led.journal.verify_chain(led.device.device_id) == []
    led.register_household("1-1-201", "乙")  # the single path continues the same chain
    assert led.journal.verify_chain(led.device.device_id) == []
    copy = Store(":memory:")
    replay(home.store, copy)
    assert [tuple(r) for r in copy.query("SELECT * FROM households ORDER BY room")] == _table(home, "SELECT * FROM households ORDER BY room")


def test_a_failing_batch_writes_nothing(home: Home) -> None:
    from knock.core.events import EventKind as K

    before = home.store.scalar("SELECT COUNT(*) FROM events")
    items = [
        (K.HOUSEHOLD_REGISTERED, {"household_id": "H1", "room": "1-1-101", "owner_name": "甲"}, "import"),
        (K.HOUSEHOLD_REGISTERED, {"household_id": "H2", "room": "1-1-101", "owner_name": "重复"}, "import"),
    ]
    with pytest.raises(Exception, match="UNIQUE"):
        home.ledger.journal.append_many(items)
    assert home.store.scalar("SELECT COUNT(*) FROM events") == before
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 0


def test_ingest_many_skips_known_events_and_refuses_a_changed_one(home: Home, tmp_path) -> None:
    from knock.home import open_home

    led = home.ledger
    led.register_household("1-1-101", "甲")
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


def test_the_bulk_path_counts_one_confirmed_message_once(home: Home) -> None:
    """A projector's look-up (the contact's message id) sees rows the bulk path has buffered."""
    from knock.core.events import EventKind as K

    led = home.ledger
    led.journal.append_many([(K.HOUSEHOLD_REGISTERED, {"household_id": "H1", "room": "1-1-101", "owner_name": "甲"}, "import")])
    staff = led.journal.append_many([(K.STAFF_REGISTERED, {"staff_id": "S1", "name": "张伟", "role": "guard"}, "import")])
    assert staff
    contact = {"household_id": "H1", "channel": "sms", "outcome": "sent", "collector_id": "S1", "at": "2026-11-23T10:00:00+08:00",
               "template": "reminder", "message_id": "M1"}
    written = led.journal.append_many([
        (K.CONTACT_LOGGED, {**contact, "contact_id": "C1"}, "S1"),
        (K.CONTACT_LOGGED, {**contact, "contact_id": "C2"}, "S1"),
    ])
    assert len(written) == 2
    assert _table(home, "SELECT contact_id, warnings FROM contacts WHERE message_id = 'M1'") == [("C1", "[]")]
