"""Payment QR payloads: what an owner scans to pay later by phone.

Pure text builders, no imaging: :mod:`knock.documents.qr` draws the code.
Four schemes, chosen by ``settings.payqr.scheme`` (``static``: the company's
fixed WeChat/Alipay collection code, as is, with no amount inside); the other three:

- ``emvco``: an EMVCo merchant-presented QR (the layout under UnionPay QR,
  SGQR, PromptPay, Pix and most national schemes): ID-length-value objects,
  lengths counted in characters, closed by a CRC-16/CCITT-FALSE over the
  UTF-8 bytes of everything before it, including the ``6304`` of the CRC itself;
- ``url``: a company payment page or a static collection link, with the room,
  amount and reference filled into a template;
- ``epc``: EPC069-12 (the European "GiroCode" SEPA credit transfer), for
  deployments outside China.
"""

from __future__ import annotations

import re
import string
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knock.settings import PayQR


class PayloadError(ValueError):
    """A payment QR that cannot be built (bad field) or read (bad text or CRC)."""


# --------------------------------------------------------------------- EMVCo

def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor).

    The EMVCo check value: ``crc16_ccitt_false(b"123456789") == 0x29B1``.
    """
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise PayloadError(f"EMVCo field {tag} is longer than 99 characters: {value!r}")
    return f"{tag}{len(value):02d}{value}"


def emvco_amount(amount_fen: int) -> str:
    """Amount as EMVCo writes it (tag 54): ``123450`` -> ``"1234.50"``, ``100`` -> ``"1.00"``."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise PayloadError(f"amount must be a positive int of minor units, got {amount_fen!r}")
    yuan, cents = divmod(amount_fen, 100)
    return f"{yuan}.{cents:02d}"


def emvco_payload(
    *,
    merchant_account_gui: str,
    merchant_id: str,
    merchant_name: str,
    merchant_city: str,
    amount_fen: int | None = None,
    reference: str = "",
    merchant_category_code: str = "0000",
    currency_numeric: str = "156",
    country_code: str = "CN",
    merchant_account_tag: str = "26",
    point_of_initiation: str | None = None,
) -> str:
    """An EMVCo merchant-presented QR payload, CRC included.

    Objects in order: 00 payload format ``01``; 01 point of initiation (``12``,
    dynamic, whenever an amount is given, else left out unless passed); the
    merchant account template (``merchant_account_tag``, 26-51) holding 00 GUI
    and 01 merchant id; 52 MCC; 53 currency; 54 amount; 58 country; 59 name;
    60 city; 62 additional data with 05 reference label; 63 CRC.
    """
    if not re.fullmatch(r"2[6-9]|[34][0-9]|5[01]", merchant_account_tag):
        raise PayloadError(f"payqr.merchant_account_tag must be a merchant account template tag 26-51, got {merchant_account_tag!r}")
    for label, value, pattern in (
        ("merchant category code", merchant_category_code, r"\d{4}"),
        ("currency", currency_numeric, r"\d{3}"),
        ("country code", country_code, r"[A-Z]{2}"),
    ):
        if not re.fullmatch(pattern, value):
            raise PayloadError(f"EMVCo {label} is malformed: {value!r}")
    if not merchant_name or len(merchant_name) > 25:
        raise PayloadError(f"merchant name must be 1-25 characters: {merchant_name!r}")
    if not merchant_city or len(merchant_city) > 15:
        raise PayloadError(f"merchant city must be 1-15 characters: {merchant_city!r}")
    if reference and len(reference) > 25:
        raise PayloadError(f"reference label must be at most 25 characters: {reference!r}")
    if point_of_initiation is None and amount_fen is not None:
        point_of_initiation = "12"
    parts = [_tlv("00", "01")]
    if point_of_initiation:
        if point_of_initiation not in ("11", "12"):
            raise PayloadError(f"point of initiation must be 11 or 12, got {point_of_initiation!r}")
        parts.append(_tlv("01", point_of_initiation))
    parts.append(_tlv(merchant_account_tag, _tlv("00", merchant_account_gui) + _tlv("01", merchant_id)))
    parts.append(_tlv("52", merchant_category_code))
    parts.append(_tlv("53", currency_numeric))
    if amount_fen is not None:
        parts.append(_tlv("54", emvco_amount(amount_fen)))
    parts.append(_tlv("58", country_code))
    parts.append(_tlv("59", merchant_name))
    parts.append(_tlv("60", merchant_city))
    if reference:
        parts.append(_tlv("62", _tlv("05", reference)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


@dataclass(frozen=True)
class EmvcoObject:
    """One parsed EMVCo object; ``children`` for templates (26-51, 62, 64)."""

    tag: str
    value: str
    children: tuple[EmvcoObject, ...] = ()

    def child(self, tag: str) -> str | None:
        """The value of a sub-object, or None."""
        for obj in self.children:
            if obj.tag == tag:
                return obj.value
        return None


@dataclass(frozen=True)
class EmvcoPayload:
    """A parsed, CRC-checked EMVCo payload."""

    objects: tuple[EmvcoObject, ...]

    def get(self, tag: str) -> EmvcoObject | None:
        """The top-level object with this tag, or None."""
        for obj in self.objects:
            if obj.tag == tag:
                return obj
        return None

    def value(self, tag: str) -> str | None:
        """The value of a top-level object, or None."""
        obj = self.get(tag)
        return obj.value if obj else None

    @property
    def amount_fen(self) -> int | None:
        """Tag 54 in minor units, or None for an open amount."""
        raw = self.value("54")
        if raw is None:
            return None
        whole, _, frac = raw.partition(".")
        if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
            raise PayloadError(f"amount is malformed: {raw!r}")
        return int(whole) * 100 + int((frac or "0").ljust(2, "0"))

    @property
    def reference(self) -> str | None:
        """The reference label (62.05), or None."""
        extra = self.get("62")
        return extra.child("05") if extra else None


def _is_template(tag: str) -> bool:
    number = int(tag)
    return 26 <= number <= 51 or number in (62, 64) or 80 <= number <= 99


def _parse_tlv(text: str, *, nested: bool) -> tuple[EmvcoObject, ...]:
    objects: list[EmvcoObject] = []
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not head.isdigit():
            raise PayloadError(f"malformed EMVCo object at character {pos}: {text[pos:pos + 8]!r}")
        tag, length = head[:2], int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise PayloadError(f"EMVCo object {tag} is cut short")
        children: tuple[EmvcoObject, ...] = ()
        if not nested and _is_template(tag):
            try:
                children = _parse_tlv(value, nested=True)
            except PayloadError:
                # 80-99 are unreserved and need not be templates
                if int(tag) < 80:
                    raise
        objects.append(EmvcoObject(tag, value, children))
        pos += 4 + length
    return tuple(objects)


def parse_emvco(text: str) -> EmvcoPayload:
    """Parse an EMVCo payload and check its CRC; raises :class:`PayloadError`."""
    text = text.strip()
    if not text.startswith("000201"):
        raise PayloadError("not an EMVCo payload: it must start with 000201")
    if len(text) < 8 or text[-8:-4] != "6304":
        raise PayloadError("EMVCo payload does not end with a CRC object (6304xxxx)")
    expected = f"{crc16_ccitt_false(text[:-4].encode('utf-8')):04X}"
    if text[-4:].upper() != expected:
        raise PayloadError(f"EMVCo CRC mismatch: payload says {text[-4:]}, content gives {expected}")
    objects = _parse_tlv(text, nested=False)
    if objects[-1].tag != "63":
        raise PayloadError("the CRC must be the last EMVCo object")
    return EmvcoPayload(objects)


# ----------------------------------------------------------------------- EPC

_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")


def _iban_ok(iban: str) -> bool:
    if not _IBAN.fullmatch(iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _rf_ok(reference: str) -> bool:
    """ISO 11649 creditor reference (RF + 2 check digits + up to 21 characters)."""
    if not re.fullmatch(r"RF\d{2}[A-Z0-9]{1,21}", reference):
        return False
    moved = reference[4:] + reference[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def epc_payload(
    *,
    beneficiary: str,
    iban: str,
    amount_cents: int,
    bic: str = "",
    remittance: str = "",
    purpose: str = "",
) -> str:
    """An EPC069-12 version 002 SEPA credit transfer payload (UTF-8, EUR).

    ``remittance`` goes into the structured field when it is a valid ISO 11649
    creditor reference (``RF…``), otherwise into the unstructured text.
    """
    iban = iban.replace(" ", "").upper()
    bic = bic.replace(" ", "").upper()
    if not _iban_ok(iban):
        raise PayloadError(f"IBAN is not valid: {iban!r}")
    if bic and not _BIC.fullmatch(bic):
        raise PayloadError(f"BIC is not valid: {bic!r}")
    if not beneficiary or len(beneficiary) > 70:
        raise PayloadError("beneficiary name must be 1-70 characters")
    if not isinstance(amount_cents, int) or not 1 <= amount_cents <= 99_999_999_999:
        raise PayloadError(f"EPC amount must be 0.01 to 999999999.99 EUR, got {amount_cents!r} cents")
    if purpose and not re.fullmatch(r"[A-Z0-9]{4}", purpose):
        raise PayloadError(f"purpose code must be 4 letters or digits: {purpose!r}")
    structured = remittance if _rf_ok(remittance) else ""
    text = "" if structured else remittance
    if len(text) > 140:
        raise PayloadError("remittance text must be at most 140 characters")
    euros, cents = divmod(amount_cents, 100)
    lines = ["BCD", "002", "1", "SCT", bic, beneficiary, iban, f"EUR{euros}.{cents:02d}", purpose, structured, text]
    while lines and lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > 331:
        raise PayloadError("EPC payload is longer than 331 bytes")
    return payload


# ----------------------------------------------------------------------- URL

_URL_FIELDS = ("room", "amount_yuan", "amount_fen", "reference")


def url_payload(template: str, **fields: object) -> str:
    """Fill a URL template such as ``https://pay.example.cn/?room={room}&amount={amount_yuan}``.

    Every value is percent-encoded; a placeholder with no value is an error
    naming it, never an empty string in a payment link.
    """
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = sorted(names - fields.keys())
    if missing:
        raise PayloadError(f"payment URL template uses unknown field(s) {', '.join(missing)}; known: {', '.join(_URL_FIELDS)}")
    quoted = {key: urllib.parse.quote(str(value), safe="") for key, value in fields.items()}
    return template.format_map(quoted)


# ------------------------------------------------------------------ settings

def payload_has_amount(payqr: PayQR) -> bool:
    """Does the configured code carry the amount? A static code (or a URL template without
    ``{amount_yuan}``/``{amount_fen}``) does not: the payer types it, so it must be shown beside the code."""
    if payqr.scheme == "static":
        return False
    if payqr.scheme == "url":
        return "{amount_yuan}" in payqr.url_template or "{amount_fen}" in payqr.url_template
    return True


EURO_NUMERIC = "978"
"""ISO 4217 numeric code of the euro: EPC069-12 codes can carry nothing else."""


def payment_payload(payqr: PayQR, room: str, amount_fen: int, reference: str) -> str:
    """The payment QR text for one household under the configured scheme.

    Raises :class:`PayloadError` with one line that names the room or the
    setting to fix: nothing owed (no QR for ¥0.00), an EPC code without an
    IBAN or for a currency that is not the euro, a bad EMVCo field.
    """
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise PayloadError(f"room {room} owes nothing: there is no payment QR to make")
    try:
        return _payload(payqr, room, amount_fen, reference)
    except PayloadError as exc:
        raise PayloadError(f"payment QR (settings [payqr] scheme = {payqr.scheme!r}): {exc}") from None


def _payload(payqr: PayQR, room: str, amount_fen: int, reference: str) -> str:
    if payqr.scheme == "static":
        if not payqr.static_text.strip():
            raise PayloadError("static_text is empty: paste the text of the company's collection code there")
        return payqr.static_text.strip()
    if payqr.scheme == "emvco":
        return emvco_payload(
            merchant_account_gui=payqr.merchant_account_gui,
            merchant_id=payqr.merchant_id,
            merchant_name=payqr.merchant_name,
            merchant_city=payqr.merchant_city,
            amount_fen=amount_fen,
            reference=reference,
            merchant_category_code=payqr.merchant_category_code,
            currency_numeric=payqr.currency_numeric,
            country_code=payqr.country_code,
            merchant_account_tag=payqr.merchant_account_tag,
        )
    if payqr.scheme == "epc":
        if payqr.currency_numeric != EURO_NUMERIC:
            raise PayloadError(
                f"EPC069-12 codes are for euro transfers only, but payqr.currency_numeric is {payqr.currency_numeric!r}; "
                "use scheme 'emvco' or 'url' for yuan"
            )
        if not payqr.epc_iban.strip():
            raise PayloadError("payqr.epc_iban is empty: an EPC code needs the account's IBAN")
        if not payqr.epc_beneficiary.strip():
            raise PayloadError("payqr.epc_beneficiary is empty: an EPC code needs the account holder's name")
        return epc_payload(
            beneficiary=payqr.epc_beneficiary,
            iban=payqr.epc_iban,
            bic=payqr.epc_bic,
            amount_cents=amount_fen,
            remittance=reference,
        )
    yuan, cents = divmod(amount_fen, 100)
    return url_payload(
        payqr.url_template,
        room=room,
        amount_yuan=f"{yuan}.{cents:02d}",
        amount_fen=amount_fen,
        reference=reference,
    )
