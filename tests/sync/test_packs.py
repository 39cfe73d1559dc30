"""Morning packs: signed by the office, for one laptop, never older, never dropping local work."""

from __future__ import annotations

from pathlib import Path

import pytest

from knock.core.signing import public_key_b64
from knock.home import Home, open_home
from sync.devices import enrol_device
from sync.errors import FileRefused, SyncError
from sync.export import acknowledged_seq
from sync.packs import build_pack, load_pack
from tests.sync.conftest import World


def test_a_pack_brings_only_the_collectors_households_and_staff(world: World, c09: Home) -> None:
    world.b02.ledger.record_payment("2-1-101", 1000, method="cash", collector="李娜")
    world.a07.ledger.record_payment("1-1-101", 2000, method="cash", collector="张伟")
    world.merge(world.export(world.a07), world.export(world.b02))
    data, info = build_pack(world.office, "C09", ["张伟"])
    loaded = load_pack(c09, data, "pack")
    assert loaded.added == info.count > 0
    rooms = sorted(r[0] for r in c09.store.query("SELECT room FROM households"))
    assert rooms == ["1-1-101", "1-1-102", "1-1-201", "1-1-202"]
    assert sorted(r[0] for r in c09.store.query("SELECT name FROM staff")) == ["张伟", "王组长"]
    assert c09.store.scalar("SELECT COUNT(*) FROM assignments") == 4
    assert c09.store.scalar("SELECT amount_fen FROM payments") == 2000  # A07's payment on a household of 张伟
    from knock.core.accounts import account

    hid = c09.ledger.household("1-1-101").household_id
    assert account(c09.store, hid, c09.ledger.today(), c09.settings).owed_fen == 120000 - 2000
    # and the laptop works with it: a payment at the door, exported, merged
    c09.ledger.record_payment("1-1-102", 3000, method="cash", collector="张伟")
    run = world.merge(world.export(c09))
    assert run.verdicts[0].status == "merge"
    assert world.office.store.scalar("SELECT COUNT(*) FROM payments") == 3


def test_a_pack_for_another_laptop_is_refused(world: World, c09: Home) -> None:
    data, _ = build_pack(world.office, "A07", ["张伟"])
    with pytest.raises(FileRefused, match="this pack is for device A07"):
        load_pack(c09, data, "pack")
    assert c09.store.scalar("SELECT COUNT(*) FROM households") == 0


def test_a_stale_pack_is_refused(world: World, c09: Home) -> None:
    old, _ = build_pack(world.office, "C09", ["张伟"])
    world.office_clock.advance(hours=1)
    world.office.ledger.register_household("1-2-101", "新住户")
    new, _ = build_pack(world.office, "C09", ["张伟"])
    load_pack(c09, new, "new")
    with pytest.raises(FileRefused, match="older than the one already loaded"):
        load_pack(c09, old, "old")
    assert load_pack(c09, new, "new").added == 0  # the same pack again is a no-op


def test_a_pack_not_signed_by_the_pinned_office_is_refused(world: World, c09: Home, tmp_path: Path) -> None:
    rogue = open_home(tmp_path / "rogue", clock=world.office_clock)
    rogue.ledger.register_staff("张伟", "guard")
    enrol_device(rogue.ledger, "C09", public_key_b64(c09.key), author="office")
    data, _ = build_pack(rogue, "C09", ["张伟"])
    with pytest.raises(FileRefused, match="not signed by this laptop's office"):
        load_pack(c09, data, "rogue pack")
    rogue.close()


def test_a_laptop_that_never_joined_refuses_packs(world: World, tmp_path: Path) -> None:
    lone = open_home(tmp_path / "lone", clock=world.office_clock)
    data, _ = build_pack(world.office, "A07", ["张伟"])
    with pytest.raises(SyncError, match="has not joined an office"):
        load_pack(lone, data, "pack")
    lone.close()


def test_loading_a_pack_keeps_unacknowledged_events_and_acknowledges_merged_ones(world: World, c09: Home) -> None:
    load_pack(c09, build_pack(world.office, "C09", ["张伟"])[0], "monday")
    c09.ledger.record_payment("1-1-101", 1000, method="cash", collector="张伟")
    world.merge(world.export(c09))  # the office has everything up to here
    c09.ledger.record_payment("1-1-102", 2000, method="cash", collector="张伟")  # not yet at the office
    mine = c09.ledger.device.device_id
    before = [tuple(r) for r in c09.store.query("SELECT event_id, hash FROM events WHERE device_id = ? ORDER BY seq", (mine,))]
    world.office_clock.advance(hours=12)
    loaded = load_pack(c09, build_pack(world.office, "C09", ["张伟"])[0], "tuesday")
    after = [tuple(r) for r in c09.store.query("SELECT event_id, hash FROM events WHERE device_id = ? ORDER BY seq", (mine,))]
    assert after == before
    assert loaded.acknowledged_seq == acknowledged_seq(c09) == len(before) - 1
    manifest = world.read(world.export(c09)).manifest
    assert (manifest.first_seq, manifest.last_seq, manifest.count) == (len(before), len(before), 1)
    assert world.merge(world.export(c09)).verdicts[0].status == "merge"
    assert world.office.store.scalar("SELECT COUNT(*) FROM payments") == 2


def test_waiting_to_sync_counts_only_what_the_office_has_not_acknowledged(world: World, c09: Home) -> None:
    from knock.core.reports.day import pending_sync_count

    load_pack(c09, build_pack(world.office, "C09", ["张伟"])[0], "monday")
    mine = c09.ledger.device.device_id
    c09.ledger.record_payment("1-1-101", 1000, method="cash", collector="张伟")
    world.merge(world.export(c09))
    assert pending_sync_count(c09.store, mine) == 2  # device registration and the payment, not yet acknowledged
    world.office_clock.advance(hours=12)
    load_pack(c09, build_pack(world.office, "C09", ["张伟"])[0], "tuesday")
    assert pending_sync_count(c09.store, mine) == 0
    c09.ledger.log_contact("1-1-102", channel="door", outcome="not_home", collector="张伟")
    assert pending_sync_count(c09.store, mine) == 1


def test_a_team_leads_laptop_with_a_pack_can_check_the_sticks_it_collects(world: World, c09: Home) -> None:
    from sync.merge import Merger

    load_pack(c09, build_pack(world.office, "C09", ["张伟"])[0], "monday")
    assert {r[0] for r in c09.store.query("SELECT name FROM device_enrolments")} >= {"A07", "B02", "C09"}
    world.a07.ledger.record_payment("1-1-101", 1000, method="cash", collector="张伟")
    path = world.export(world.a07)
    run = Merger(c09.ledger, author=world.lead).run([path], dry_run=True)
    assert run.verdicts[0].status == "merge" and run.verdicts[0].device_name == "A07"
    # the very same file then merges at the office: nothing was re-signed
    assert world.merge(path).verdicts[0].status == "merge"
