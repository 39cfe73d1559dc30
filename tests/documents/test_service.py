"""Documents for real ledger records, end to end: payment -> receipt -> scan -> verify."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.payqr import parse_emvco
from knock.documents.service import letter_view, print_letters, print_notice, print_receipt, rooms_due_for, verify_text
from knock.home import Home
from knock.settings import PayQR

from .readback import read_back


@pytest.fixture
def paid(home: Home) -> tuple[Home, str]:
    led = home.ledger
    led.register_household("3-2-501", "王建国", phones=["13800001111"], area_centi_m2=9850, gender="m")
    led.register_staff("李明", "guard", phone="13700000000")
    led.register_staff("张经理", "manager")
    for month in (6, 7, 8):
        led.add_charge("3-2-501", "property_fee", date(2026, month, 1), date(2026, month, 30), date(2026, month, 15), 24625)
    result = led.record_payment("3-2-501", 30000, method="cash", collector="李明")
    return home, result.receipt_no


def test_receipt_of_a_real_payment_reads_back_and_its_qr_verifies(paid: tuple[Home, str]) -> None:
    home, receipt_no = paid
    outcome = print_receipt(home, receipt_no, size="a5")
    doc = read_back(outcome.path.read_bytes())
    text = doc.flat_text()
    assert receipt_no in text and "3-2-501" in text and "王建国" in text
    assert "叁佰元整" in text and "物业服务费" in text and "438.75" in text  # still owed after paying 300.00
    assert "重印" not in text
    (code,) = doc.qr_codes()
    assert code.text.startswith(f"KNOCK1|{receipt_no}|30000|3-2-501|")
    assert verify_text(home, code.text).genuine
    tampered = code.text.replace("|30000|", "|90000|")
    assert verify_text(home, tampered).verdict == "forged"


def test_second_print_says_reprint_and_void_prints_void(paid: tuple[Home, str]) -> None:
    home, receipt_no = paid
    print_receipt(home, receipt_no)
    again = read_back(print_receipt(home, receipt_no).path.read_bytes()).flat_text()
    assert "重印" in again
    home.ledger.void_payment(receipt_no, "收错了户", author=home.ledger.staff("张经理").staff_id)
    voided = read_back(print_receipt(home, receipt_no, locale="en").path.read_bytes()).flat_text()
    assert "VOID" in voided and "收错了户" in voided
    assert home.store.scalar("SELECT COUNT(*) FROM receipt_prints WHERE receipt_no = ?", (receipt_no,)) == 3


def test_notice_carries_an_emvco_qr_for_the_arrears(paid: tuple[Home, str]) -> None:
    home, _ = paid
    home.settings = home.settings.model_copy(update={"payqr": PayQR(scheme="emvco")})
    outcome = print_notice(home, "3-2-501", collector="李明")
    doc = read_back(outcome.path.read_bytes())
    payloads = [parse_emvco(q.text) for page in range(len(doc)) for q in doc.qr_codes(page)]
    assert payloads and payloads[0].amount_fen == 3 * 24625 - 30000 and payloads[0].reference == "3-2-501"


def test_sending_letters_records_escalations_all_or_nothing(paid: tuple[Home, str], monkeypatch: pytest.MonkeyPatch) -> None:
    home, _ = paid
    author = home.ledger.staff("张经理").staff_id
    view = letter_view(home, "3-2-501", "dunning")
    assert view.deadline == date(2026, 11, 30) and view.total_fen == 3 * 24625 - 30000
    batch = print_letters(home, ["3-2-501"], "dunning", author=author)
    assert batch.outcome is not None and "催费函" in read_back(batch.outcome.path.read_bytes()).flat_text()
    row = home.store.query_one("SELECT step, deadline, note FROM escalations")
    assert (row["step"], row["deadline"]) == ("dunning_letter", "2026-11-30") and "第001号" in row["note"].replace(" ", "")
    print_letters(home, ["3-2-501"], "lawyer", author=author, record=False)
    assert home.store.scalar("SELECT COUNT(*) FROM escalations") == 1


def test_ladder_picks_households_due_a_letter(home: Home) -> None:
    from datetime import datetime, timedelta

    led = home.ledger
    led.register_household("1-1-101", "赵刚", phones=["13800000000"])
    led.register_household("1-1-102", "钱芳", phones=["13800000001"])
    led.register_staff("李明", "guard")
    for room in ("1-1-101", "1-1-102"):
        for month in range(1, 7):
            led.add_charge(room, "property_fee", date(2026, month, 1), date(2026, month, 28), date(2026, month, 15), 20000)
    base = led.now() - timedelta(days=20)
    for day in range(3):
        led.log_contact("1-1-101", channel="door", outcome="refused", reason="what_can_you_do", collector="李明", at=base + timedelta(days=day))
    assert rooms_due_for(home, "dunning") == ["1-1-101"]
    assert isinstance(base, datetime)


def test_cli_verify_says_genuine_or_not(paid: tuple[Home, str]) -> None:
    home, receipt_no = paid
    text = home.store.scalar("SELECT qr_text FROM payments WHERE receipt_no = ?", (receipt_no,))
    runner = CliRunner()
    ok = runner.invoke(cli, ["verify", text, "--json", "--home", str(home.path)])
    assert ok.exit_code == 0 and json.loads(ok.output)["verdict"] == "genuine"
    bad = runner.invoke(cli, ["verify", text[:-3] + "AAA", "--home", str(home.path)])
    assert bad.exit_code == 1 and "NOT GENUINE" in bad.output
    junk = runner.invoke(cli, ["verify", "hello", "--home", str(home.path)])
    assert junk.exit_code == 1 and "malformed" in junk.output
