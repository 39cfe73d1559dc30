"""``knock check``: edits behind Knock's back are found and listed, exit non-zero."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core import payload_codec
from knock.core.pins import check_pin, hash_pin
from knock.home import Home, open_home


@pytest.fixture
def home(tmp_path: Path, visiting_hours) -> Iterator[Home]:  # type: ignore[no-untyped-def]
    opened = open_home(tmp_path / "home", clock=visiting_hours)  # contacts are refused in quiet hours
    ledger = opened.ledger
    ledger.register_staff("赵经理", "manager", pin_hash=hash_pin("9999"))
    ledger.register_staff("张保安", "guard", pin_hash=hash_pin("1234"))
    for n in (101, 102):
        ledger.register_household(f"1-1-{n}", "王某")
        ledger.add_charge(f"1-1-{n}", "property_fee", date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 15), 22375)
    for _ in range(3):
        ledger.record_payment("1-1-101", 1000, method="cash", collector="张保安", again=True)
    ledger.log_contact("1-1-102", channel="door", outcome="not_home", collector="张保安")
    yield opened
    opened.close()


def check(home: Home, *extra: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["check", "--json", *extra, "--home", str(home.path)])
    return result.exit_code, json.loads(result.output)


def tamper(home: Home, *statements: str) -> None:
    """What someone with the laptop and an SQLite shell could do (with Knock's ``knock_payload``
    loaded, which the ``events`` view reads payloads through: a plain shell edits ``event_log``)."""
    conn = sqlite3.connect(home.path / "knock.db")
    payload_codec.register(conn)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_an_intact_ledger_passes_both_checks(home: Home) -> None:
    assert check(home) == (0, {"ok": True, "full": False, "findings": []})
    assert check(home, "--full") == (0, {"ok": True, "full": True, "findings": []})
    plain = CliRunner().invoke(cli, ["check", "--home", str(home.path)])
    assert plain.exit_code == 0 and "ledger intact" in plain.output


def test_a_deleted_payment_and_its_event_leave_a_gap(home: Home) -> None:
    tamper(
        home,
        "DROP TRIGGER payments_no_delete", "DROP TRIGGER payment_items_no_delete", "DROP TRIGGER events_no_delete",
        "DELETE FROM payment_items WHERE payment_id = (SELECT payment_id FROM payments WHERE receipt_seq = 2)",
        "DELETE FROM events WHERE event_id = (SELECT event_id FROM payments WHERE receipt_seq = 2)",
        "DELETE FROM payments WHERE receipt_seq = 2",
    )
    code, report = check(home)
    findings = "\n".join(report["findings"])  # type: ignore[arg-type]
    assert code == 1
    assert "receipts missing from the ledger" in findings and "-000002" in findings
    assert "events missing" in findings
    assert "append-only guard" in findings


def test_a_pin_hash_swapped_in_the_staff_table_is_found_at_once(home: Home) -> None:
    tamper(home, f"UPDATE staff SET pin_hash = '{hash_pin('0000')}' WHERE name = '赵经理'")
    code, report = check(home)
    assert code == 1 and any("table staff differs" in f for f in report["findings"])  # type: ignore[union-attr]


def test_an_owner_renamed_in_households_is_found_by_the_full_check(home: Home) -> None:
    tamper(home, "UPDATE households SET owner_name = '李某' WHERE room = '1-1-101'")
    assert check(home)[0] == 0  # the quick check only counts households
    code, report = check(home, "--full")
    assert code == 1 and any("table households differs" in f for f in report["findings"])  # type: ignore[union-attr]


def test_an_edited_event_breaks_its_hash(home: Home) -> None:
    tamper(home, "DROP TRIGGER events_no_update", "UPDATE events SET payload = replace(payload, '1000', '100') WHERE kind = 'payment.recorded'")
    code, report = check(home)
    assert code == 1 and any("changed after it was written" in f for f in report["findings"])  # type: ignore[union-attr]


@pytest.mark.parametrize("table", ["receipt_prints", "contacts", "promises", "escalations", "phone_reveals", "signin_attempts"])
def test_fact_tables_refuse_update_and_delete(home: Home, table: str) -> None:
    ledger = home.ledger
    ledger.record_receipt_print("{}-000001".format(ledger.device.device_code), author="system")
    ledger.make_promise("1-1-102", due_date=ledger.today(), window="evening", collector="张保安")
    ledger.record_escalation("1-1-102", "dunning_letter", author="system")
    ledger.reveal_phone("1-1-102", staff="张保安")
    check_pin(ledger, ledger.staff("张保安").staff_id, "1234", ledger.now())
    conn = sqlite3.connect(home.path / "knock.db")
    assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(f"DELETE FROM {table}")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(f"UPDATE {table} SET rowid = rowid")
    conn.close()


def test_a_contact_deleted_with_the_trigger_dropped_is_counted(home: Home) -> None:
    tamper(home, "DROP TRIGGER contacts_no_delete", "DELETE FROM contacts")
    code, report = check(home)
    assert code == 1 and any("table contacts has 0 rows but the events record 1" in f for f in report["findings"])  # type: ignore[union-attr]


def test_a_sample_community_passes_the_full_check(tmp_path: Path) -> None:
    from knock.core.integrity import full_check, quick_check
    from knock.sample.community import build_sample

    home = open_home(tmp_path / "sample")
    build_sample(home.ledger, seed=7, households=60, arrears=20, staff=4)
    assert quick_check(home.store) == []
    assert full_check(home.store) == []
    home.close()
