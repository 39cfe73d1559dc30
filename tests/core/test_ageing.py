from __future__ import annotations

from datetime import date

import pytest

from knock.core.ageing import bucket_for, limitation_risk, months_in
from knock.core.rooms import RoomError, parse_room

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-1, None), (0, "0-30"), (30, "0-30"), (31, "31-90"), (90, "31-90"), (91, "91-180"), (180, "91-180"),
     (181, "181-365"), (365, "181-365"), (366, "365+"), (3000, "365+")],
)
def test_bucket_edges(days: int, bucket: str | None) -> None:
    from datetime import timedelta

    assert bucket_for(TODAY - timedelta(days=days), TODAY) == bucket


def test_limitation_flag_after_three_years() -> None:
    assert not limitation_risk(date(2023, 11, 23), TODAY)
    assert limitation_risk(date(2023, 11, 22), TODAY)
    assert limitation_risk(date(2020, 2, 29), TODAY)


def test_months_in_a_period() -> None:
    assert months_in(date(2026, 11, 1), date(2027, 1, 31)) == {(2026, 11), (2026, 12), (2027, 1)}


@pytest.mark.parametrize("text", ["3-2-501", "3栋2单元501室", "3/2/501", " 03 - 2 - 501 ", "3号楼2单元501"])
def test_room_spellings_are_one_code(text: str) -> None:
    room = parse_room(text)
    assert (room.code, room.floor) == ("3-2-501", 5)


@pytest.mark.parametrize("text", ["3-501", "", "3--501", "a-b-c-d"])
def test_bad_rooms_are_refused(text: str) -> None:
    with pytest.raises(RoomError):
        parse_room(text)
