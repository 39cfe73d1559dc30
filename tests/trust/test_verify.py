"""``knock verify``: never genuine for a void receipt, a re-spelled signature, or a receipt this ledger lacks."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.signing import VERSION
from knock.home import Home, open_home


@pytest.fixture
def paid(home: Home) -> tuple[Home, str, str]:
    led = home.ledger
    led.register_household("3-2-501", "王建国")
    led.register_staff("李明", "guard")
    led.register_staff("张经理", "manager")
    led.add_charge("3-2-501", "property_fee", date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 15), 24625)
    result = led.record_payment("3-2-501", 20000, method="cash", collector="李明")
    text = home.store.scalar("SELECT qr_text FROM payments WHERE receipt_no = ?", (result.receipt_no,))
    return home, result.receipt_no, text


def verify(home: Home, text: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", text, "--home", str(home.path)])
    return result.exit_code, result.output


def test_a_void_receipt_says_void_with_date_and_reason(paid: tuple[Home, str, str]) -> None:
    home, receipt_no, text = paid
    assert verify(home, text)[0] == 0
    home.ledger.void_payment(receipt_no, "收错了户", author=home.ledger.staff("张经理").staff_id)
    code, out = verify(home, text)
    assert code == 1
    assert out.startswith("VOID 作废") and "GENUINE" not in out
    assert "收错了户" in out and "2026-11-23" in out
    data = json.loads(CliRunner().invoke(cli, ["verify", text, "--json", "--home", str(home.path)]).output)
    assert (data["verdict"], data["genuine"], data["void_reason"]) == ("void", False, "收错了户")


def _respell_last_char(sig: str) -> str:
    """The same 64 signature bytes, with the spare low bits of the last base64 character set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = alphabet.index(sig[-1])
    for spare in range(1, 16):  # 64 bytes -> 86 chars; the last char carries 2 data bits and 4 spare bits
        other = alphabet[index | spare]
        if other != sig[-1]:
            candidate = sig[:-1] + other
            assert base64.urlsafe_b64decode(candidate + "==") == base64.urlsafe_b64decode(sig + "==")
            return candidate
    raise AssertionError("no spare bits")


def test_a_signature_not_in_canonical_form_is_refused(paid: tuple[Home, str, str]) -> None:
    home, _, text = paid
    signed, _, sig = text.rpartition("|")
    respelled = f"{signed}|{_respell_last_char(sig)}"
    assert respelled != text
    code, out = verify(home, respelled)
    assert code == 1 and "canonical" in out and "GENUINE 真实有效" not in out


def test_it_checks_the_ledger_it_is_given(paid: tuple[Home, str, str], tmp_path: Path) -> None:
    home, _, text = paid
    # Another ledger that knows the device (a synced office) but not this receipt.
    other = open_home(tmp_path / "office")
    device = home.store.query_one("SELECT * FROM devices")
    other.store.conn.execute(
        "INSERT INTO devices (device_id, device_code, name, public_key, registered_at) VALUES (?,?,?,?,?)",
        (device["device_id"], device["device_code"], device["name"], device["public_key"], device["registered_at"]),
    )
    other.close()
    code, out = verify(open_home(tmp_path / "office"), text)
    assert code == 1 and "not in this ledger" in out
    assert text.startswith(VERSION)
