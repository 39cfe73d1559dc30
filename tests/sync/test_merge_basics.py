"""Sync files end to end: export on a laptop, merge at the office, exactly once, in any order."""

from __future__ import annotations

from knock.core.events import EventKind as K
from tests.sync.conftest import World


def _count(world: World, device_id: str) -> int:
    return int(world.office.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device_id,)))


def test_payment_at_the_door_reaches_the_office_once(world: World) -> None:
    world.a07.ledger.record_payment("1-1-101", 50000, method="cash", collector="张伟")
    world.a07.ledger.log_contact("1-1-102", channel="door", outcome="not_home", collector="张伟")
    path = world.export(world.a07)
    run = world.merge(path)
    assert [(v.status, v.reason) for v in run.verdicts] == [("merge", "")]
    a07_id = world.a07.ledger.device.device_id
    assert _count(world, a07_id) == int(world.a07.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (a07_id,)))
    row = world.office.store.query_one("SELECT amount_fen, collector_id FROM payments WHERE device_id = ?", (a07_id,))
    assert row["amount_fen"] == 50000 and row["collector_id"] == world.zhang
    before = world.office.store.scalar("SELECT COUNT(*) FROM events")
    again = world.merge(path)
    assert [v.status for v in again.verdicts] == ["already_merged"]
    assert world.office.store.scalar("SELECT COUNT(*) FROM events") == before


def test_second_export_is_a_superset_and_files_merge_in_reverse_order_in_one_run(world: World, tmp_path) -> None:
    world.a07.ledger.record_payment("1-1-101", 30000, method="cash", collector="张伟")
    first = world.export(world.a07, tmp_path / "morning")
    world.a07_clock.advance(minutes=30)
    world.a07.ledger.record_payment("1-1-102", 20000, method="wechat", collector="张伟")
    second = world.export(world.a07, tmp_path / "evening")
    f1, f2 = world.read(first), world.read(second)
    assert f2.manifest.first_seq == f1.manifest.first_seq and f2.manifest.last_seq > f1.manifest.last_seq
    run = world.merge(second, first)
    assert [(v.source, v.status) for v in run.verdicts] == [(str(first), "merge"), (str(second), "merge")]
    assert run.verdicts[1].new_events == f2.manifest.last_seq - f1.manifest.last_seq
    assert {v.status for v in world.merge(first, second).verdicts} == {"already_merged"}
    assert world.office.store.scalar("SELECT COUNT(*) FROM payments WHERE device_id = ?", (world.a07.ledger.device.device_id,)) == 2
    assert world.office.ledger.journal.verify_chain(world.a07.ledger.device.device_id) == []


def test_a_merge_is_recorded_as_an_event_and_counts_as_synced_today(world: World) -> None:
    from sync.status import devices_not_synced

    world.a07.ledger.record_payment("1-1-101", 30000, method="cash", collector="张伟")
    world.merge(world.export(world.a07))
    waiting = {d.name for d in devices_not_synced(world.office.store, "2026-11-23")}
    assert waiting == {"B02"}
    assert world.office.store.scalar("SELECT COUNT(*) FROM events WHERE kind = ?", (K.SYNC_MERGED,)) == 1


def test_a_file_swapped_between_the_signature_check_and_the_merge_is_refused(world: World, tmp_path, monkeypatch) -> None:
    from sync.merge import Merger

    world.a07.ledger.record_payment("1-1-101", 30000, method="cash", collector="张伟")
    first = world.export(world.a07, tmp_path / "morning")
    world.a07_clock.advance(minutes=30)
    world.a07.ledger.record_payment("1-1-102", 20000, method="wechat", collector="张伟")
    other = world.export(world.a07, tmp_path / "evening").read_bytes()
    original = first.read_bytes()
    real_read = Merger._read

    def swap_then_read(self, source):  # type: ignore[no-untyped-def]
        first.write_bytes(other)  # after the first look (manifest, signature), before the full read
        return real_read(self, source)

    monkeypatch.setattr(Merger, "_read", swap_then_read)
    run = world.merge(first)
    assert [v.status for v in run.verdicts] == ["refused"]
    assert "changed while it was being merged" in run.verdicts[0].reason
    assert _count(world, world.a07.ledger.device.device_id) == 0
    monkeypatch.undo()
    first.write_bytes(original)
    assert [v.status for v in world.merge(first).verdicts] == ["merge"]


def test_a_note_holding_unicode_line_separators_merges(world: World) -> None:
    """events.jsonl lines end at "\\n" only: U+2028, U+2029 and NEL stay raw inside JSON strings."""
    note = "门口贴了通知\u2028第二行\u2029第三行\x85完"
    world.a07.ledger.log_contact("1-1-102", channel="door", outcome="not_home", collector="张伟", note=note)
    run = world.merge(world.export(world.a07))
    assert [(v.status, v.reason) for v in run.verdicts] == [("merge", "")]
    assert world.office.store.scalar("SELECT note FROM contacts WHERE note != ''") == note
