"""An event whose stored payload was damaged by hand (a flipped byte in its deflated blob): the
quick check, which the field app runs at every start, lists it instead of stopping on it (the
staff replay read the damaged payload and raised KeyError: no finding, a traceback, and in the
app no "ledger check failed" dialog at all)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.integrity import quick_check
from knock.core.pins import hash_pin
from knock.home import open_home


def test_a_damaged_staff_payload_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    home = open_home(tmp_path / "h")
    home.ledger.register_staff("赵经理", "manager", pin_hash=hash_pin("9999"))
    home.close()
    conn = sqlite3.connect(tmp_path / "h" / "knock.db")
    conn.execute("DROP TRIGGER events_no_update")
    arrival, blob = conn.execute(
        "SELECT arrival, payload FROM event_log WHERE kind_code = (SELECT code FROM event_names WHERE name = 'staff.registered')"
    ).fetchone()
    damaged = bytearray(blob)
    damaged[5] ^= 0xFF
    conn.execute("UPDATE event_log SET payload = ? WHERE arrival = ?", (bytes(damaged), arrival))
    conn.commit()
    conn.close()
    home = open_home(tmp_path / "h")
    try:
        found = quick_check(home.store)
    finally:
        home.close()
    assert any("staff.registered" in f and "changed after it was written" in f for f in found), found
    assert any("cannot be replayed" in f for f in found), found
    result = CliRunner().invoke(cli, ["check", "--home", str(tmp_path / "h")])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "FAILED" in result.output
