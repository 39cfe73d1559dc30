"""Event times as the ledger stores them: one integer instead of 25 characters of ISO 8601.

Why: every event carries its device time (and an event from another device its time received),
``2026-11-23T19:30:00+08:00``, 25 bytes; as the wall-clock seconds and the UTC offset packed in one
integer it is 6. The ``events`` view shows the text again with plain SQL (:func:`sql_text`), so
the hash chain, sync files and every reader see exactly the text the device wrote.

A time is packed only when unpacking gives back exactly its text; anything else (another format,
seconds fractions, an offset of seconds, a year before 1970) is stored as the text it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

_OFFSET_BITS = 11
_OFFSET_BIAS = 1 << (_OFFSET_BITS - 1)
"""The UTC offset in minutes plus 1024 sits in the low 11 bits (-17:03 … +17:03)."""
_MASK = (1 << _OFFSET_BITS) - 1
_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def time_text(value: int) -> str:
    """The ISO 8601 text of a packed time (what :func:`sql_text` computes in SQL)."""
    offset = (value & _MASK) - _OFFSET_BIAS
    wall = datetime.fromtimestamp(value >> _OFFSET_BITS, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{wall}{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


@lru_cache(maxsize=4096)
def stored_time(text: str | int | None) -> str | int | None:
    """What the ledger stores for an event time: the packed integer when it gives back ``text``
    exactly, else ``text`` itself. (Parsed by hand and remembered: it runs for every event
    written, and the events of one action or one merged file share a few seconds.)"""
    if not isinstance(text, str) or len(text) != 25 or text[19] not in "+-" or text[22] != ":":
        return text
    hours, minutes = text[20:22], text[23:25]
    if not (hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()):
        return text
    offset = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or offset >= _OFFSET_BIAS or (offset == 0 and text[19] == "-"):
        return text
    try:
        wall = datetime.fromisoformat(text[:19])
    except ValueError:
        return text
    if wall.year < 1970 or wall.isoformat() != text[:19]:  # a "T" between date and time, whole seconds
        return text
    if text[19] == "-":
        offset = -offset
    return ((wall - _EPOCH) // _SECOND) << _OFFSET_BITS | (offset + _OFFSET_BIAS)


def sql_text(column: str) -> str:
    """An SQL expression giving the text of ``column`` (a packed integer or text), as :func:`time_text`."""
    offset = f"(({column} & {_MASK}) - {_OFFSET_BIAS})"
    return (
        f"CASE WHEN typeof({column}) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%S', {column} >> {_OFFSET_BITS}, 'unixepoch')"
        f" || CASE WHEN {offset} < 0 THEN '-' ELSE '+' END || printf('%02d:%02d', abs({offset}) / 60, abs({offset}) % 60)"
        f" ELSE {column} END"
    )
