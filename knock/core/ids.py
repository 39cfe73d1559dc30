"""Event and entity ids: ULIDs made cheaply, monotonic within this process.

A ULID is 48 bits of milliseconds since the epoch and 80 random bits, written as
26 Crockford base-32 characters, so ids sort by creation time as plain text and
two devices never make the same one. Within one millisecond (and when the clock
steps back) the random part of the previous id is incremented instead of drawn
again, so ids made by one process are strictly increasing: the monotonic ULID
of the spec. Built from one ``time_ns`` read, one ``urandom`` draw and time encoding per new
millisecond and eight table look-ups (about 0.8 µs, against 9-21 µs for
``str(ulid.ULID())``); within a millisecond only the last two characters change until the low
10 bits carry, so the next id is the previous one's first 24 characters and one look-up (0.4 µs).
"""

from __future__ import annotations

import os
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]
"""Every 10-bit value as its two base-32 characters: eight look-ups write the random part."""
_RANDOM_BITS = 80
_RANDOM_MAX = (1 << _RANDOM_BITS) - 1


def _time_part(ms: int) -> str:
    """48 bits of milliseconds as the id's first 10 characters."""
    return "".join(_CROCKFORD[(ms >> shift) & 31] for shift in range(45, -1, -5))


def _random_part(r: int) -> str:
    """80 bits as the id's last 16 characters."""
    p = _PAIRS
    return (p[(r >> 70) & 1023] + p[(r >> 60) & 1023] + p[(r >> 50) & 1023] + p[(r >> 40) & 1023]
            + p[(r >> 30) & 1023] + p[(r >> 20) & 1023] + p[(r >> 10) & 1023] + p[r & 1023])


class _IdMaker:
    """The last (millisecond, random) pair handed out, behind a lock (the app has worker threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ms = -1
        self._random = 0
        self._prefix = ""
        self._head = ""
        """The id of ``_random`` but its last two characters (the low 10 bits): within one
        millisecond only those change, except on a carry (a bulk write makes dozens a millisecond)."""

    def next(self) -> str:
        ms = time.time_ns() // 1_000_000
        with self._lock:
            r = self._random
            if ms <= self._ms and r & 1023 != 1023:  # the same millisecond (or the clock stepped back), no carry
                self._random = r = r + 1
                return self._head + _PAIRS[r & 1023]
            if ms > self._ms:
                self._ms, self._random = ms, int.from_bytes(os.urandom(10), "big")
                self._prefix = _time_part(ms)
            elif self._random < _RANDOM_MAX:
                self._random += 1
            else:  # 2**80 ids in one millisecond: borrow the next millisecond
                self._ms, self._random = self._ms + 1, int.from_bytes(os.urandom(10), "big") >> 1
                self._prefix = _time_part(self._ms)
            text = self._prefix + _random_part(self._random)
            self._head = text[:24]
            return text


_MAKER = _IdMaker()


def new_id() -> str:
    """A new ULID: sortable by time, strictly increasing in this process, unique without a server."""
    return _MAKER.next()
