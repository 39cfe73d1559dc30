"""Arrears ageing buckets and the limitation-period flag."""

from __future__ import annotations

from datetime import date

BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)
"""(label, first day overdue, last day overdue or None) — the managers' standard buckets."""


def bucket_for(due: date, today: date) -> str | None:
    """The ageing bucket of a charge due on ``due``; None when not yet due."""
    days = (today - due).days
    if days < 0:
        return None
    for label, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    raise AssertionError("buckets cover every non-negative day count")


def limitation_risk(due: date, today: date, years: int = 3) -> bool:
    """True when a charge is older than the limitation period (三年诉讼时效) and may be lost."""
    try:
        limit = due.replace(year=due.year + years)
    except ValueError:  # 29 February
        limit = due.replace(year=due.year + years, day=28)
    return today > limit


def months_in(period_start: date, period_end: date) -> set[tuple[int, int]]:
    """The (year, month) pairs a billing period touches."""
    months: set[tuple[int, int]] = set()
    y, m = period_start.year, period_start.month
    while (y, m) <= (period_end.year, period_end.month):
        months.add((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
