"""Reading a day as a collector types it at the door: ``10``, ``12-10``, ``下周五``, ``fri``.

An owner says "I'll pay on the 10th" or "next Friday"; the collector types it
as heard and the promise gets a real date. The rules, relative to ``today``:

- ``10`` / ``10号`` / ``10日``: the next 10th of a month, today included;
- ``12-10``, ``12/10``, ``12.10``, ``12月10日``: that month and day, this year or,
  when already past, next year; ``2026-12-10`` as written;
- ``今天``, ``明天``, ``后天``, ``大后天`` (and ``today``, ``tomorrow``);
- ``周五``, ``星期五``, ``礼拜五``, ``fri``, ``friday``: the next Friday, today included;
  ``这周五`` / ``本周五`` that Friday of this week (Monday first), ``下周五`` /
  ``next fri`` the Friday of next week, ``下下周五`` the week after.

A day in the past, or further ahead than ``horizon_days``, is refused:
a promise is for soon. Errors carry a ``reason`` code so a screen can say it
in its own language; the domain knows no screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

HORIZON_DAYS = 92
"""How far ahead a promise may be set (about three months)."""

_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_WEEKDAY_WORDS_EN = {
    word: n
    for n, words in enumerate((
        ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"), ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday"),
    ))
    for word in words
}
_RELATIVE = {"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2, "大后天": 3}
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．　", "0123456789-/. ")


@dataclass
class DateTextError(ValueError):
    """Typed text that is not a day a promise can be set for.

    ``reason`` is one of ``empty``, ``unreadable``, ``no_such_day``, ``past``,
    ``too_far``; ``text`` is what was typed.
    """

    reason: str
    text: str

    def __str__(self) -> str:
        return f"{self.text!r} is not a usable day ({self.reason})"


def _weekday_offset(text: str) -> tuple[int, int] | None:
    """(weeks ahead or -1 for "next occurrence", weekday) for 周五 / 下周五 / next fri; None if no weekday."""
    m = re.fullmatch(r"(下下|下|这|本|)(?:个)?(?:周|星期|礼拜)([一二三四五六日天七])", text)
    if m:
        weeks = {"下下": 2, "下": 1, "这": 0, "本": 0, "": -1}[m.group(1)]
        return weeks, _WEEKDAYS_ZH[m.group(2)]
    m = re.fullmatch(r"(?:(next|this) )?([a-z]+)", text)
    if m and m.group(2) in _WEEKDAY_WORDS_EN:
        return {"next": 1, "this": 0, None: -1}[m.group(1)], _WEEKDAY_WORDS_EN[m.group(2)]
    return None


def _month_day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateTextError("no_such_day", text) from None


def parse_day(text: str, today: date, *, horizon_days: int = HORIZON_DAYS) -> date:
    """The day ``text`` names, relative to ``today`` (see the module docstring).

    Raises :class:`DateTextError` for text that names no day, a day that does
    not exist (``2-30``), a day before ``today`` or beyond the horizon.
    """
    raw = text
    text = text.translate(_FULLWIDTH).strip().lower()
    text = re.sub(r"\s+", " ", text)
    if not text:
        raise DateTextError("empty", raw)
    found = _read(text, today, raw)
    if found < today:
        raise DateTextError("past", raw)
    if found > today + timedelta(days=horizon_days):
        raise DateTextError("too_far", raw)
    return found


def _read(text: str, today: date, raw: str) -> date:
    if text in _RELATIVE:
        return today + timedelta(days=_RELATIVE[text])
    weekday = _weekday_offset(text)
    if weekday is not None:
        weeks, day = weekday
        if weeks < 0:
            return today + timedelta(days=(day - today.weekday()) % 7)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(weeks=weeks, days=day)
    m = re.fullmatch(r"(\d{1,2})\s*(?:号|日)?", text)
    if m:
        day = int(m.group(1))
        if not 1 <= day <= 31:
            raise DateTextError("no_such_day", raw)
        year, month = today.year, today.month
        for _ in range(13):  # the next month that has this day (31 skips the short ones)
            if day <= _days_in(year, month) and date(year, month, day) >= today:
                return date(year, month, day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise DateTextError("no_such_day", raw)
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*(?:日|号)?", text)
    if m:
        return _month_day(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    m = re.fullmatch(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*(?:日|号)?", text)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        found = _month_day(today.year, month, day, raw) if _exists(today.year, month, day) else None
        if found is not None and found >= today:
            return found
        if _exists(today.year + 1, month, day):
            return date(today.year + 1, month, day)
        raise DateTextError("no_such_day", raw)
    raise DateTextError("unreadable", raw)


def _exists(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _days_in(year, month)


def _days_in(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - timedelta(days=1)).day
