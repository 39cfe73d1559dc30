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
