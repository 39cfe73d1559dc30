"""Canonical room codes: ``building-unit-room``, e.g. ``3-2-501``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"\s*(?:[-－—_/#]|栋|幢|号楼|单元|室|号)\s*")


class RoomError(ValueError):
    """Text that is not a room code."""


@dataclass(frozen=True)
class Room:
    """A room's place in the community."""

    building: str
    unit: str
    room_no: str

    @property
    def code(self) -> str:
        """The canonical ``building-unit-room`` code."""
        return f"{self.building}-{self.unit}-{self.room_no}"

    @property
    def floor(self) -> int:
        """Floor, from the room number (501 is on floor 5); 0 when not numeric."""
        digits = re.sub(r"\D", "", self.room_no)
        return int(digits) // 100 if len(digits) >= 3 else 0


def _norm(part: str, what: str, text: str) -> str:
    part = part.strip()
    if not part:
        raise RoomError(f"room {text!r}: {what} is empty")
    return str(int(part)) if part.isdigit() else part.upper()


def make_room(building: str | int, unit: str | int, room_no: str | int) -> Room:
    """A room from its three parts (as an arrears list has them in three columns)."""
    text = f"{building}-{unit}-{room_no}"
    return Room(_norm(str(building), "building", text), _norm(str(unit), "unit", text), _norm(str(room_no), "room number", text))


def parse_room(text: str) -> Room:
    """Read ``3-2-501``, ``3栋2单元501室`` or ``3/2/501`` as a room."""
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    if len(parts) != 3:
        raise RoomError(f"not a room code (building-unit-room, e.g. 3-2-501): {text!r}")
    return make_room(*parts)


# -- walking order ----------------------------------------------------------------------------
# The one order in which a collector walks a community, used by the day's plan,
# the field app's list and the assignment planner alike.


def natural_key(part: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts building 2 before building 10 and digits before letters."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|\D+", part))


WalkKey = tuple[object, ...]
"""What :func:`walk_key` returns: only compare it with another walk key."""


def walk_key(building: str, unit: str, floor: int, room_no: str) -> WalkKey:
    """Walking order: building, then stairwell (unit), then floor, then room.

    Unit before floor: each unit (单元) is its own stairwell, so a collector
    climbs one stairwell floor by floor rather than crossing between units.
    """
    return (0, natural_key(building), natural_key(unit), floor, natural_key(room_no))


def room_walk_key(code: str) -> WalkKey:
    """:func:`walk_key` of a room code; text that is not a room code sorts after every room, by text."""
    try:
        room = parse_room(code)
    except RoomError:
        return (1, code)
    return walk_key(room.building, room.unit, room.floor, room.room_no)
