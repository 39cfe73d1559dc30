"""Push and pull against a real server process: what moves, acknowledgements, "not modified", refusals."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import open_home
from sync.devices import revoke_device
from sync.export import acknowledged_seq, export_sync_file
from sync.files import build_sync_bytes
from sync.merge import Merger
from sync.online import ServerRefused, ServerUnreachable, pending_events, sync_with_server
from sync.request_auth import sign_request
from tests.conftest import CST
from tests.server.conftest import busy_day, real_time
from tests.server.server_process import ServerProcess, free_port
from tests.sync.conftest import World


def _office_count(w: World, laptop_device: str) -> int:
    return int(w.office.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (laptop_device,)))


def test_push_then_pull_moves_the_day_and_a_second_sync_moves_nothing(world: World, server: ServerProcess) -> None:
    busy_day(world, world.a07, 40, payments=("1-1-101", "1-1-102"))
    real_time(world.a07_clock)
    device = world.a07.ledger.device.device_id
    total = int(world.a07.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device,)))
    assert pending_events(world.a07) == total

    first = sync_with_server(world.a07, server.url)
    assert (first.pushed_events, first.new_at_office, first.push_status) == (total, total, "merge")
    assert first.acknowledged_seq == total and first.pending == 0
    assert first.pulled == "fresh pack"
    assert _office_count(world, device) == total
    assert int(world.office.store.scalar("SELECT COUNT(*) FROM payments")) == 2

    again = sync_with_server(world.a07, server.url)
    assert (again.pushed_events, again.push_status, again.pulled) == (0, "nothing to push", "not modified")
    assert _office_count(world, device) == total

    # Something new at the office for A07's collectors reaches A07 with the next pull
    # (the server makes packs for its own today, so the households are assigned for today).
    households = {r["room"]: r["household_id"] for r in world.office.store.query("SELECT room, household_id FROM households")}
    world.office.ledger.set_assignments(datetime.now(CST).date(), {h: world.zhang for room, h in households.items() if room.startswith("1-")})
    world.office.ledger.record_payment("1-1-201", 5000, method="wechat", collector="王组长")
    third = sync_with_server(world.a07, server.url)
    assert third.pulled == "fresh pack" and third.pack_events_added >= 1
    assert world.a07.store.scalar("SELECT COUNT(*) FROM payments WHERE amount_fen = 5000") == 1


def test_revoked_and_unknown_devices_get_403_and_401_with_a_reason(world: World, server: ServerProcess, tmp_path) -> None:
    busy_day(world, world.b02, 3, payments=(), collector="李娜")
    real_time(world.b02_clock)
    revoke_device(world.office.ledger, "B02", reason="lost on the bus", author="office")
    with pytest.raises(ServerRefused) as refused:
        sync_with_server(world.b02, server.url)
    assert refused.value.status == 403 and "revoked" in str(refused.value) and "lost on the bus" in str(refused.value)

    stranger = open_home(tmp_path / "stranger")
    try:
        with pytest.raises(ServerRefused) as unknown:
            sync_with_server(stranger, server.url)
        assert unknown.value.status == 401 and "not enrolled" in str(unknown.value)
    finally:
        stranger.close()
    assert _office_count(world, world.b02.ledger.device.device_id) == 0


def _signed_push(w: World, url: str, body: bytes, *, when: datetime | None = None) -> tuple[dict[str, str], httpx.Response]:
    headers = sign_request(w.a07.key, "POST", "/v1/push", body, now=when or datetime.now(CST))
    return headers, httpx.post(url + "/v1/push", content=body, headers=headers, timeout=30)


def test_a_replayed_request_is_refused_and_merges_nothing_twice(world: World, server: ServerProcess) -> None:
    busy_day(world, world.a07, 5)
    real_time(world.a07_clock)
    body, _ = build_sync_bytes(world.a07.store, world.a07.key, device_name="A07", created_at=world.a07.ledger.now())
    headers, first = _signed_push(world, server.url, body)
    assert first.status_code == 200 and first.json()["verdict"]["status"] == "merge"
    replay = httpx.post(server.url + "/v1/push", content=body, headers=headers, timeout=30)
    assert replay.status_code == 401 and "replayed" in replay.json()["error"]


def test_a_stale_request_is_refused(world: World, server: ServerProcess) -> None:
    busy_day(world, world.a07, 2, payments=())
    body, _ = build_sync_bytes(world.a07.store, world.a07.key, device_name="A07", created_at=datetime.now(CST))
    _, old = _signed_push(world, server.url, body, when=datetime.now(CST) - timedelta(hours=1))
    assert old.status_code == 401 and "stale" in old.json()["error"]
    _, future = _signed_push(world, server.url, body, when=datetime.now(CST) + timedelta(hours=1))
    assert future.status_code == 401 and "stale" in future.json()["error"]
    assert _office_count(world, world.a07.ledger.device.device_id) == 0


def test_a_tampered_body_or_path_is_refused(world: World, server: ServerProcess) -> None:
    busy_day(world, world.a07, 5)
    body, _ = build_sync_bytes(world.a07.store, world.a07.key, device_name="A07", created_at=datetime.now(CST))
    headers = sign_request(world.a07.key, "POST", "/v1/push", body, now=datetime.now(CST))
    flipped = bytearray(body)
    flipped[len(flipped) // 2] ^= 0x01
    changed = httpx.post(server.url + "/v1/push", content=bytes(flipped), headers=headers, timeout=30)
    assert changed.status_code == 401 and "bad signature" in changed.json()["error"]
    unsigned = httpx.post(server.url + "/v1/push", content=body, timeout=30)
    assert unsigned.status_code == 401 and "unsigned" in unsigned.json()["error"]
    # A correctly signed request whose sync file is damaged: the file's own checks refuse it.
    signed_bad = sign_request(world.a07.key, "POST", "/v1/push", bytes(flipped), now=datetime.now(CST))
    damaged = httpx.post(server.url + "/v1/push", content=bytes(flipped), headers=signed_bad, timeout=30)
    assert damaged.status_code in (409, 422) and "push from A07" in damaged.json()["error"]
    assert _office_count(world, world.a07.ledger.device.device_id) == 0


def test_a_laptop_cannot_push_another_laptops_file(world: World, server: ServerProcess) -> None:
    busy_day(world, world.b02, 3, payments=(), collector="李娜")
    body, _ = build_sync_bytes(world.b02.store, world.b02.key, device_name="B02", created_at=datetime.now(CST))
    _, answer = _signed_push(world, server.url, body)
    assert answer.status_code == 403 and "its own files only" in answer.json()["error"]


def test_the_body_size_limit_answers_413(world: World) -> None:
    (world.office.path / "settings.toml").write_text("[sync]\nmax_body_mb = 1\n", encoding="utf-8")
    from tests.server.server_process import running_server

    with running_server(world.office.path) as srv:
        body = b"\0" * (2 * 1024 * 1024)
        _, answer = _signed_push(world, srv.url, body)
        assert answer.status_code == 413 and "limit" in answer.json()["error"]


def test_the_same_day_online_and_from_a_usb_stick_is_merged_once(world: World, server: ServerProcess) -> None:
    busy_day(world, world.a07, 30, payments=("1-1-101",))
    real_time(world.a07_clock)
    device = world.a07.ledger.device.device_id
    day_events = pending_events(world.a07)
    stick_file = export_sync_file(world.a07, world.stick).path
    online = sync_with_server(world.a07, server.url)
    assert online.new_at_office == day_events
    usb = Merger(world.office.ledger, author=world.lead).run([stick_file])
    assert usb.verdicts[0].status == "already_merged"
    assert _office_count(world, device) == day_events
    assert int(world.office.store.scalar("SELECT COUNT(*) FROM payments")) == 1

    # And the other way round: the stick first, then the push acknowledges without merging again.
    busy_day(world, world.a07, 10, payments=(), tag="x")
    second_file = export_sync_file(world.a07, world.stick).path
    assert Merger(world.office.ledger, author=world.lead).run([second_file]).verdicts[0].new_events == 10
    after = sync_with_server(world.a07, server.url)
    assert (after.push_status, after.new_at_office, after.pending) == ("already_merged", 0, 0)
    assert _office_count(world, device) == day_events + 10


def test_the_network_gone_mid_sync_loses_nothing_and_the_next_sync_completes(world: World) -> None:
    busy_day(world, world.a07, 20)
    real_time(world.a07_clock)
    nobody = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerUnreachable):
        sync_with_server(world.a07, nobody, timeout=2)
    day_events = pending_events(world.a07)
    assert acknowledged_seq(world.a07) == 0 and day_events > 20
    srv = ServerProcess(world.office.path)
    try:
        srv.start()
        done = sync_with_server(world.a07, srv.url)
    finally:
        srv.stop()
    assert done.pending == 0 and _office_count(world, world.a07.ledger.device.device_id) == day_events


def test_knock_sync_server_from_the_command_line(world: World, server: ServerProcess) -> None:
    busy_day(world, world.a07, 4)
    world.a07.close()
    runner = CliRunner()
    # the laptop's home is opened by the CLI on the real clock
    result = runner.invoke(cli, ["sync", "--server", server.url, "--home", str(world.a07.path)])
    assert result.exit_code == 0, result.output
    assert "pushed " in result.output and " new at the office" in result.output and "0 waiting" in result.output
    again = runner.invoke(cli, ["sync", "--server", server.url, "--home", str(world.a07.path), "--json"])
    assert again.exit_code == 0 and '"push_status": "nothing to push"' in again.output
    world.a07 = open_home(world.a07.path, clock=world.a07_clock)


def test_knock_sync_server_offline_or_wrong_address_is_one_clear_line(world: World, tmp_path) -> None:
    runner = CliRunner()
    home = str(world.a07.path)
    world.a07.close()
    offline = runner.invoke(cli, ["sync", "--server", f"http://127.0.0.1:{free_port()}", "--home", home, "--timeout", "2"])
    assert offline.exit_code == 1 and "no answer" in offline.output and "Traceback" not in offline.output
    wrong = runner.invoke(cli, ["sync", "--server", "ftp://office", "--home", home])
    assert wrong.exit_code == 1 and "http://HOST:PORT" in wrong.output
    both = runner.invoke(cli, ["sync", "--server", "http://x", "review", "--home", home])
    assert both.exit_code == 2
    world.a07 = open_home(world.a07.path, clock=world.a07_clock)
