from __future__ import annotations

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
        ("1.230", 123),  # a trailing zero is still exact
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


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_format_then_parse_round_trips(fen: int) -> None:
    assert parse_yuan(format_yuan(fen), allow_negative=True) == fen


def test_format_refuses_floats() -> None:
    with pytest.raises(TypeError):
        format_yuan(12.5)  # type: ignore[arg-type]


def test_apply_rate_rounds_half_up_once() -> None:
    assert apply_rate(1000, Decimal("0.0005"), times=3) == 2  # 1.5 fen -> 2
    assert apply_rate(24625, Decimal("0.003"), times=10) == 739  # 738.75
