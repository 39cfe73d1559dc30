"""Reports: what the ledger adds up to, for the office's status, the field app's day and the summary.

Every report counts money the same way: payments through the ``live_payments``
view (voided ones drop out), "collected" through :func:`collected_fen`. The
app, the CLI and the nightly summary import from here rather than write
their own sums.

- :mod:`.status`: the whole community at a glance (``knock status``).
- :mod:`.collected`: money collected on a day, in total, by collector and by method.
- :mod:`.day`: one collector's day (the field app's list counters and end of day).
- :mod:`.summary`: the nightly summary for the managers (``knock summary``); sync figures through :mod:`.summary_sync`.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "knock.core.reports.collected": ("collected_fen",),
    "knock.core.reports.status": ("CollectorLoad", "Status", "community_status", "overdue_by_household", "percent"),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Each name is imported from its module when first asked for (the field app's counters need no status report)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["CollectorLoad", "Status", "collected_fen", "community_status", "overdue_by_household", "percent"]
