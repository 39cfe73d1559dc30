"""Money is integer fen (分) everywhere.

Amounts arrive from people and files as yuan text ("1234.50", "¥1,234.5"),
so parsing is exact decimal arithmetic that refuses anything it would have to
round: a third decimal place is an input error, never a silent cut.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Fen = int
"""An amount of money in fen (1 yuan = 100 fen). Always a Python int."""

_CLEAN = re.compile(r"[\s,，¥￥]|元$|RMB|CNY", re.IGNORECASE)


class MoneyError(ValueError):
    """An amount that cannot be read exactly as yuan and fen."""


def parse_yuan(text: str | int | Decimal, *, allow_negative: bool = False) -> Fen:
    """Read a yuan amount such as ``"1234.50"`` into fen, exactly.

    Raises :class:`MoneyError` for empty text, non-numbers, more than two
    decimal places and (unless allowed) negative amounts.
    """
    if isinstance(text, bool):
        raise MoneyError(f"not an amount: {text!r}")
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        value = text
    else:
        cleaned = _CLEAN.sub("", str(text).strip())
        if not cleaned:
            raise MoneyError("amount is empty")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise MoneyError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise MoneyError(f"not an amount: {text!r}")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise MoneyError(f"amount has more than two decimal places: {text!r}")
    if value < 0 and not allow_negative:
        raise MoneyError(f"amount is negative: {text!r}")
    return int((value * 100).to_integral_value())


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
