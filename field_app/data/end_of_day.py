"""The end-of-day screen: what I did today and the cash to hand over."""

from __future__ import annotations

from datetime import date

from knock.core.reports.day import CollectorDay, collector_day
from knock.home import Home


def end_of_day(home: Home, staff_id: str, day: date) -> CollectorDay:
    """The collector's day on this laptop (:func:`knock.core.reports.day.collector_day`)."""
    return collector_day(home.store, staff_id, day, home.ledger.device.device_id)
