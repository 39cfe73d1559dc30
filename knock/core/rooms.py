"""The one room-code rule: ``building-unit-room``, e.g. ``3-2-501``.

Import, the command line and the field app all read rooms here, so anything
that can be imported can also be typed at the door and paid. Each part is
digits with an optional letter suffix (``12A``), because some billing systems
number that way. Full-width digits and letters (``３－２－５０１``) are
normalised; everything else (control characters, NUL, ``|``, superscripts,
other scripts' digits) is refused with a message that names the text.

Codes as billing systems write them (the billing system's own code is also kept,
verbatim, on the household; see :mod:`knock.importing.households`):

- ``1栋1单元101``, ``3幢2单元1502室``, ``01-02-0301``: building, unit, room. Zero
  padding is only padding: billing systems pad every part to a fixed width, and
  ``01-02-0301`` is building 1, unit 2, room 301 (floor 3, flat 01).
- Tower codes, marked 座: ``A座-12-03``, ``A座12-03``, ``A座1203``, ``3座-8-11``.
  A tower block (塔楼) has one entrance, so after 座 come the floor and the flat on
  that floor, and the room is what the lift panel and the door say: floor 12,
  flat 03 is room 1203, unit 1 (``A-1-1203``). ``A座-12-03`` never becomes room 3.
- A lettered building outside that form with a room number of one or two digits
  (``A-12-03``) is refused as ambiguous rather than read as room 3: write the
  tower form or the full room number (``A-1-1203``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULL_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULL_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULL_WIDTH[0x3000] = 0x20  # ideographic space

_SEPARATORS = re.compile(r"[ \t]*(?:[-－—_/#]|号楼|栋|幢|座|单元|室|号)[ \t]*")
_PART = re.compile(r"([0-9]{1,6})([A-Z]?)")
"""One part of a room code: ASCII digits (after normalising) and at most one letter."""
_LETTERED_BUILDING = re.compile(r"[A-Z]{1,2}")
"""A building named by letters only (A座, AB栋), as towers often are."""
_TOWER = re.compile(r"(?P<tower>[0-9A-Z]{1,6})[ \t]*座[ \t]*(?:[-－—_/#][ \t]*)?(?P<rest>.+)")
_TOWER_SEPARATORS = re.compile(r"[ \t]*(?:[-－—_/#]|室|号)[ \t]*")


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
    code = _part_code(part, what == "building")
    if code is _EMPTY:
        raise RoomError(f"room {text!r}: {what} is empty")
    if code is _NOT_A_PART:
        raise RoomError(f"room {text!r}: {what} {part!r} must be digits with an optional letter, e.g. 12 or 12A")
    return code


_EMPTY = object()
_NOT_A_PART = object()


@lru_cache(maxsize=4096)
def _part_code(part: str, building: bool) -> Any:
    """One part's canonical form, or ``_EMPTY`` / ``_NOT_A_PART`` (:func:`_norm` says why in the room's words).

    Remembered: a 100,000-row arrears list repeats a few hundred buildings, units and room numbers.
    """
    cleaned = normalise_text(part).strip(" \t").upper()
    if not cleaned:
        return _EMPTY
    if building and _LETTERED_BUILDING.fullmatch(cleaned):
        return cleaned
    match = _PART.fullmatch(cleaned)
    if match is None:
        return _NOT_A_PART
    number, letter = match.groups()
    return f"{int(number)}{letter}"


def make_room(building: str | int, unit: str | int, room_no: str | int) -> Room:
    """A room from its three parts (as an arrears list has them in three columns)."""
    text = f"{building}-{unit}-{room_no}"
    room = Room(_norm(str(building), "building", text), _norm(str(unit), "unit", text), _norm(str(room_no), "room number", text))
    if _LETTERED_BUILDING.fullmatch(room.building) and room.floor == 0:
        raise RoomError(
            f"room {text!r}: after a lettered building, {room_no!r} could be a floor and a flat; "
            f"write the tower form ({building}座-12-03) or the full room number ({building}-1-1203)"
        )
    return room


def _tower_room(tower: str, rest: str, text: str) -> Room:
    """``A座-12-03`` (floor 12, flat 03) or ``A座1203``: a tower's one entrance is unit 1."""
    parts = [p for p in _TOWER_SEPARATORS.split(rest) if p]
    if len(parts) == 1:
        return make_room(tower, "1", parts[0])
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        floor, flat = parts
        if len(flat) > 2:
            raise RoomError(f"room {text!r}: after the floor ({floor}) the flat has at most two digits, got {flat!r}")
        return make_room(tower, "1", f"{int(floor)}{int(flat):02d}")
    raise RoomError(f"not a tower room code (tower, floor, flat, e.g. A座-12-03): {text!r}")


def parse_room(text: str) -> Room:
    """Read ``3-2-501``, ``3栋2单元501室``, ``3/2/501``, ``３－２－５０１`` or ``A座-12-03`` as a room."""
    if not isinstance(text, str):
        raise RoomError(f"not a room code: {text!r}")
    tower = _TOWER.fullmatch(normalise_text(text).strip(" \t").upper())
    if tower is not None:
        return _tower_room(tower.group("tower"), tower.group("rest"), text)
    parts = [p for p in _SEPARATORS.split(normalise_text(text).strip(" \t")) if p]
    if len(parts) != 3:
        raise RoomError(f"not a room code (building-unit-room, e.g. 3-2-501): {text!r}")
    return make_room(*parts)


# -- walking order ----------------------------------------------------------------------------
# The one order in which a collector walks a community, used by the day's plan,
# the field app's list and the assignment planner alike.


@lru_cache(maxsize=4096)
def natural_key(part: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts building 2 before building 10 and digits before letters.

    Cached: a community has few distinct buildings, units and room numbers, and every sort of a
    collector's day (the list's first pass, the plan, the assignment) asks for the same ones.
    """
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
