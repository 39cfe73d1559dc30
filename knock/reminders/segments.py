"""How Chinese SMS billing counts a text: 70 characters in one message, 67 a part when split.

Carriers and platforms in China (the national standard the big platforms
follow) bill in segments: a text of up to 70 characters is one segment; a
longer one is split into parts of 67 (three characters of each part carry the
joining header). Every character counts as one, Chinese or Latin, punctuation
and the 【signature】 included; a character outside the Basic Multilingual
Plane (most emoji) takes two, as it does in the UCS-2 encoding texts travel in.
"""

from __future__ import annotations

from dataclasses import dataclass

SINGLE_LIMIT = 70
"""Characters that fit in one unsplit text."""
PART_LIMIT = 67
"""Characters per part once a text is split."""


def billed_length(text: str) -> int:
    """The length the carrier bills: UTF-16 code units (emoji count two)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def segments(text: str) -> int:
    """How many billed segments ``text`` takes (an empty text is none)."""
    n = billed_length(text)
    if n == 0:
        return 0
    if n <= SINGLE_LIMIT:
        return 1
    return -(-n // PART_LIMIT)


@dataclass(frozen=True)
class Cost:
    """What a batch costs: segments, and fen at the configured price (rounded up to the fen)."""

    messages: int
    segments: int
    fen: int


def cost_of(texts: list[str], price_per_100_segments_fen: int) -> Cost:
    """The cost of sending ``texts``; money stays integer fen, rounded up."""
    count = sum(segments(t) for t in texts)
    return Cost(len(texts), count, -(-count * price_per_100_segments_fen // 100))
