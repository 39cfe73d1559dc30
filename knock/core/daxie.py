"""Amounts in Chinese capital numerals (大写金额), as written on bills and receipts.

The rules are those of the People's Bank of China for filling in bills and
settlement vouchers (《正确填写票据和结算凭证的基本规定》):

- the digits are 零壹贰叁肆伍陆柒捌玖 and the units 拾佰仟万亿, 元角分;
- an amount that ends at 元 ends with 整; after 角 整 is optional (Knock writes
  it, as the receipt examples in the issue do); after 分 it is never written;
- a zero, or a run of zeros, in the middle of the number is written as one 零
  (1409.50 壹仟肆佰零玖元伍角整, 6007.14 陆仟零柒元壹角肆分);
- when 角 is zero and 分 is not, 元 is followed by 零 (325.04 叁佰贰拾伍元零肆分);
- where the 元 digit is 0 and 角 is not, Knock writes the one 零 after 元, the
  first of the official examples' two forms (1680.32 壹仟陆佰捌拾元零叁角贰分,
  107000.53 壹拾万柒仟元零伍角叁分; 3600.50 叁仟陆佰元零伍角整);
- a zero in the 万 (or 亿) place before a non-zero 千 is absorbed by the section
  unit (105000 壹拾万伍仟元整), as the 107000.53 example does;
- 拾 always has its digit in front: 10 is 壹拾元整, 100000 is 壹拾万元整.

A zero amount is 零元整; negative amounts are refused (a refund is its own
document, never a negative receipt).
"""

from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
"""Capital digits 0-9."""

_PLACE = ("", "拾", "佰", "仟")
_SECTION = ("", "万", "亿")

MAX_FEN = 10**12 * 100 - 1
"""Largest amount written: 9999亿9999万9999元9角9分."""


def to_daxie(fen: int) -> str:
    """``fen`` as a Chinese capital amount: ``100560`` -> ``"壹仟零伍元陆角整"``.

    Raises :class:`ValueError` for negative or absurdly large amounts and
    :class:`TypeError` for anything that is not int fen.
    """
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"money must be int fen, got {type(fen).__name__}")
    if fen < 0:
        raise ValueError(f"a capital amount cannot be negative: {fen} fen")
    if fen > MAX_FEN:
        raise ValueError(f"amount too large to write in capitals: {fen} fen")
    yuan, rest = divmod(fen, 100)
    jiao, fen_digit = divmod(rest, 10)
    if fen == 0:
        return "零元整"

    out: list[str] = []
    if yuan:
        out.append(_integer(yuan))
        out.append("元")
    if jiao:
        if yuan and yuan % 10 == 0:
            out.append("零")  # 元 digit 0, 角 not: the official examples write one 零 here
        out.append(DIGITS[jiao] + "角")
    elif fen_digit and yuan:
        out.append("零")
    if fen_digit:
        out.append(DIGITS[fen_digit] + "分")
    else:
        out.append("整")
    return "".join(out)


def _integer(n: int) -> str:
    """A positive whole number of yuan in capitals, without 元."""
    digits = str(n)
    length = len(digits)
    out: list[str] = []
    pending_zero = False
    for i, ch in enumerate(digits):
        power = length - 1 - i
        place, section = power % 4, power // 4
        if ch == "0":
            pending_zero = True
        else:
            if pending_zero:
                out.append("零")
                pending_zero = False
            out.append(DIGITS[int(ch)] + _PLACE[place])
        if place == 0 and section > 0:
            if any(c != "0" for c in digits[max(0, i - 3) : i + 1]):
                out.append(_SECTION[section])
                # A zero in the 万 (or 亿) place before a non-zero 千 is absorbed
                # by the section unit (壹拾万柒仟, not 壹拾万零柒仟); a 零 is only
                # written for zeros that sit inside the next section.
                pending_zero = False
    return "".join(out)
