"""Cell parsers and header matching."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knock.core.money import format_yuan
from knock.importing.headers import HOUSEHOLD_COLUMNS, fee_item, match_headers
from knock.importing.validate import CellError, due_date_for, parse_amount, parse_area, parse_date, parse_phones


@pytest.mark.parametrize("cell", ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", "20260301", "2026/03/01 0:00",
                                  datetime(2026, 3, 1), date(2026, 3, 1), 20260301, 46082])
def test_dates(cell: object) -> None:
    assert parse_date(cell) == date(2026, 3, 1)


@pytest.mark.parametrize("cell", ["2026-02-30", "3/1/2026", "next week", "2026-3"])
def test_bad_dates(cell: str) -> None:
    with pytest.raises(CellError):
        parse_date(cell)


def test_amounts() -> None:
    assert parse_amount("1,234.50") == 123450
    assert parse_amount("¥88") == 8800
    assert parse_amount(223.75) == 22375
    assert parse_amount(150) == 15000
    for bad in ("12.340", "1,50", "1e3", "1_0", "NaN", "Infinity", "1e999999", "1e17", "99999999999999999999.99", float("nan"), float("inf"), 1e17):
        with pytest.raises(CellError):
            parse_amount(bad)
    for bad in ("12.345", 12.345, "-1", "0", "0.00", "abc"):
        with pytest.raises(CellError):
            parse_amount(bad)


@given(st.integers(min_value=1, max_value=10**12))
def test_amount_round_trip(fen: int) -> None:
    assert parse_amount(format_yuan(fen)) == fen
    assert parse_amount(float(format_yuan(fen, grouping=False))) == fen


def test_area_and_phones() -> None:
    assert parse_area("89.5") == 8950
    assert parse_area("120.75㎡") == 12075
    assert parse_area(89.5) == 8950
    with pytest.raises(CellError):
        parse_area("89.555")
    assert parse_phones("13800001302/13900001302") == ("13800001302", "13900001302")
    assert parse_phones("138 0000 1302；0571-88886666、13800001302") == ("138 0000 1302", "0571-88886666", "13800001302")
    with pytest.raises(CellError):
        parse_phones("call the agent")


def test_headers_ignore_case_space_and_units() -> None:
    found, unknown, repeated = match_headers(["楼 栋", "Unit", "ROOM NO", "业主", "应收金额（元）", "Amount_Due", "colour", "欠费"], HOUSEHOLD_COLUMNS)
    assert found == {"building": 0, "unit": 1, "room": 2, "owner": 3, "billed": 4, "outstanding": 5}
    assert unknown == [(6, "colour")]
    assert repeated == [(7, "outstanding", 5)]


def test_fee_items() -> None:
    assert fee_item("物业服务费") == "property_fee"
    assert fee_item("车位费") == "parking"
    assert fee_item("公共能耗") == "shared_utilities"
    assert fee_item("Parking Fee") == "parking"
    assert fee_item(" 电梯维修基金 ") == "电梯维修基金"


def test_default_due_date() -> None:
    assert due_date_for(date(2026, 3, 1), 15) == date(2026, 3, 15)
    assert due_date_for(date(2026, 3, 20), 15) == date(2026, 4, 15)
    assert due_date_for(date(2026, 12, 16), 15) == date(2027, 1, 15)
