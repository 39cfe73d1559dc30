"""Staff, roles, PINs and trusted laptops are the office's facts: a laptop's sync file cannot change them.

Found in 13v's pass as "someone holding the laptop": on laptop A07, `knock set-pin` gave the team
lead (who had no PIN yet) a PIN the holder knew, a staff change made a guard a manager, and
`knock device add` enrolled a laptop of their own. The merge took all three into the office ledger
without a word. Now each is set aside and flagged for a person; the office's tables are unchanged.
"""

from __future__ import annotations

from pathlib import Path

from knock.core.pins import pin_matches, set_pin
from knock.core.signing import load_or_create_device_key, public_key_b64
from sync.devices import enrol_device, find_device
from sync.status import open_flags
from tests.sync.conftest import World


def test_staff_and_device_facts_from_a_laptop_are_set_aside_and_flagged(world: World, tmp_path: Path) -> None:
    laptop = world.a07.ledger
    set_pin(laptop, "王组长", "4321")  # the lead has no PIN yet
    laptop.update_staff(world.zhang, author=world.zhang, role="manager")
    laptop.register_staff("假经理", "manager")
    enrol_device(laptop, "ROGUE", public_key_b64(load_or_create_device_key(tmp_path / "rogue.key")), author=world.zhang)
    laptop.log_contact("1-1-101", channel="door", outcome="not_home", collector=world.zhang)  # ordinary work still lands
    paid = laptop.record_payment("1-1-102", 10000, method="cash", collector=world.zhang)
    paid_event = world.a07.store.scalar("SELECT event_id FROM payments WHERE receipt_no = ?", (paid.receipt_no,))
    laptop.record_payment_export([paid_event], lines=1, total_fen=10000, file_name="x.csv", range_from=None, range_to=None,
                                 since_last=True, author=world.zhang)  # "already handed back": finance would never see it

    run = world.merge(world.export(world.a07))
    office = world.office.ledger
    assert not office.staff("王组长").pin_hash and not pin_matches(office.staff("王组长").pin_hash, "4321")
    assert office.staff("张伟").role == "guard"
    assert world.office.store.query("SELECT 1 FROM staff WHERE name = '假经理'") == []
    assert find_device(world.office.store, "ROGUE") is None
    assert world.office.store.scalar("SELECT COUNT(*) FROM contacts") == 1
    assert world.office.store.scalar("SELECT COUNT(*) FROM payments") == 1
    assert world.office.store.query("SELECT 1 FROM exported_facts") == []  # the office's next --since-last carries it
    flagged = [f for f in open_flags(world.office.store) if f.kind == "unapplied"]
    assert len(flagged) == 5 and all("只能在办公室记录" in f.message for f in flagged), [f.message for f in flagged]
    assert len(run.verdicts[0].parked) == 5
    # A later merge does not let them in either.
    assert world.merge(world.export(world.a07)).unparked == 0
    assert office.staff("张伟").role == "guard"


def _cli(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from knock.cli.main import cli

    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_laptop_refuses_staff_pin_and_device_work_before_it_is_done(world: World, tmp_path: Path) -> None:
    home = str(world.a07.path)
    code, out = _cli("set-pin", "王组长", "--pin", "4321", "--home", home)
    assert code == 1 and "enrolled with an office" in out and "setting a PIN" in out
    staff_csv = tmp_path / "staff.csv"
    staff_csv.write_text("姓名,岗位\n张伟,经理\n假经理,经理\n", encoding="utf-8")
    code, out = _cli("import", "staff", str(staff_csv), "--home", home)
    assert code == 1 and "importing staff" in out
    code, out = _cli("device", "add", "ROGUE", "--public-key", public_key_b64(load_or_create_device_key(tmp_path / "r.key")), "--home", home)
    assert code == 1 and "enrolling a laptop" in out
    code, out = _cli("device", "revoke", "B02", "--reason", "x", "--home", home)
    assert code == 1 and "revoking a laptop" in out
    code, out = _cli("complaints", "close", "01ANYCOMPLAINT", "--resolution", "done", "--by", "王组长", "--home", home)
    assert code == 1 and "closing a complaint" in out
    code, out = _cli("export", "payments", "--since-last", "-o", str(tmp_path / "p.csv"), "--home", home)
    assert code == 1 and "billing system" in out and not (tmp_path / "p.csv").exists()
    assert not world.a07.ledger.staff("王组长").pin_hash
    assert world.a07.store.query("SELECT 1 FROM events WHERE device_id = ? AND kind LIKE 'staff.%'", (world.a07.ledger.device.device_id,)) == []


def test_a_managers_first_pin_needs_a_manager_once_one_has_a_pin(world: World) -> None:
    home = str(world.office.path)
    assert _cli("set-pin", "王组长", "--pin", "1357", "--home", home)[0] == 0  # the first manager: the office sets it
    world.office.ledger.register_staff("赵经理", "manager")
    code, out = _cli("set-pin", "赵经理", "--pin", "4321", "--home", home)
    assert code == 1 and "is a manager" in out and "--by" in out
    assert not world.office.ledger.staff("赵经理").pin_hash
    from click.testing import CliRunner

    from knock.cli.main import cli

    allowed = CliRunner().invoke(cli, ["set-pin", "赵经理", "--pin", "4321", "--by", "王组长", "--pin-from-stdin", "--home", home], input="1357\n")
    assert allowed.exit_code == 0, allowed.output
    assert pin_matches(world.office.ledger.staff("赵经理").pin_hash, "4321")
    assert _cli("set-pin", "张伟", "--pin", "2468", "--home", home)[0] == 0  # a collector's first PIN: as before
