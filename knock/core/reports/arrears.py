"""Arrears as of a day, per household, in one pass of SQL: billed, paid, overdue, and how old the open money is.

Payments settle a household's charges oldest first (:mod:`knock.core.allocation`),
so whatever is still open is the *newest* part of what was billed. That makes
ageing a matter of running sums rather than of walking every charge: with
``C(d)`` the money billed on charges due on or before ``d`` and ``P`` what the
household paid, the open money on charges due in ``(a, b]`` is
``max(0, C(b) - max(P, C(a)))``. One ``GROUP BY household_id`` over the
charges, with a conditional sum per bucket boundary, gives every bucket, the
money past the limitation period and the money nearing it, for every
household at once. ``knock status`` and the nightly summary both read these
rows, so their figures cannot drift apart; :func:`open_charges` gives the same
settlement charge by charge (a window-function running sum) where a report
needs the charges themselves.

The boundaries come from the one definition of each rule: the buckets from
:data:`knock.core.ageing.BUCKETS`, the limitation period from
:func:`knock.core.ageing.limitation_risk` (searched for the latest due date it
flags). Day filters are date ranges (``paid_at < :next_day``) so indexes serve.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from knock.core.ageing import BUCKETS, limitation_risk
from knock.core.store import Store

BUCKET_LABELS: tuple[str, ...] = tuple(label for label, _, _ in BUCKETS)
"""The ageing buckets, newest first (as :data:`~knock.core.ageing.BUCKETS` lists them)."""


def _check_buckets() -> None:
    for (_, _, newer_high), (_, older_low, _) in zip(BUCKETS, BUCKETS[1:]):
        assert newer_high is not None and newer_high + 1 == older_low, "ageing buckets must be contiguous"  # noqa: S101
    assert BUCKETS[0][1] == 0 and BUCKETS[-1][2] is None, "ageing buckets must cover every day from 0"  # noqa: S101


_check_buckets()


def last_due_at_risk(day: date, years: int) -> date:
    """The latest due date that :func:`limitation_risk` flags on ``day``; it flags every earlier one too."""
    due = day - timedelta(days=366 * years + 2)
    assert limitation_risk(due, day, years)  # noqa: S101 - a charge older than the period by days is always at risk
    while limitation_risk(due + timedelta(days=1), day, years):
        due += timedelta(days=1)
    return due


def cut_params(day: date, limitation_years: int, warn_days: int = 0) -> dict[str, str]:
    """The due-date boundaries of ``day``'s report, as SQL parameters.

    ``cut_<i>``: the last due date in bucket ``i`` or an older one; ``past``: the
    last due date past the limitation period; ``near``: the last one that will
    be past it ``warn_days`` from now.
    """
    params = {"day": day.isoformat(), "next_day": (day + timedelta(days=1)).isoformat()}
    for i, (_, low, _) in enumerate(BUCKETS):
        params[f"cut_{i}"] = (day - timedelta(days=low)).isoformat()
    params["past"] = last_due_at_risk(day, limitation_years).isoformat()
    params["near"] = last_due_at_risk(day + timedelta(days=warn_days), limitation_years).isoformat()
    return params


_LIVE_CHARGES = "c.due_date <= :day AND c.charge_id NOT IN (SELECT charge_id FROM charge_reversals)"
"""Charges that count on the day: fallen due, not reversed."""

_PAID = "SELECT household_id, SUM(amount_fen) AS paid FROM live_payments WHERE paid_at < :next_day GROUP BY household_id"
"""What each household paid by the end of the day (voided payments drop out of ``live_payments``)."""


def _open(upto: str, older: str | None) -> str:
    """Open money on charges due after ``older``'s boundary up to ``upto``'s, settling ``p`` oldest first."""
    return f"MAX({upto} - p, 0)" if older is None else f"MAX({upto} - MAX(p, {older}), 0)"


def household_sql(scope: str = "") -> str:
    """One row per household with a charge due by ``:day`` (parameters: :func:`cut_params`).

    Columns: ``household_id``, ``billed``, ``paid``, ``overdue`` (billed - paid,
    floored at 0), ``open_<i>`` for each bucket ``i`` of :data:`BUCKET_LABELS`,
    ``past_fen`` (open money past the limitation period) and ``near_fen`` (open
    money that will be past it within the warning days). ``scope`` is an extra
    ``AND ...`` condition on ``c.household_id``.
    """
    n = len(BUCKETS)
    sums = ", ".join(f"SUM(c.amount_fen) FILTER (WHERE c.due_date <= :cut_{i}) AS c_{i}" for i in range(1, n))
    opens = ", ".join(_open(f"IFNULL(c_{i}, 0)" if i else "billed", f"IFNULL(c_{i + 1}, 0)" if i + 1 < n else None) + f" AS open_{i}" for i in range(n))
    return f"""
SELECT household_id, billed, p AS paid, MAX(billed - p, 0) AS overdue, {opens},
       MAX(IFNULL(c_past, 0) - p, 0) AS past_fen, MAX(IFNULL(c_near, 0) - MAX(p, IFNULL(c_past, 0)), 0) AS near_fen
FROM (
    SELECT due.*, IFNULL(paid.paid, 0) AS p
    FROM (
        SELECT c.household_id, SUM(c.amount_fen) AS billed, {sums},
               SUM(c.amount_fen) FILTER (WHERE c.due_date <= :past) AS c_past,
               SUM(c.amount_fen) FILTER (WHERE c.due_date <= :near) AS c_near
        FROM charges c WHERE {_LIVE_CHARGES} {scope}
        GROUP BY c.household_id
    ) due LEFT JOIN ({_PAID}) paid ON paid.household_id = due.household_id
)"""


@dataclass
class Ageing:
    """Open money by bucket, and the households holding it (a household counts in every bucket it has money in)."""

    fen: dict[str, int]
    households: dict[str, int]
    past_fen: int = 0
    past_households: int = 0

    @classmethod
    def empty(cls) -> Ageing:
        """No open money anywhere."""
        return cls({label: 0 for label in BUCKET_LABELS}, {label: 0 for label in BUCKET_LABELS})

    def add(self, open_fen: Sequence[int], past_fen: int) -> None:
        """Count one household: its open money per bucket (:data:`BUCKET_LABELS` order) and past the limitation period."""
        for label, fen in zip(BUCKET_LABELS, open_fen, strict=True):
            if fen > 0:
                self.fen[label] += fen
                self.households[label] += 1
        if past_fen > 0:
            self.past_fen += past_fen
            self.past_households += 1

    def add_sums(self, row: Any) -> None:
        """Count one row of :func:`totals_sql` (sums and household counts over many households)."""
        for i, label in enumerate(BUCKET_LABELS):
            self.fen[label] += int(row[f"open_{i}"] or 0)
            self.households[label] += int(row[f"homes_{i}"] or 0)
        self.past_fen += int(row["past_fen"] or 0)
        self.past_households += int(row["past_homes"] or 0)


def totals_sql(scope: str = "", group: str = "NULL") -> str:
    """Sums of :func:`household_sql` grouped by ``group`` (an expression over ``x`` and ``a``, the day's assignment of x)."""
    homes = ", ".join(f"SUM(x.open_{i}) AS open_{i}, SUM(x.open_{i} > 0) AS homes_{i}" for i in range(len(BUCKETS)))
    return (
        f"SELECT {group} AS grp, COUNT(*) AS households, SUM(x.billed) AS billed, SUM(x.overdue) AS overdue,"
        f" SUM(x.overdue > 0) AS arrears, {homes}, SUM(x.past_fen) AS past_fen, SUM(x.past_fen > 0) AS past_homes"
        f" FROM ({household_sql(scope)}) x LEFT JOIN assignments a ON a.day = :day AND a.household_id = x.household_id"
        f" GROUP BY grp"
    )


def households(store: Store, day: date, limitation_years: int, warn_days: int = 0, scope: str = "", **params: Any) -> Iterator[Any]:
    """The rows of :func:`household_sql` for ``day``."""
    yield from store.iterate(household_sql(scope), {**cut_params(day, limitation_years, warn_days), **params})


def overdue_by_household(store: Store, today: date) -> dict[str, int]:
    """household_id -> overdue fen, for every household with something overdue at the end of ``today``."""
    sql = (
        "SELECT household_id, MAX(billed - p, 0) AS overdue FROM ("
        f" SELECT c.household_id, SUM(c.amount_fen) AS billed, IFNULL(paid.paid, 0) AS p FROM charges c"
        f" LEFT JOIN ({_PAID}) paid ON paid.household_id = c.household_id WHERE {_LIVE_CHARGES} GROUP BY c.household_id"
        ") WHERE billed > p"
    )
    params = {"day": today.isoformat(), "next_day": (today + timedelta(days=1)).isoformat()}
    return {r["household_id"]: int(r["overdue"]) for r in store.iterate(sql, params)}


@dataclass(frozen=True)
class OpenCharge:
    """A charge with money still open after oldest-first settlement."""

    household_id: str
    charge_id: str
    due_date: date
    period_start: date
    period_end: date
    open_fen: int


def open_charges(store: Store, day: date, household_ids: Iterable[str]) -> Iterator[OpenCharge]:
    """The open charges of these households at the end of ``day``, oldest first per household.

    The same settlement as :func:`household_sql`, charge by charge: a running
    sum in :meth:`~knock.core.allocation.ChargeLine.order_key` order, minus what was paid.
    """
    sql = f"""
WITH run AS (
    SELECT c.household_id, c.charge_id, c.amount_fen, c.due_date, c.period_start, c.period_end, c.item,
           SUM(c.amount_fen) OVER (PARTITION BY c.household_id ORDER BY c.due_date, c.period_start, c.item, c.charge_id
                                   ROWS UNBOUNDED PRECEDING) AS upto,
           (SELECT IFNULL(SUM(l.amount_fen), 0) FROM live_payments l WHERE l.household_id = c.household_id AND l.paid_at < :next_day) AS paid
    FROM charges c WHERE {_LIVE_CHARGES} AND c.household_id IN (SELECT value FROM json_each(:ids))
)
SELECT run.*, MIN(run.amount_fen, run.upto - run.paid) AS open_fen FROM run
WHERE run.upto - run.paid > 0
ORDER BY run.household_id, run.due_date, run.period_start, run.item, run.charge_id
"""
    params = {"day": day.isoformat(), "next_day": (day + timedelta(days=1)).isoformat(), "ids": json.dumps(sorted(set(household_ids)))}
    for r in store.iterate(sql, params):
        yield OpenCharge(
            r["household_id"],
            r["charge_id"],
            date.fromisoformat(r["due_date"]),
            date.fromisoformat(r["period_start"]),
            date.fromisoformat(r["period_end"]),
            int(r["open_fen"]),
        )
