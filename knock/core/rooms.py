"""The one room-code rule: ``building-unit-room``, e.g. ``3-2-501``.

Import, the command line and the field app all read rooms here, so anything
that can be imported can also be typed at the door and paid. Each part is
digits with an optional letter suffix (``12A``), because some billing systems
number that way. Full-width digits and letters (``３－２－５０１``) are
normalised; everything else (control characters, NUL, ``|``, superscripts,
other scripts' digits) is refused with a message that names the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULL_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULL_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULL_WIDTH[0x3000] = 0x20  # ideographic space

_SEPARATORS = re.compile(r"[ \t]*(?:[-－—_/#]|号楼|栋|幢|座|单元|室|号)[ \t]*")
_PART = re.compile(r"([0-9]{1,6})([A-Z]?)")
"""One part of a room code: ASCII digits (after normalising) and at most one letter."""


class RoomError(ValueError):
    """Text that is not a room code; the message names the text."""


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
        """Floor, from the room number (501 is on floor 5); 0 when it has fewer than three digits."""
        digits = _PART.fullmatch(self.room_no)
        number = digits.group(1) if digits else ""
        return int(number) // 100 if len(number) >= 3 else 0


def normalise_text(text: str) -> str:
    """Full-width digits, letters and spaces as ASCII; nothing else changes."""
    return text.translate(_FULL_WIDTH)


def _norm(part: str, what: str, text: str) -> str:
    cleaned = normalise_text(part).strip(" \t").upper()
    if not cleaned:
        raise RoomError(f"room {text!r}: {what} is empty")
    match = _PART.fullmatch(cleaned)
    if match is None:
        raise RoomError(f"room {text!r}: {what} {part!r} must be digits with an optional letter, e.g. 12 or 12A")
    number, letter = match.groups()
    return f"{int(number)}{letter}"


def make_room(building: str | int, unit: str | int, room_no: str | int) -> Room:
    """A room from its three parts (as an arrears list has them in three columns)."""
    text = f"{building}-{unit}-{room_no}"
    return Room(_norm(str(building), "building", text), _norm(str(unit), "unit", text), _norm(str(room_no), "room number", text))


def parse_room(text: str) -> Room:
    """Read ``3-2-501``, ``3栋2单元501室``, ``3/2/501`` or ``３－２－５０１`` as a room."""
    if not isinstance(text, str):
        raise RoomError(f"not a room code: {text!r}")
    parts = [p for p in _SEPARATORS.split(normalise_text(text).strip(" \t")) if p]
    if len(parts) != 3:
        raise RoomError(f"not a room code (building-unit-room, e.g. 3-2-501): {text!r}")
    return make_room(*parts)
