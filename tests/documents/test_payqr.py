"""Payment QR payloads against published examples and their CRCs."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knock.core.payqr import (
    PayloadError,
    crc16_ccitt_false,
    emvco_payload,
    epc_payload,
    parse_emvco,
    payment_payload,
    url_payload,
)
from knock.settings import PayQR

EMVCO_SPEC_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京"
    "540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708"
    "123456786304A13A"
)
"""The worked example in EMVCo's MPM specification (Chinese alternate-language template)."""

PIX_MANUAL_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
"""The static example in Banco Central do Brasil's BR Code (Pix) manual."""

KHQR_EXAMPLE = (
    "00020101021252044131153137210116372101160123456789ABCDE6016Banteay Meanchey"
    "5913Kuntheas Shop5802KH540510.005303840621201081234567863041FF2"
)
"""A published MPM example with an amount (objects in a non-canonical order)."""


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize("payload", [EMVCO_SPEC_EXAMPLE, PIX_MANUAL_EXAMPLE, KHQR_EXAMPLE])
def test_published_payloads_parse_and_crc(payload: str) -> None:
    parsed = parse_emvco(payload)
    assert parsed.value("63") == payload[-4:]


def test_spec_example_fields() -> None:
    parsed = parse_emvco(EMVCO_SPEC_EXAMPLE)
    assert parsed.amount_fen == 2372
    assert parsed.value("53") == "156"
    assert parsed.value("59") == "BEST TRANSPORT"
    lang = parsed.get("64")
    assert lang is not None and lang.child("01") == "最佳运输" and lang.child("02") == "北京"
    extra = parsed.get("62")
    assert extra is not None and extra.child("03") == "1234"
    assert parsed.get("29") is not None and parsed.get("29").child("00") == "D15600000000"  # type: ignore[union-attr]


def test_builder_reproduces_pix_manual_example_byte_for_byte() -> None:
    built = emvco_payload(
        merchant_account_gui="br.gov.bcb.pix",
        merchant_id="123e4567-e12b-12d1-a456-426655440000",
        merchant_name="Fulano de Tal",
        merchant_city="BRASILIA",
        reference="***",
        merchant_category_code="0000",
        currency_numeric="986",
        country_code="BR",
    )
    assert built == PIX_MANUAL_EXAMPLE


@pytest.mark.parametrize("payload", [EMVCO_SPEC_EXAMPLE, PIX_MANUAL_EXAMPLE])
def test_any_changed_character_fails_the_crc(payload: str) -> None:
    broken = payload.replace("BEIJING", "BEIJINH").replace("BRASILIA", "BRASILIB")
    with pytest.raises(PayloadError, match="CRC"):
        parse_emvco(broken)


def test_knock_payload_layout() -> None:
    text = emvco_payload(
        merchant_account_gui="A000000333010101",
        merchant_id="102330000000001",
        merchant_name="ANJU PROPERTY",
        merchant_city="HANGZHOU",
        amount_fen=123450,
        reference="3-2-501",
        merchant_category_code="6513",
    )
    assert text.startswith("000201010212")
    assert "26390016A0000003330101010115102330000000001" in text
    assert "52046513" + "5303156" + "54071234.50" + "5802CN" in text
    assert "62110507" + "3-2-501" + "6304" in text
    parsed = parse_emvco(text)
    assert parsed.amount_fen == 123450
    assert parsed.reference == "3-2-501"
    assert [o.tag for o in parsed.objects] == ["00", "01", "26", "52", "53", "54", "58", "59", "60", "62", "63"]


@given(
    amount=st.integers(min_value=1, max_value=99_999_999),
    reference=st.text(alphabet="0123456789-ABCD", min_size=1, max_size=25),
)
def test_emvco_round_trip(amount: int, reference: str) -> None:
    text = emvco_payload(
        merchant_account_gui="A000000333010101",
        merchant_id="1",
        merchant_name="物业",
        merchant_city="杭州",
        amount_fen=amount,
        reference=reference,
    )
    parsed = parse_emvco(text)
    assert parsed.amount_fen == amount
    assert parsed.reference == reference


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount_fen": 0}, "positive"),
        ({"merchant_name": "X" * 26}, "name"),
        ({"merchant_account_tag": "15"}, "26-51"),
        ({"reference": "R" * 26}, "reference"),
    ],
)
def test_emvco_refuses_bad_fields(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "merchant_account_gui": "A000000333010101",
        "merchant_id": "1",
        "merchant_name": "ANJU",
        "merchant_city": "HANGZHOU",
    }
    with pytest.raises(PayloadError, match=message):
        emvco_payload(**(base | kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "hello", "000201", "0002010102116304FFFF"])
def test_parse_rejects_garbage(bad: str) -> None:
    with pytest.raises(PayloadError):
        parse_emvco(bad)


def test_epc_payload() -> None:
    # the EPC069-12 guideline's example beneficiary (Belgian Red Cross)
    text = epc_payload(
        beneficiary="Red Cross of Belgium",
        iban="BE72 0000 0000 1616",
        bic="BPOTBEB1",
        amount_cents=100,
        remittance="Urgency fund",
    )
    assert text == "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1.00\n\n\nUrgency fund"


def test_epc_structured_reference_and_checks() -> None:
    text = epc_payload(beneficiary="Anju", iban="BE72000000001616", amount_cents=12345, remittance="RF18539007547034")
    assert text.split("\n")[7:] == ["EUR123.45", "", "RF18539007547034"]
    with pytest.raises(PayloadError, match="IBAN"):
        epc_payload(beneficiary="Anju", iban="BE72000000001617", amount_cents=1)
    with pytest.raises(PayloadError, match="EPC amount"):
        epc_payload(beneficiary="Anju", iban="BE72000000001616", amount_cents=0)


def test_url_payload_quotes_and_names_unknown_fields() -> None:
    url = url_payload("https://pay.example.cn/k?room={room}&a={amount_yuan}", room="3栋 2-501", amount_yuan="12.50")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query == {"room": ["3栋 2-501"], "a": ["12.50"]}
    with pytest.raises(PayloadError, match="owner"):
        url_payload("https://x/?o={owner}", room="1")


def test_payment_payload_by_scheme() -> None:
    url = payment_payload(PayQR(), "3-2-501", 60000, "H0001")
    assert url == "https://pay.example.cn/knock?ref=H0001&room=3-2-501&amount=600.00"
    emv = payment_payload(PayQR(scheme="emvco"), "3-2-501", 60000, "3-2-501")
    assert parse_emvco(emv).amount_fen == 60000
    epc = payment_payload(
        PayQR(scheme="epc", currency_numeric="978", epc_iban="BE72000000001616", epc_beneficiary="Anju", epc_bic="BPOTBEB1"), "3-2-501", 60000, "3-2-501"
    )
    assert epc.startswith("BCD\n002\n1\nSCT\n") and "EUR600.00" in epc
