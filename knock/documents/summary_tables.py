"""The nightly summary as tables: one list the printout, the CSV files and the workbook all read.

Cells stay typed (:class:`Money` for fen, ``Decimal`` rates, dates, ints,
words), so the PDF can print ``¥1,234.50``, the CSV ``1234.50`` and the
workbook a real number, while all three show the same rows under the same
headers in the report's language.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from knock.core.reports.summary import CollectorDay, ComplaintRow, PromiseRow, QuietHousehold, Summary
from knock.paths import templates_dir
from knock.vocabulary import label

Locale = Literal["zh", "en"]


class Money(NamedTuple):
    """An amount in fen, marked so each output formats it as money."""

    fen: int


Cell = str | int | Decimal | Money | date | datetime | None


@dataclass(frozen=True)
class Table:
    """One table of the summary."""

    key: str
    """Stable name: the CSV file and worksheet are called after it."""
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    section: int
    pdf_limit: int | None = None
    """The printout lists at most this many rows (and says how many more); the files hold all."""
    numeric: frozenset[int] = field(default_factory=frozenset)
    """Columns aligned right."""
    wrap: frozenset[int] = field(default_factory=frozenset)
    """Columns of running text that may wrap; every other column stays on one line."""
    alerts: frozenset[int] = field(default_factory=frozenset)
    """Columns whose non-zero amounts the printout calls out (cash differences)."""
    priority: tuple[int, ...] | None = None
    """Row indices, most important first: when the printout cuts the list, it keeps these (in table order)."""

    @property
    def printed_rows(self) -> tuple[tuple[Cell, ...], ...]:
        """The rows the printout shows."""
        if self.pdf_limit is None or len(self.rows) <= self.pdf_limit:
            return self.rows
        if self.priority is None:
            return self.rows[: self.pdf_limit]
        keep = sorted(self.priority[: self.pdf_limit])
        return tuple(self.rows[i] for i in keep)

    @property
    def hidden(self) -> int:
        """Rows left out of the printout."""
        return len(self.rows) - len(self.printed_rows)


@lru_cache(maxsize=1)
def _all_words() -> dict[str, dict[str, str]]:
    with open(templates_dir() / "documents" / "summary.toml", "rb") as handle:
        return tomllib.load(handle)


def words(locale: Locale) -> dict[str, str]:
    """The summary's words in ``locale``."""
    return _all_words()["en" if locale == "en" else "zh"]


def _numeric(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> frozenset[int]:
    found = set()
    for i in range(len(headers)):
        values = [r[i] for r in rows if r[i] is not None and r[i] != ""]
        if values and all(isinstance(v, (int, Decimal, Money)) for v in values):
            found.add(i)
    return frozenset(found)


_WRAPPING = frozenset({"outcomes", "reason", "text", "description", "receipt_range", "type", "last_contact", "next_action", "opened_by"})
"""Header keys of columns that hold running text."""


def _table(
    key: str, section: int, w: dict[str, str], header_keys: Sequence[str], rows: Sequence[Sequence[Cell]],
    *, title: str | None = None, limit: int | None = None, priority: tuple[int, ...] | None = None,
) -> Table:
    headers = tuple(w[h] for h in header_keys)
    wrap = frozenset(i for i, h in enumerate(header_keys) if h in _WRAPPING)
    alerts = frozenset(i for i, h in enumerate(header_keys) if h == "cash_difference")
    return Table(key, w[title or f"t_{key}"], headers, tuple(tuple(r) for r in rows), section, limit, _numeric(headers, rows), wrap, alerts, priority)


COLLECTORS_PRINTED = 40
"""A community with more collectors prints those that need a look first (cash short or over, laptop not synced,
voids), then the busiest; the files and ``--team`` give every row."""
LIST_PRINTED = 30
"""Longer lists of promises and complaints print their first rows (by time of day, then room; oldest first)."""
BUILDINGS_PRINTED = 40
"""A community with more buildings prints the ones with the lowest rates (in building order)."""


def _collector_priority(collectors: Sequence[CollectorDay]) -> tuple[int, ...]:
    def key(i: int) -> tuple[int, int, int, int, int]:
        c = collectors[i]
        diff = c.cash_difference_fen
        return (0 if diff else 1, 0 if c.unsynced_devices else 1, -c.voids, -c.collected_fen, -c.contacts)

    return tuple(sorted(range(len(collectors)), key=key))


def _outcomes(c: CollectorDay, locale: Locale) -> str:
    sep = "，" if locale == "zh" else ", "
    return sep.join(f"{label('outcomes', k, locale)} {n}" for k, n in sorted(c.outcomes.items(), key=lambda kv: (-kv[1], kv[0])))


def _promise_rows(rows: Sequence[PromiseRow], locale: Locale, w: dict[str, str]) -> list[tuple[Cell, ...]]:
    return [
        (p.room, p.made_by, Money(p.amount_fen) if p.amount_fen is not None else w["amount_open"], label("promise_windows", p.window, locale), p.due_date, p.made_on)
        for p in rows
    ]


def _complaint_rows(rows: Sequence[ComplaintRow], locale: Locale) -> list[tuple[Cell, ...]]:
    return [
        (c.room, label("complaint_categories", c.category, locale), c.staff_involved, c.opened_at, c.opened_by, c.hours_open, c.text)
        for c in rows
    ]


def _quiet_rows(rows: Sequence[QuietHousehold], w: dict[str, str]) -> list[tuple[Cell, ...]]:
    return [(q.room, Money(q.owed_fen), q.last_contact if q.last_contact else w["never"]) for q in rows]


def headline_figures(summary: Summary, locale: Locale) -> Table:
    """Section 1's key figures as a two-column table."""
    w = words(locale)
    h = summary.headline
    rows: list[tuple[Cell, ...]] = [
        (w["rate_households"], h.rate_by_households),
        (w["rate_amount"], h.rate_by_amount),
        (w["target"], h.target_percent),
        (w["billed_households"], h.billed_households),
        (w["arrears_households"], h.arrears_households),
        (w["billed"], Money(h.billed_fen)),
        (w["overdue"], Money(h.overdue_fen)),
        (w["collected_today"], Money(h.collected_today_fen)),
        (w["payments_today"], h.payments_today),
        (w["households_paid_today"], h.households_paid_today),
        (w["campaign_start"], h.campaign_start),
        (w["collected_campaign"], Money(h.collected_campaign_fen)),
    ]
    return Table("headline", w["s1"], (w["figure"], w["value"]), tuple(rows), 1, None, frozenset({1}))


def summary_tables(summary: Summary, locale: Locale = "zh") -> list[Table]:
    """Every table of the summary, in the printout's order."""
    w = words(locale)
    s = summary
    tables = [headline_figures(s, locale)]
    attention = _collector_priority(s.collectors)
    building_priority = tuple(sorted(range(len(s.buildings)), key=lambda i: (s.buildings[i].rate_by_households, i)))
    tables.append(
        Table(
            "rate_per_day",
            w["chart_rate"],
            (w["day"], w["rate_households"], w["rate_amount"]),
            tuple((p.day, p.rate_by_households, p.rate_by_amount) for p in s.headline.series),
            1,
            0,
            frozenset({1, 2}),
        )
    )
    tables.append(
        _table(
            "collectors", 2, w, ("team", "name", "role", "assigned", "visited", "contacts", "outcomes", "receipts", "receipt_range", "voids"),
            [(c.team, c.name, label("roles", c.role, locale), c.assigned, c.visited, c.contacts, _outcomes(c, locale), c.receipts, " ".join(c.receipt_ranges), c.voids) for c in s.collectors],
            limit=COLLECTORS_PRINTED,
            priority=attention,
        )
    )
    methods = _methods(s.collectors)
    tables.append(
        Table(
            "money",
            w["t_money"],
            (w["team"], w["name"], *(label("payment_methods", m, locale) for m in methods), w["total"], w["cash_on_receipts"], w["cash_counted"], w["cash_difference"], w["counted_by"], w["not_synced"]),
            tuple(
                (
                    c.team,
                    c.name,
                    *(Money(c.money_by_method.get(m, 0)) for m in methods),
                    Money(c.collected_fen),
                    Money(c.cash_on_receipts_fen),
                    None if c.cash_counted_fen is None else Money(c.cash_counted_fen),
                    None if c.cash_difference_fen is None else Money(c.cash_difference_fen),
                    c.counted_by,
                    " ".join(c.unsynced_devices),
                )
                for c in s.collectors
            ),
            2,
            COLLECTORS_PRINTED,
            frozenset(range(2, 2 + len(methods) + 4)),
            alerts=frozenset({2 + len(methods) + 3}),
            priority=attention,
        )
    )
    tables.append(
        _table(
            "devices", 2, w, ("device", "last_synced", "last_user"),
            [(d.name, d.last_synced_at if d.last_synced_at else w["never_synced"], " ".join(d.staff_ids)) for d in s.devices_not_synced],
        )
    )
    tables.append(
        _table(
            "teams", 2, w, ("team", "collectors", "assigned", "visited", "contacts", "total", "receipts", "voids", "cash_on_receipts", "cash_counted", "cash_difference"),
            [
                (t.team, t.collectors, t.assigned, t.visited, t.contacts, Money(t.collected_fen), t.receipts, t.voids, Money(t.cash_on_receipts_fen),
                 None if t.cash_counted_fen is None else Money(t.cash_counted_fen), None if t.cash_difference_fen is None else Money(t.cash_difference_fen))
                for t in s.teams
            ],
        )
    )
    tables.append(
        _table(
            "buildings", 3, w, ("building", "billed_households", "arrears_households", "paid_today_households", "collected_today", "rate"),
            [(b.building, b.billed_households, b.arrears_households, b.paid_today_households, Money(b.collected_today_fen), b.rate_by_households) for b in s.buildings],
            title="s3",
            limit=BUILDINGS_PRINTED,
            priority=building_priority,
        )
    )
    promise_headers = ("room", "made_by", "amount", "window", "due_date", "made_on")
    tables.append(_table("promises_tomorrow", 4, w, promise_headers, _promise_rows(s.promises_due_tomorrow, locale, w), limit=LIST_PRINTED))
    tables.append(_table("promises_broken", 4, w, promise_headers, _promise_rows(s.promises_broken_today, locale, w), limit=LIST_PRINTED))
    complaint_headers = ("room", "category", "staff_involved", "opened_at", "opened_by", "hours_open", "text")
    tables.append(_table("complaints_new", 5, w, complaint_headers, _complaint_rows(s.complaints.new_today, locale), limit=LIST_PRINTED))
    tables.append(_table("complaints_stale", 5, w, complaint_headers, _complaint_rows(s.complaints.open_over_24h, locale), limit=LIST_PRINTED))
    tables.append(_table("complaints_category", 5, w, ("category", "count"), [(label("complaint_categories", k, locale), n) for k, n in s.complaints.by_category.items()]))
    tables.append(_table("complaints_staff", 5, w, ("staff_involved", "count"), list(s.complaints.by_staff.items())))
    tables.append(
        _table(
            "escalations", 6, w, ("room", "step", "owed_now", "months_owed", "reason"),
            [(e.room, label("ladder_steps", e.step, locale), Money(e.owed_fen), e.months_owed, "；".join(r.get(locale) for r in e.reasons) if locale == "zh" else "; ".join(r.get(locale) for r in e.reasons)) for e in s.escalations],
            limit=40,
        )
    )
    tables.append(
        _table(
            "deadlines", 6, w, ("room", "step", "sent_on", "deadline", "owed_now"),
            [(d.room, label("escalation_steps", d.step, locale), d.sent_on, d.deadline, Money(d.owed_fen)) for d in s.letter_deadlines],
            limit=40,
        )
    )
    r = s.risk
    tables.append(
        _table(
            "ageing", 7, w, ("bucket", "households", "open_amount"),
            [(k, r.ageing_households[k], Money(v)) for k, v in r.ageing_fen.items()]
            + [(w["past_limitation"], r.past_limitation_households, Money(r.past_limitation_fen))],
        )
    )
    tables.append(
        _table("limitation", 7, w, ("room", "oldest_due", "limit_date", "open_amount"), [(n.room, n.oldest_due, n.limit_date, Money(n.open_fen)) for n in r.near_limitation], limit=30)
    )
    tables.append(_table("unassigned", 7, w, ("room", "owed_now", "last_contact"), _quiet_rows(r.unassigned, w), limit=24))
    tables.append(_table("untouched", 7, w, ("room", "owed_now", "last_contact"), _quiet_rows(r.untouched, w), limit=24))
    tables.append(
        _table("review", 7, w, ("kind", "description", "device", "opened_at"), [(label("sync_flags", i.kind, locale), i.description, i.device_name, i.opened_at) for i in r.review_items], limit=30)
    )
    tables.append(
        _table(
            "hard_cases", 8, w, ("room", "overdue", "oldest_due", "months_owed", "type", "last_contact", "next_action"),
            [
                (
                    h.room,
                    Money(h.owed_fen),
                    h.oldest_due,
                    h.months_owed,
                    " / ".join(t.get(locale) for t in h.types),
                    _last_contact(h, locale, w),
                    h.next_action.get(locale),
                )
                for h in s.hard_cases
            ],
        )
    )
    return tables


def _methods(collectors: Sequence[CollectorDay]) -> list[str]:
    """Payment methods to show as columns: cash always, then every method used today, in the vocabulary's order."""
    from knock.vocabulary import keys

    used = {m for c in collectors for m, fen in c.money_by_method.items() if fen}
    return [m for m in keys("payment_methods") if m == "cash" or m in used] + sorted(used - set(keys("payment_methods")))


def _last_contact(h: Any, locale: Locale, w: dict[str, str]) -> str:
    c = h.last_contact
    if c is None:
        return w["never"]
    how = label("channels", c.channel, locale)
    what = label("outcomes", c.outcome, locale)
    return f"{c.on.isoformat()} {how}·{what}（{c.by}）" if locale == "zh" else f"{c.on.isoformat()} {how}: {what} ({c.by})"


def by_key(tables: Sequence[Table]) -> dict[str, Table]:
    """The tables by their key."""
    return {t.key: t for t in tables}
