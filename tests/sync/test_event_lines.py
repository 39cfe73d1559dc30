"""Each event line is read once, fast when it is exactly what Knock writes, carefully otherwise.

Whatever path a line takes, the merge accepts exactly the events whose hash covers the canonical
JSON of their payload, stores that canonical text, and refuses a file holding any other spelling
(the hash of a non-canonical payload does not match its content), as it always did.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from knock.core.events import GENESIS, EventKind as K, canonical_json, chain_digest
from sync.files import encode_sync_file, read_sync_bytes
from tests.conftest import CST
from tests.sync.conftest import World


def _contact(household_id: str, collector: str, **extra: Any) -> dict[str, Any]:
    return {"contact_id": f"C{len(extra)}-{sorted(extra)}", "household_id": household_id, "channel": "door", "outcome": "not_home",
            "reason": "", "note": "", "collector_id": collector, "at": "2026-11-23T19:30:00+08:00", "override_by": "", "warnings": [],
            "seen_payment": "", **extra}


def _file(world: World, payload_texts: list[str]) -> bytes:
    """A file of A07 holding these payload texts (each hashed as it is spelled), signed by A07."""
    device = world.a07.key.device_id
    rows, prev = [], GENESIS
    for seq, text in enumerate(payload_texts, start=1):
        event_id = f"01JTEST{seq:019d}"
        at = f"2026-11-23T19:{30 + seq:02d}:00+08:00"
        digest = chain_digest(prev, event_id, device, seq, world.zhang, at, K.CONTACT_LOGGED, text)
        rows.append({"event_id": event_id, "device_id": device, "seq": seq, "author": world.zhang, "device_time": at,
                     "kind": K.CONTACT_LOGGED, "payload": text, "prev_hash": prev, "hash": digest})
        prev = digest
    data, _ = encode_sync_file(rows, world.a07.key, device_name="A07", created_at=datetime(2026, 11, 23, 19, 45, tzinfo=CST),
                               collectors=[{"staff_id": world.zhang, "name": "张伟"}], prev_hash=GENESIS, seq_before=0)
    return data


def _home(world: World) -> str:
    return str(world.office.store.scalar("SELECT household_id FROM households WHERE room = '1-1-101'"))


NOTES = ["门口贴了通知\u2028第二行\u2029第三行\x85完", "control \x00\x01\x1f\x7f tab\t quote\" back\\ slash/", "😀 astral \U0010fffd", ""]


@pytest.mark.parametrize("extra", [
    {"note": NOTES[0]}, {"note": NOTES[1]}, {"note": NOTES[2]}, {"ratio": 1e-05}, {"ratio": 0.5}, {"big": 2**70}, {"neg": -(2**63)},
    {"nested": {"b": [1, {"z": None, "a": True}], "a": "é"}},
])
def test_every_canonical_payload_merges_and_is_stored_as_it_was_hashed(world: World, extra: dict[str, Any]) -> None:
    text = canonical_json(_contact(_home(world), world.zhang, **extra))
    data = _file(world, [text, text.replace('"C', '"D', 1)])
    parsed = read_sync_bytes(data, "a07")
    assert parsed.payload_json == (text, text.replace('"C', '"D', 1))
    # Floats are judged by the standard library's form (still on the fast path); an integer beyond
    # 64 bits, which orjson reads as a float, sends its line down the careful path.
    assert parsed.hashes_checked is ("big" not in extra)
    (verdict,) = world.merge_bytes(data).verdicts
    assert verdict.status == "merge" and verdict.new_events == 2, verdict.reason
    stored = world.office.store.query("SELECT payload FROM events WHERE device_id = ? ORDER BY seq", (world.a07.key.device_id,))
    assert [r[0] for r in stored] == [text, text.replace('"C', '"D', 1)]
    assert world.office.ledger.journal.verify_chain(world.a07.key.device_id) == []


def _spelled(world: World, how: str) -> str:
    payload = _contact(_home(world), world.zhang)
    text = canonical_json(payload)
    if how == "spaces":
        return json.dumps(payload, sort_keys=True, ensure_ascii=False)
    if how == "unsorted":
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if how == "escaped":
        return text.replace('"door"', '"\\u0064oor"')
    if how == "ascii-escaped note":
        return canonical_json({**payload, "note": "门"}).replace("门", "\\u95e8")
    if how == "duplicate key":
        return text[:-1] + ',"outcome":"paid"}'
    if how == "orjson float":
        return canonical_json({**payload, "ratio": 1e-05}).replace("1e-05", "0.00001")
    if how == "exponent spelled":
        return canonical_json({**payload, "ratio": 1e-05}).replace("1e-05", "1E-5")
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["spaces", "unsorted", "escaped", "ascii-escaped note", "duplicate key", "orjson float", "exponent spelled"])
def test_a_payload_hashed_in_another_spelling_is_refused_whole(world: World, how: str) -> None:
    good = canonical_json(_contact(_home(world), world.zhang, note="first"))
    data = _file(world, [good, _spelled(world, how)])
    before = world.office.store.scalar("SELECT COUNT(*) FROM events")
    (verdict,) = world.merge_bytes(data).verdicts
    assert verdict.status == "refused" and "hash does not match its content" in verdict.reason
    assert world.office.store.scalar("SELECT COUNT(*) FROM events") == before
