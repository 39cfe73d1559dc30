"""大写 amounts against worked examples, most of them from the PBoC rules for bills."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knock.core.daxie import DIGITS, MAX_FEN, to_daxie

WORKED = [
    # the examples
    ("1005.60", "壹仟零伍元陆角整"),
    ("100000.00", "壹拾万元整"),
    ("0.05", "伍分"),
    ("10.05", "壹拾元零伍分"),
    ("1010.00", "壹仟零壹拾元整"),
    ("100100.00", "壹拾万零壹佰元整"),
    # examples printed in 《正确填写票据和结算凭证的基本规定》
    ("1409.50", "壹仟肆佰零玖元伍角整"),  # rule: 整 optional after 角; Knock writes it
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),  # the official example's first form
    ("107000.53", "壹拾万柒仟元零伍角叁分"),  # the official example's first form (never no 零 at all)
    ("1000.30", "壹仟元零叁角整"),
    ("20.50", "贰拾元零伍角整"),
    ("100000.10", "壹拾万元零壹角整"),
    ("5.50", "伍元伍角整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    # edges
    ("0.00", "零元整"),
    ("0.01", "壹分"),
    ("0.10", "壹角整"),
    ("0.35", "叁角伍分"),
    ("1.00", "壹元整"),
    ("10.00", "壹拾元整"),
    ("11.00", "壹拾壹元整"),
    ("19.90", "壹拾玖元玖角整"),
    ("100.00", "壹佰元整"),
    ("101.00", "壹佰零壹元整"),
    ("110.00", "壹佰壹拾元整"),
    ("1000.00", "壹仟元整"),
    ("1001.01", "壹仟零壹元零壹分"),
    ("1100.00", "壹仟壹佰元整"),
    ("2480.00", "贰仟肆佰捌拾元整"),
    ("3600.50", "叁仟陆佰元零伍角整"),
    ("10000.00", "壹万元整"),
    ("10001.00", "壹万零壹元整"),
    ("10010.00", "壹万零壹拾元整"),
    ("10100.00", "壹万零壹佰元整"),
    ("11000.00", "壹万壹仟元整"),
    ("15000.00", "壹万伍仟元整"),
    ("100010.00", "壹拾万零壹拾元整"),
    ("105000.00", "壹拾万伍仟元整"),
    ("1000000.00", "壹佰万元整"),
    ("1010000.00", "壹佰零壹万元整"),
    ("10000000.00", "壹仟万元整"),
    ("10000001.00", "壹仟万零壹元整"),
    ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"),
    ("100000000.00", "壹亿元整"),
    ("100000001.00", "壹亿零壹元整"),
    ("100010000.00", "壹亿零壹万元整"),
    ("100001000.00", "壹亿零壹仟元整"),
    ("110000000.00", "壹亿壹仟万元整"),
    ("1000000000.00", "壹拾亿元整"),
    ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("yuan", "expected"), WORKED)
def test_worked_examples(yuan: str, expected: str) -> None:
    whole, _, cents = yuan.partition(".")
    assert to_daxie(int(whole) * 100 + int(cents)) == expected


def test_negative_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        to_daxie(-1)


def test_too_large_is_refused() -> None:
    with pytest.raises(ValueError):
        to_daxie(MAX_FEN + 1)


@pytest.mark.parametrize("bad", [1.5, "100", True, None])
def test_only_int_fen(bad: object) -> None:
    with pytest.raises(TypeError):
        to_daxie(bad)  # type: ignore[arg-type]


def _read_back(text: str) -> int:
    """An independent reader of capital amounts, to check round trips."""
    digit = {c: i for i, c in enumerate(DIGITS)}
    place = {"拾": 10, "佰": 100, "仟": 1000}
    total_fen = 0
    yuan_part, _, frac = text.partition("元") if "元" in text else ("", "", text)
    section_total = 0
    big = 0
    current = 0
    for ch in yuan_part:
        if ch in digit:
            current = digit[ch]
        elif ch in place:
            section_total += current * place[ch]
            current = 0
        elif ch == "万":
            big += (section_total + current) * 10_000
            section_total = current = 0
        elif ch == "亿":
            big = (big + section_total + current) * 100_000_000
            section_total = current = 0
    yuan = big + section_total + current
    total_fen = yuan * 100
    current = 0
    for ch in frac:
        if ch in digit:
            current = digit[ch]
        elif ch == "角":
            total_fen += current * 10
            current = 0
        elif ch == "分":
            total_fen += current
            current = 0
    return total_fen


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_round_trip_and_shape(fen: int) -> None:
    text = to_daxie(fen)
    assert _read_back(text) == fen
    assert "零零" not in text
    assert not text.startswith("零") or text == "零元整"
    assert text.endswith("整") == (fen % 10 == 0)
    assert not text.startswith(("拾", "佰", "仟", "万", "亿"))
    yuan, jiao = fen // 100, fen // 10 % 10
    if yuan and jiao:
        # A zero between the units is never silently dropped: 元 digit 0 and 角 not 0 writes 元零.
        assert ("元零" in text) == (yuan % 10 == 0)
