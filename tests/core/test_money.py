from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from knock.core.money import MoneyError, apply_rate, format_yuan, parse_yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.50", 123450),
        ("1234.5", 123450),
        ("0.01", 1),
        ("12", 1200),
        ("¥1,234.56", 123456),
        ("  88.00元", 8800),
        ("１２３.４５", 12345),  # full-width digits from a Chinese keyboard
        ("99,999,999.99", 9999999999),
    ],
)
def test_parse_yuan_reads_exactly(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["12.345", "0.001", "abc", "", "1e400x", "NaN"])
def test_parse_yuan_refuses_what_it_would_have_to_round(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_negative_amounts_need_permission() -> None:
    with pytest.raises(MoneyError, match="negative"):
        parse_yuan("-5.00")
    assert parse_yuan("-5.00", allow_negative=True) == -500


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1,50", "decimal point"),
        ("1e3", "not an amount: '1e3'"),
        ("1E3", "not an amount"),
        ("1_0", "not an amount: '1_0'"),
        ("1.230", "more than two decimal places: '1.230'"),
        ("Infinity", "not an amount: 'Infinity'"),
        ("-Infinity", "not an amount"),
        ("nan", "not an amount"),
        ("sNaN", "not an amount"),
        ("12,3456", "not an amount"),
        ("1,2,3", "not an amount"),
        ("99999999999999999999.99", "too large: '99999999999999999999.99'"),
        ("1e999999", "not an amount: '1e999999'"),
        ("1e17", "not an amount: '1e17'"),
        ("10000000000.01", "too large"),
        ("٣", "not an amount"),  # other scripts' digits are not yuan
        ("1\x00", "not an amount"),
        ("0x10", "not an amount"),
    ],
)
def test_one_rule_refuses_each_nasty_amount_naming_it(text: str, why: str) -> None:
    with pytest.raises(MoneyError, match=re.escape(why)):
        parse_yuan(text)


def test_decimals_and_ints_obey_the_same_bound() -> None:
    with pytest.raises(MoneyError, match="too large"):
        parse_yuan(Decimal("1e17"))
    with pytest.raises(MoneyError, match="too large"):
        parse_yuan(10**11)
    with pytest.raises(MoneyError, match="not an amount"):
        parse_yuan(Decimal("NaN"))
    with pytest.raises(MoneyError, match="two decimal"):
        parse_yuan(Decimal("0.001"))
    assert parse_yuan(Decimal("12.5")) == 1250


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_format_then_parse_round_trips(fen: int) -> None:
    assert parse_yuan(format_yuan(fen), allow_negative=True) == fen


def test_format_refuses_floats() -> None:
    with pytest.raises(TypeError):
        format_yuan(12.5)  # type: ignore[arg-type]


def test_apply_rate_rounds_half_up_once() -> None:
    assert apply_rate(1000, Decimal("0.0005"), times=3) == 2  # 1.5 fen -> 2
    assert apply_rate(24625, Decimal("0.003"), times=10) == 739  # 738.75
