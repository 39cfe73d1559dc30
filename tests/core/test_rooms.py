"""The one walking order (knock.core.rooms), and that every list uses it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knock.core.assignment import AssignableHousehold, location_key
from knock.core.rooms import RoomError, make_room, natural_key, room_walk_key, walk_key


def test_numbers_sort_naturally_and_floors_come_from_the_room_number() -> None:
    assert room_walk_key("3-2-501") < room_walk_key("3-2-1201") < room_walk_key("10-1-101")
    assert room_walk_key("2-1-101") < room_walk_key("2-2-101"), "one stairwell (unit) at a time"
    assert room_walk_key("2-1-1501") < room_walk_key("2-2-101"), "the whole stairwell before the next"
    assert natural_key("2") < natural_key("10") < natural_key("10A")


def test_text_that_is_not_a_room_sorts_after_every_room() -> None:
    assert room_walk_key("99-9-9999") < room_walk_key("odd room")


rooms = st.tuples(st.integers(1, 30), st.integers(1, 6), st.integers(1, 33), st.integers(1, 12))


@given(st.lists(rooms, max_size=40))
def test_codes_and_parts_walk_the_same_way(parts: list[tuple[int, int, int, int]]) -> None:
    made = [make_room(b, u, f * 100 + d) for b, u, f, d in parts]
    by_code = sorted(made, key=lambda r: room_walk_key(r.code))
    by_parts = sorted(made, key=lambda r: walk_key(r.building, r.unit, r.floor, r.room_no))
    assignable = [
        AssignableHousehold(household_id=f"h{i}", building=r.building, unit=r.unit, floor=r.floor, room=r.room_no) for i, r in enumerate(made)
    ]
    by_planner = [made[int(h.household_id[1:])] for h in sorted(assignable, key=location_key)]
    assert [r.code for r in by_code] == [r.code for r in by_parts] == [r.code for r in by_planner]


def test_a_remembered_part_still_names_the_room_it_is_in() -> None:
    # Parts are read once and remembered (an arrears list repeats them); a refusal still quotes
    # the room being read, and a building letter is only a building.
    assert make_room("01", "２", "0301").code == make_room(1, 2, 301).code == "1-2-301"
    for text in ("3-x-501", "4-x-601"):
        with pytest.raises(RoomError, match=f"room '{text}': unit 'x' must be digits"):
            make_room(*text.split("-"))
    for text in ("3- -501", "4- -601"):
        with pytest.raises(RoomError, match=f"room '{text}': unit is empty"):
            make_room(*text.split("-"))
    assert make_room("A", "1", "1203").building == "A"
    with pytest.raises(RoomError, match="unit 'A' must be digits"):
        make_room("3", "A", "501")
