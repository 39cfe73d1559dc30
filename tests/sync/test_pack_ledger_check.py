"""A laptop that loaded its morning pack passes ``knock check``: a pack carries only the events its
collectors need, so the office's and other laptops' chains are partial there by design; the
laptop's own chain, every event's hash and every link between events it holds are still checked."""

from __future__ import annotations

import sqlite3

from knock.core import payload_codec
from knock.core.integrity import full_check, quick_check
from knock.home import Home
from sync.packs import build_pack, load_pack
from tests.sync.conftest import World


def _packed(world: World, c09: Home) -> None:
    world.b02.ledger.record_payment("2-1-101", 1000, method="cash", collector="李娜")  # another collector's: not in C09's pack
    world.a07.ledger.record_payment("1-1-101", 2000, method="cash", collector="张伟")
    world.a07.ledger.record_payment("1-1-102", 2500, method="cash", collector="张伟", again=True)
    world.merge(world.export(world.a07), world.export(world.b02))
    data, _ = build_pack(world.office, "C09", ["张伟"])
    load_pack(c09, data, "pack")
    c09.ledger.record_payment("1-1-201", 3000, method="cash", collector="张伟")


def test_a_laptop_with_its_pack_loaded_passes_the_check(world: World, c09: Home) -> None:
    _packed(world, c09)
    assert quick_check(c09.store) == []
    assert full_check(c09.store) == []


def test_an_edited_pack_event_or_own_gap_is_still_found(world: World, c09: Home) -> None:
    _packed(world, c09)
    conn = sqlite3.connect(c09.path / "knock.db")
    payload_codec.register(conn)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute(
        "UPDATE events SET payload = json_set(payload, '$.amount_fen', 1) WHERE kind = 'payment.recorded' AND device_id = ?",
        (world.a07.key.device_id,),
    )
    conn.commit()
    conn.close()
    found = full_check(c09.store)
    assert any("was changed after it was written" in f for f in found), found
