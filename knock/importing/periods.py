"""Reading a single period column (所属期间, 费用期间, 计费期间, 账期) into a start and an end date.

Billing systems write the months a charge covers in one cell, in many ways.
All of these are read, and mean January to June 2026 (2026-01-01..2026-06-30)::

    2026-01至2026-06    2026.01-2026.06    2026/01~2026/06    202601-202606
    2026年1月-6月        2026年1月至2026年6月    2026-01-01至2026-06-30

One month alone (``2026-03``, ``2026年3月``, ``202603``, an Excel date cell, or
one date such as ``2026-03-01``) means that whole month. When the second half
gives only a month (``2025年11月-2月``), it is in the same year unless that would
put it before the start, then in the next year. A period given as two whole
dates keeps those dates exactly; months always run from the 1st to the last day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from knock.importing.readers import Cell, cell_text

_SEP = r"\s*(?:至|到|~|～|—|–|－|-|－)\s*"
_FULL_DATE = r"(?P<{p}y>\d{{4}})\s*[-/.年]\s*(?P<{p}m>\d{{1,2}})\s*[-/.月]\s*(?P<{p}d>\d{{1,2}})\s*日?|(?P<{p}cy>\d{{4}})(?P<{p}cm>\d{{2}})(?P<{p}cd>\d{{2}})"
_MONTH = r"(?P<{p}Y>\d{{4}})\s*(?:[-/.年]\s*(?P<{p}M>\d{{1,2}})\s*月?|(?P<{p}CM>\d{{2}}))"
_BARE_MONTH = r"(?P<{p}B>\d{{1,2}})\s*月?"


def _side(prefix: str, *, bare: bool) -> str:
    parts = [_FULL_DATE.format(p=prefix), _MONTH.format(p=prefix)]
    if bare:
        parts.append(_BARE_MONTH.format(p=prefix))
    return "(?:" + "|".join(f"(?:{part})" for part in parts) + ")"


_PERIOD = re.compile(rf"^\s*{_side('a', bare=False)}(?:{_SEP}{_side('b', bare=True)})?\s*$")


class PeriodError(ValueError):
    """A period cell that cannot be read."""


HINT = "write 2026-03, 2026-01至2026-06, 2026年1月-6月, 2026.01-2026.06 or 202601-202606"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month(year: int, month: int, text: str) -> tuple[int, int]:
    if not 1 <= month <= 12:
        raise PeriodError(f"no month {month} in period {text!r}")
    if not 1900 <= year <= 2999:
        raise PeriodError(f"year {year} out of range in period {text!r}")
    return year, month


def _read_side(match: re.Match[str], p: str, text: str, start_year: int | None) -> tuple[date, bool]:
    """(date, is_whole_month) of one side of the period."""
    g = match.groupdict()
    if g.get(f"{p}y") or g.get(f"{p}cy"):
        year = int(g.get(f"{p}y") or g[f"{p}cy"])
        month = int(g.get(f"{p}m") or g[f"{p}cm"])
        day = int(g.get(f"{p}d") or g[f"{p}cd"])
        _month(year, month, text)
        try:
            return date(year, month, day), False
        except ValueError:
            raise PeriodError(f"no such date in period {text!r}") from None
    if g.get(f"{p}Y"):
        year, month = _month(int(g[f"{p}Y"]), int(g.get(f"{p}M") or g[f"{p}CM"]), text)
        return date(year, month, 1), True
    assert start_year is not None and g.get(f"{p}B")
    year, month = _month(start_year, int(g[f"{p}B"]), text)
    return date(year, month, 1), True


def parse_period(cell: Cell) -> tuple[date, date]:
    """The first and last day a period cell covers; raises :class:`PeriodError`."""
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        return cell.replace(day=1), cell.replace(day=_last_day(cell.year, cell.month))
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = cell_text(cell)
    match = _PERIOD.match(text)
    if match is None:
        raise PeriodError(f"not a period: {text!r} ({HINT})")
    start, _ = _read_side(match, "a", text, None)
    has_end = any(match.group(k) for k in ("by", "bcy", "bY", "bB"))
    if not has_end:
        # One month, or one date standing for its month.
        return start.replace(day=1), start.replace(day=_last_day(start.year, start.month))
    end, end_month = _read_side(match, "b", text, start.year)
    if match.group("bB") and end < start:
        end = end.replace(year=end.year + 1)  # 2025年11月-2月: February of the next year
    if end_month:
        end = end.replace(day=_last_day(end.year, end.month))
    if end < start:
        raise PeriodError(f"period {text!r} ends before it starts")
    return start, end


def format_period(start: date, end: date) -> str:
    """The period as billing systems write it: ``2026-03``, ``2026-01至2026-06``, or dates."""
    whole = start.day == 1 and end.day == _last_day(end.year, end.month)
    if not whole:
        return f"{start.isoformat()}至{end.isoformat()}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m}至{end:%Y-%m}"
