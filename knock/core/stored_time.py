"""Event times as the ledger stores them: one integer instead of 25 characters of ISO 8601.

Why: every event carries its device time (and an event from another device its time received),
``2026-11-23T19:30:00+08:00``, 25 bytes; as the wall-clock seconds and the UTC offset packed in one
integer it is 6. The ``events`` view shows the text again with plain SQL (:func:`sql_text`), so
the hash chain, sync files and every reader see exactly the text the device wrote.

A time is packed only when unpacking gives back exactly its text; anything else (another format,
seconds fractions, an offset of seconds, a year before 1970) is stored as the text it is.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

_OFFSET_BITS = 11
_OFFSET_BIAS = 1 << (_OFFSET_BITS - 1)
"""The UTC offset in minutes plus 1024 sits in the low 11 bits (-17:03 … +17:03)."""
_MASK = (1 << _OFFSET_BITS) - 1


def time_text(value: int) -> str:
    """The ISO 8601 text of a packed time (what :func:`sql_text` computes in SQL)."""
    offset = (value & _MASK) - _OFFSET_BIAS
    wall = datetime.fromtimestamp(value >> _OFFSET_BITS, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{wall}{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


@lru_cache(maxsize=1024)
def stored_time(text: str | int | None) -> str | int | None:
    """What the ledger stores for an event time: the packed integer when it gives back ``text``
    exactly, else ``text`` itself.

    Remembered (a pure function of its text): a bulk write stamps thousands of events with the
    same second, and packing one costs about 4 µs."""
    if not isinstance(text, str) or len(text) != 25:
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    offset = moment.utcoffset()
    if offset is None or offset.microseconds or offset.seconds % 60 or moment.microsecond:
        return text
    minutes = int(offset.total_seconds()) // 60
    wall = moment.replace(tzinfo=timezone.utc).timestamp()
    if wall < 0 or abs(minutes) >= _OFFSET_BIAS:
        return text
    value = (int(wall) << _OFFSET_BITS) | (minutes + _OFFSET_BIAS)
    return value if time_text(value) == text else text


def sql_text(column: str) -> str:
    """An SQL expression giving the text of ``column`` (a packed integer or text), as :func:`time_text`."""
    offset = f"(({column} & {_MASK}) - {_OFFSET_BIAS})"
    return (
        f"CASE WHEN typeof({column}) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%S', {column} >> {_OFFSET_BITS}, 'unixepoch')"
        f" || CASE WHEN {offset} < 0 THEN '-' ELSE '+' END || printf('%02d:%02d', abs({offset}) / 60, abs({offset}) % 60)"
        f" ELSE {column} END"
    )
