"""Money is integer fen (分) everywhere.

Amounts arrive from people and files as yuan text ("1234.50", "¥1,234.5"), so
there is exactly one parser, :func:`parse_yuan`, used by imports, the command
line and the field app. It reads exact decimal text and refuses anything it
would have to guess at or round: a third decimal place, a decimal comma
(``1,50``), exponents (``1e3``), digit separators other than correctly placed
thousands commas (``1_0``), NaN/Infinity and values beyond :data:`MAX_FEN`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

Fen = int
"""An amount of money in fen (1 yuan = 100 fen). Always a Python int."""

MAX_FEN: Fen = 10**12
"""No amount Knock reads is larger than ¥10,000,000,000.00: anything bigger is a typing or file error.

(One payment has a much lower limit in settings, ``payments.max_payment_yuan``.)"""

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_DECORATION = re.compile(r"^(?:¥|￥|RMB|CNY)\s*|\s*(?:元|RMB|CNY)$", re.IGNORECASE)
_AMOUNT = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")
"""Digits with an optional thousands grouping (commas exactly every three digits) and at most two decimals."""


class MoneyError(ValueError):
    """An amount that cannot be read exactly as yuan and fen; the message names the value."""


def _check(fen: int, shown: str, allow_negative: bool) -> Fen:
    if fen < 0 and not allow_negative:
        raise MoneyError(f"amount is negative: {shown}")
    if abs(fen) > MAX_FEN:
        raise MoneyError(f"amount is too large: {shown} (at most {format_yuan(MAX_FEN)})")
    return fen


def parse_yuan(text: str | int | Decimal, *, allow_negative: bool = False) -> Fen:
    """Read a yuan amount such as ``"1234.50"`` into fen, exactly.

    Ints are whole yuan; Decimals must be finite with at most two decimals.
    Raises :class:`MoneyError` naming the value for anything else.
    """
    if isinstance(text, bool):
        raise MoneyError(f"not an amount: {text!r}")
    if isinstance(text, int):
        if abs(text) > MAX_FEN // 100:
            raise MoneyError(f"amount is too large: {text} (at most {format_yuan(MAX_FEN)})")
        return _check(text * 100, repr(text), allow_negative)
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise MoneyError(f"not an amount: {text}")
        if text.adjusted() > 14:
            raise MoneyError(f"amount is too large: {text} (at most {format_yuan(MAX_FEN)})")
        cents = text * 100
        if cents != cents.to_integral_value():
            raise MoneyError(f"amount has more than two decimal places: {text}")
        return _check(int(cents), str(text), allow_negative)
    if not isinstance(text, str):
        raise MoneyError(f"not an amount: {text!r}")
    shown = repr(text)
    cleaned = _DECORATION.sub("", text.strip().translate(_FULL_WIDTH)).strip()
    if not cleaned:
        raise MoneyError("amount is empty")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        if re.fullmatch(r"-?[0-9,]*\.[0-9]{3,}", cleaned):
            raise MoneyError(f"amount has more than two decimal places: {shown}")
        if re.fullmatch(r"-?[0-9]+,[0-9]{1,2}", cleaned):
            raise MoneyError(f"not an amount: {shown} (write the decimal point as '.', e.g. 1.50)")
        raise MoneyError(f"not an amount: {shown} (write yuan such as 1234.50)")
    sign, whole, decimals = match.groups()
    digits = whole.replace(",", "")
    if len(digits.lstrip("0")) > 12:
        raise MoneyError(f"amount is too large: {shown} (at most {format_yuan(MAX_FEN)})")
    fen = int(digits) * 100 + int((decimals or "").ljust(2, "0"))
    return _check(-fen if sign else fen, shown, allow_negative)


def format_yuan(fen: Fen, *, symbol: bool = False, grouping: bool = True) -> str:
    """Show fen as yuan with two decimals: ``123450`` -> ``"1,234.50"``."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"money must be int fen, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    body = f"{yuan:,}" if grouping else str(yuan)
    return f"{sign}{'¥' if symbol else ''}{body}.{cents:02d}"


def apply_rate(amount: Fen, rate: Decimal, *, times: int = 1) -> Fen:
    """``amount × rate × times`` rounded half-up to whole fen.

    Rates (penalty per mille, fee per m²) are Decimals from settings; the
    result is money again, so it is rounded once, at the end.
    """
    product = Decimal(amount) * rate * times
    return int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP))
