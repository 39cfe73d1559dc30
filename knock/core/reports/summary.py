"""The nightly summary's figures: one day of collection, as the managers read it.

Everything the printout, the CSV/XLSX files and ``--json`` show is computed
here, from the ledger's projections, as typed values (money in fen, rates as
``Decimal``, ledger keys rather than words). The renderers only lay them out.

Figures are "as of the end of ``day``": payments count when they were taken on
or before that day and were not voided, charges count once they fall due. With
a team, the household figures cover the households contracted to that team's
staff on ``day``, and the collector figures cover that team's staff.

Counting is set-based SQL where the figure is a sum, and Python only where a
rule of the domain has to be applied per household: oldest-first settlement
(:func:`knock.core.allocation.settle`), kept/broken promises
(:func:`knock.core.household_facts.promise_status`) and the playbook's
escalation ladder, so the summary can never disagree with the collector's
screen or a receipt.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from knock.core.ageing import months_in
from knock.core.reports import arrears
from knock.core.reports.arrears import BUCKET_LABELS, Ageing
from knock.core.reports.day import door_outcome, door_payments_filter, with_door_payments
from knock.core.reports.status import percent
from knock.core.rooms import natural_key, room_walk_key
from knock.core.store import Store
from knock.core.reports.summary_sync import NoSyncYet, ReviewItem, SyncFacts, UnsyncedDevice
from knock.playbook.content import Text
from knock.settings import Settings

if TYPE_CHECKING:
    from knock.core.accounts import Household

HARD_CASES = 20
"""How many hard cases the meeting page lists."""
SERIES_MAX_DAYS = 92
"""The rate chart shows at most this many days (the most recent ones)."""
UNTOUCHED_DAYS = 7
"""A household in arrears with no contact for this many days counts as untouched."""
LETTER_WEEK_DAYS = 7
"""Letters whose deadline falls within this many days from the report day (the day included)."""

# Households the report covers: all of them, or those contracted to one team's staff that day.
_SCOPE = (
    "(:team IS NULL OR {col} IN (SELECT a.household_id FROM assignments a JOIN staff s ON s.staff_id = a.staff_id"
    " WHERE a.day = :day AND s.team = :team))"
)

_LIVE_PAYMENTS = "SELECT * FROM live_payments WHERE paid_at < :next_day"
"""Payments that count (the schema's ``live_payments``: voided ones drop out), taken by the end of ``:day``.

Day filters are ranges (``at >= :day AND at < :next_day``), the same test as
``substr(at, 1, 10) = :day`` on ISO timestamps, but one an index can serve."""

_ON_DAY = "{col} >= :day AND {col} < :next_day"
"""A timestamp column written on ``:day``."""


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class RatePoint:
    """The collection rate at the end of one day."""

    day: date
    rate_by_households: Decimal
    rate_by_amount: Decimal


@dataclass(frozen=True)
class Headline:
    """Section 1: where the drive stands against its target."""

    billed_households: int
    arrears_households: int
    billed_fen: int
    overdue_fen: int
    rate_by_households: Decimal
    rate_by_amount: Decimal
    target_percent: Decimal
    collected_today_fen: int
    payments_today: int
    households_paid_today: int
    campaign_start: date
    collected_campaign_fen: int
    series: tuple[RatePoint, ...]


@dataclass(frozen=True)
class CollectorDay:
    """Section 2: one collector's day."""

    staff_id: str
    name: str
    team: str
    role: str
    assigned: int
    visited: int
    """Distinct households this collector logged a door visit with, or took a payment from (see knock/core/reports/day.py paid_on)."""
    contacts: int
    outcomes: dict[str, int]
    """Outcome key -> contacts logged with it (every channel), plus ``paid`` once for each household
    counted in ``visited`` only by a door payment (knock/core/reports/day.py with_door_payments)."""
    money_by_method: dict[str, int]
    """Payment method key -> fen taken, voided receipts left out."""
    collected_fen: int
    receipts: int
    """Receipts issued today, voided ones included (each number is accounted for)."""
    receipt_ranges: tuple[str, ...]
    """First–last receipt number per laptop, e.g. ``A1B2C3-000012–A1B2C3-000020``."""
    voids: int
    """Receipts of this collector voided today."""
    cash_on_receipts_fen: int
    cash_counted_fen: int | None
    """What the team lead counted; None when nobody counted (or sync is not available)."""
    counted_by: str
    unsynced_devices: tuple[str, ...]
    """Laptops this collector carried that have not synced today."""

    @property
    def cash_difference_fen(self) -> int | None:
        """Counted minus on receipts: negative is cash missing, positive is cash without a receipt."""
        return None if self.cash_counted_fen is None else self.cash_counted_fen - self.cash_on_receipts_fen


@dataclass(frozen=True)
class TeamDay:
    """Section 2: a team's totals."""

    team: str
    collectors: int
    assigned: int
    visited: int
    contacts: int
    collected_fen: int
    receipts: int
    voids: int
    cash_on_receipts_fen: int
    cash_counted_fen: int | None
    cash_difference_fen: int | None


@dataclass(frozen=True)
class BuildingRow:
    """Section 3: one building."""

    building: str
    billed_households: int
    arrears_households: int
    paid_today_households: int
    collected_today_fen: int
    rate_by_households: Decimal


@dataclass(frozen=True)
class PromiseRow:
    """Section 4: a promise to pay."""

    room: str
    made_by: str
    """The staff member who took the promise."""
    amount_fen: int | None
    window: str
    due_date: date
    made_on: date


@dataclass(frozen=True)
class ComplaintRow:
    """Section 5: one complaint raised at the door."""

    room: str
    category: str
    staff_involved: str
    opened_at: datetime
    opened_by: str
    text: str
    hours_open: int


@dataclass(frozen=True)
class ComplaintSummary:
    """Section 5: new today, open more than a day, counted by category and by staff member."""

    new_today: tuple[ComplaintRow, ...]
    open_over_24h: tuple[ComplaintRow, ...]
    by_category: dict[str, int]
    by_staff: dict[str, int]
    """Staff member named in the complaint -> complaints (new today or still open)."""


@dataclass(frozen=True)
class EscalationRow:
    """Section 6: a household the ladder puts at a letter step."""

    room: str
    step: str
    """``dunning_letter``, ``lawyer_letter`` or ``hand_to_manager`` (to the legal department)."""
    owed_fen: int
    months_owed: int
    reasons: tuple[Text, ...]


@dataclass(frozen=True)
class LetterDeadline:
    """Section 6: a letter whose deadline falls this week."""

    room: str
    step: str
    sent_on: date
    deadline: date
    owed_fen: int


@dataclass(frozen=True)
class QuietHousehold:
    """Section 7: a household in arrears nobody is working on."""

    room: str
    owed_fen: int
    last_contact: date | None


@dataclass(frozen=True)
class LimitationRow:
    """Section 7: a household whose oldest open charge nears the limitation period."""

    room: str
    oldest_due: date
    limit_date: date
    open_fen: int
    """Open money on charges within the warning window."""


@dataclass(frozen=True)
class Risk:
    """Section 7: what may be lost if nobody acts."""

    ageing_fen: dict[str, int]
    ageing_households: dict[str, int]
    """Bucket -> households with open money in it (a household may count in several)."""
    near_limitation: tuple[LimitationRow, ...]
    near_limitation_fen: int
    past_limitation_households: int
    past_limitation_fen: int
    unassigned: tuple[QuietHousehold, ...]
    untouched: tuple[QuietHousehold, ...]
    review_items: tuple[ReviewItem, ...]


@dataclass(frozen=True)
class LastContact:
    """When and how a household was last contacted."""

    on: date
    channel: str
    outcome: str
    by: str


@dataclass(frozen=True)
class HardCase:
    """Section 8: one of the largest and oldest arrears."""

    room: str
    owed_fen: int
    oldest_due: date | None
    months_owed: int
    types: tuple[Text, ...]
    last_contact: LastContact | None
    next_action: Text
    next_action_key: str


@dataclass(frozen=True)
class Summary:
    """The whole nightly summary for one day (and optionally one team)."""

    day: date
    team: str | None
    community: str
    generated_at: datetime
    headline: Headline
    collectors: tuple[CollectorDay, ...]
    devices_not_synced: tuple[UnsyncedDevice, ...]
    """Laptops with nothing merged today; ``staff_ids`` hold the names of who last wrote on them."""
    teams: tuple[TeamDay, ...]
    buildings: tuple[BuildingRow, ...]
    promises_due_tomorrow: tuple[PromiseRow, ...]
    promises_broken_today: tuple[PromiseRow, ...]
    complaints: ComplaintSummary
    escalations: tuple[EscalationRow, ...]
    letter_deadlines: tuple[LetterDeadline, ...]
    risk: Risk
    hard_cases: tuple[HardCase, ...]
    sync_available: bool

    @property
    def is_empty_day(self) -> bool:
        """Nothing happened on the day: no contacts, no payments, no promises due, no complaints."""
        return (
            self.headline.payments_today == 0
            and not any(c.contacts for c in self.collectors)
            and not self.promises_broken_today
            and not self.complaints.new_today
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: fen stay integers, rates and dates become strings, words keep both locales."""
        return _plain(self)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, Text):
        return {"zh": value.zh, "en": value.en}
    if is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, CollectorDay):
            data["cash_difference_fen"] = value.cash_difference_fen
        return data
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --------------------------------------------------------------------------- helpers


def _params(day: date, team: str | None, **more: Any) -> dict[str, Any]:
    return {"day": day.isoformat(), "next_day": (day + timedelta(days=1)).isoformat(), "team": team, **more}


def _rate(part_ok: int, whole: int) -> Decimal:
    return percent(part_ok, whole)


def campaign_start(store: Store, settings: Settings, day: date) -> date:
    """The campaign's first day: ``targets.campaign_start``, else the first day with an assignment, else ``day``."""
    configured = settings.targets.campaign_start
    if configured is not None:
        return min(configured, day)
    first = store.scalar("SELECT MIN(day) FROM assignments WHERE day <= ?", (day.isoformat(),))
    return date.fromisoformat(first) if first else day


# --------------------------------------------------------------------------- the households' state


class _Billed(NamedTuple):
    """One household with something due by the day: what it was billed, what is still overdue, and how old that is."""

    household_id: str
    room: str
    building: str
    billed_fen: int
    paid_fen: int
    """Paid by the end of the day (more than billed: credit)."""
    overdue_fen: int
    open_fen: tuple[int, ...]
    """Open money per ageing bucket, in :data:`~knock.core.reports.arrears.BUCKET_LABELS` order."""
    past_fen: int
    """Open money past the limitation period."""
    near_fen: int
    """Open money that will be past it within ``limitation_warn_days``."""


def _billed(store: Store, settings: Settings, day: date, team: str | None) -> list[_Billed]:
    """Every household in scope with a charge due by ``day``, aged (one pass; the headline, buildings, lists and risk all read it)."""
    e = settings.escalation
    n = len(BUCKET_LABELS)
    sql = (
        f"SELECT x.household_id, h.room, h.building, x.billed, x.paid, x.overdue, {', '.join(f'x.open_{i}' for i in range(n))}, x.past_fen, x.near_fen"
        f" FROM ({arrears.household_sql('AND ' + _SCOPE.format(col='c.household_id'))}) x JOIN households h ON h.household_id = x.household_id"
    )
    return [
        _Billed(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6 : 6 + n]), r[6 + n], r[7 + n])
        for r in store.iterate(sql, {**arrears.cut_params(day, e.limitation_years, e.limitation_warn_days), "team": team})
    ]


# --------------------------------------------------------------------------- section 1


def _rate_series(store: Store, first: date, day: date, team: str | None, state: Sequence[_Billed]) -> tuple[RatePoint, ...]:
    """The rate at the end of each day from ``first`` to ``day``: each day's charges and payments replayed on the state before ``first``.

    That state is the day's (``state``, from :func:`_billed`) less what fell due
    or was paid in the window, so the chart reads only the window's charges and
    payments. A household with nothing due by ``day`` never counts on any day
    of the window, so ``state`` holds every household that can.
    """
    first = max(first, day - timedelta(days=SERIES_MAX_DAYS - 1))
    base = first - timedelta(days=1)
    p = _params(day, team, base=base.isoformat(), after_base=first.isoformat())
    billed: dict[str, int] = {b.household_id: b.billed_fen for b in state}
    paid: dict[str, int] = {b.household_id: b.paid_fen for b in state}
    changes: dict[str, list[tuple[str, int, int]]] = defaultdict(list)  # day -> (household, +billed, +paid)
    for hid, d, fen in store.iterate(
        f"SELECT c.household_id, c.due_date, SUM(c.amount_fen) FROM charges c"
        f" WHERE c.due_date > :base AND c.due_date <= :day AND c.charge_id NOT IN (SELECT charge_id FROM charge_reversals)"
        f" AND {_SCOPE.format(col='c.household_id')} GROUP BY c.household_id, c.due_date",
        p,
    ):
        changes[d].append((hid, fen, 0))
        billed[hid] -= fen
    for hid, d, fen in store.iterate(
        f"SELECT household_id, substr(paid_at, 1, 10) AS d, SUM(amount_fen) FROM ({_LIVE_PAYMENTS})"
        f" WHERE paid_at >= :after_base AND {_SCOPE.format(col='household_id')} GROUP BY household_id, d",
        p,
    ):
        if hid in paid:  # a household with nothing due by the day stays out of every day's count
            changes[d].append((hid, 0, fen))
            paid[hid] -= fen

    n_billed = n_arrears = sum_billed = sum_overdue = 0
    for hid, fen in billed.items():
        over = fen - paid.get(hid, 0)
        n_billed += fen > 0
        sum_billed += fen
        if over > 0:
            n_arrears += 1
            sum_overdue += over
    points = []
    current = first
    while current <= day:
        for hid, plus_billed, plus_paid in changes.get(current.isoformat(), ()):
            was_billed, was_paid = billed.get(hid, 0), paid.get(hid, 0)
            now_billed, now_paid = was_billed + plus_billed, was_paid + plus_paid
            billed[hid], paid[hid] = now_billed, now_paid
            was_over, now_over = max(was_billed - was_paid, 0), max(now_billed - now_paid, 0)
            n_billed += (now_billed > 0) - (was_billed > 0)
            n_arrears += (now_over > 0 and now_billed > 0) - (was_over > 0 and was_billed > 0)
            sum_billed += plus_billed
            sum_overdue += now_over - was_over
        points.append(RatePoint(current, _rate(n_billed - n_arrears, n_billed), _rate(sum_billed - sum_overdue, sum_billed)))
        current += timedelta(days=1)
    return tuple(points)


def _headline(store: Store, settings: Settings, day: date, team: str | None, state: Sequence[_Billed]) -> Headline:
    p = _params(day, team)
    n, arrears = len(state), sum(1 for b in state if b.overdue_fen > 0)
    billed, overdue = sum(b.billed_fen for b in state), sum(b.overdue_fen for b in state)
    today = store.query_one(
        f"SELECT COUNT(*) AS n, COUNT(DISTINCT household_id) AS homes, COALESCE(SUM(amount_fen),0) AS fen FROM ({_LIVE_PAYMENTS})"
        f" WHERE {_ON_DAY.format(col='paid_at')} AND {_SCOPE.format(col='household_id')}",
        p,
    )
    assert today is not None
    start = campaign_start(store, settings, day)
    campaign = store.scalar(
        f"SELECT COALESCE(SUM(amount_fen),0) FROM ({_LIVE_PAYMENTS}) WHERE paid_at >= :start"
        f" AND {_SCOPE.format(col='household_id')}",
        {**p, "start": start.isoformat()},
    )
    return Headline(
        billed_households=n,
        arrears_households=arrears,
        billed_fen=billed,
        overdue_fen=overdue,
        rate_by_households=_rate(n - arrears, n),
        rate_by_amount=_rate(billed - overdue, billed),
        target_percent=settings.targets.collection_rate_percent,
        collected_today_fen=int(today["fen"]),
        payments_today=int(today["n"]),
        households_paid_today=int(today["homes"]),
        campaign_start=start,
        collected_campaign_fen=int(campaign),
        series=_rate_series(store, start, day, team, state),
    )


# --------------------------------------------------------------------------- section 2


def _receipt_ranges(rows: Iterable[Any]) -> tuple[str, ...]:
    by_device: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        by_device[r["device_id"]].append((int(r["receipt_seq"]), r["receipt_no"]))
    ranges = []
    for numbers in by_device.values():
        numbers.sort()
        first, last = numbers[0][1], numbers[-1][1]
        ranges.append(first if first == last else f"{first}–{last}")
    return tuple(sorted(ranges))


def _collectors(store: Store, day: date, team: str | None, sync: SyncFacts, not_synced: Sequence[UnsyncedDevice]) -> tuple[CollectorDay, ...]:
    p = _params(day, team)
    staff_rows = store.query(
        "SELECT staff_id, name, team, role FROM staff WHERE (:team IS NULL OR team = :team) AND staff_id IN ("
        " SELECT staff_id FROM assignments WHERE day = :day"
        f" UNION SELECT collector_id FROM contacts WHERE {_ON_DAY.format(col='at')}"
        f" UNION SELECT collector_id FROM payments WHERE {_ON_DAY.format(col='paid_at')}"
        f" UNION SELECT p.collector_id FROM payment_voids v JOIN payments p ON p.payment_id = v.payment_id WHERE {_ON_DAY.format(col='v.voided_at')})"
        " ORDER BY team, name",
        p,
    )
    assigned = {r["staff_id"]: int(r["n"]) for r in store.query("SELECT staff_id, COUNT(*) AS n FROM assignments WHERE day = :day GROUP BY staff_id", p)}
    contacts: dict[str, list[Any]] = defaultdict(list)
    for r in store.query(f"SELECT collector_id, household_id, channel, outcome FROM contacts WHERE {_ON_DAY.format(col='at')}", p):
        contacts[r["collector_id"]].append(r)
    payments: dict[str, list[Any]] = defaultdict(list)
    for r in store.query(
        "SELECT p.collector_id, p.method, p.amount_fen, p.receipt_no, p.receipt_seq, p.device_id, v.payment_id IS NOT NULL AS voided"
        f" FROM payments p LEFT JOIN payment_voids v ON v.payment_id = p.payment_id WHERE {_ON_DAY.format(col='p.paid_at')}",
        p,
    ):
        payments[r["collector_id"]].append(r)
    voids = {
        r["collector_id"]: int(r["n"])
        for r in store.query(
            "SELECT p.collector_id, COUNT(*) AS n FROM payment_voids v JOIN payments p ON p.payment_id = v.payment_id"
            f" WHERE {_ON_DAY.format(col='v.voided_at')} GROUP BY p.collector_id",
            p,
        )
    }
    door_paid: dict[str, dict[str, str]] = defaultdict(dict)  # household -> paid/part_paid (knock/core/reports/day.py door_payment_outcomes)
    for r in store.query(
        f"SELECT collector_id, household_id, owed_after_fen FROM live_payments WHERE {_ON_DAY.format(col='paid_at')}"
        f" AND {door_payments_filter(store)} ORDER BY paid_at, receipt_seq",
        p,
    ):
        door_paid[r["collector_id"]][r["household_id"]] = door_outcome(int(r["owed_after_fen"]))  # the last payment of the day tells
    counts = sync.cash_counts(day)
    unsynced: dict[str, list[str]] = defaultdict(list)
    for device in not_synced:
        for staff_id in device.staff_ids:
            unsynced[staff_id].append(device.name)
    rows = []
    for s in staff_rows:
        sid = s["staff_id"]
        mine = contacts.get(sid, [])
        at_door = {r["household_id"] for r in mine if r["channel"] == "door"}
        paid = payments.get(sid, [])
        live = [r for r in paid if not r["voided"]]
        by_method: dict[str, int] = defaultdict(int)
        for r in live:
            by_method[r["method"]] += int(r["amount_fen"])
        count = counts.get(sid)
        rows.append(
            CollectorDay(
                staff_id=sid,
                name=s["name"],
                team=s["team"],
                role=s["role"],
                assigned=assigned.get(sid, 0),
                visited=len(at_door | door_paid.get(sid, {}).keys()),  # see paid_on
                contacts=len(mine),
                outcomes=with_door_payments(Counter(r["outcome"] for r in mine), at_door, door_paid.get(sid, {})),
                money_by_method=dict(by_method),
                collected_fen=sum(by_method.values()),
                receipts=len(paid),
                receipt_ranges=_receipt_ranges(paid),
                voids=voids.get(sid, 0),
                cash_on_receipts_fen=by_method.get("cash", 0),
                cash_counted_fen=None if count is None else count.counted_fen,
                counted_by="" if count is None else count.counted_by,
                unsynced_devices=tuple(sorted(unsynced.get(sid, ()))),
            )
        )
    return tuple(rows)


def _teams(collectors: Sequence[CollectorDay]) -> tuple[TeamDay, ...]:
    grouped: dict[str, list[CollectorDay]] = defaultdict(list)
    for c in collectors:
        grouped[c.team].append(c)
    out = []
    for team, members in sorted(grouped.items()):
        counted = [c.cash_counted_fen for c in members if c.cash_counted_fen is not None]
        diffs = [c.cash_difference_fen for c in members if c.cash_difference_fen is not None]
        out.append(
            TeamDay(
                team=team,
                collectors=len(members),
                assigned=sum(c.assigned for c in members),
                visited=sum(c.visited for c in members),
                contacts=sum(c.contacts for c in members),
                collected_fen=sum(c.collected_fen for c in members),
                receipts=sum(c.receipts for c in members),
                voids=sum(c.voids for c in members),
                cash_on_receipts_fen=sum(c.cash_on_receipts_fen for c in members),
                cash_counted_fen=sum(counted) if counted else None,
                cash_difference_fen=sum(d for d in diffs if d is not None) if diffs else None,
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- section 3


def _buildings(store: Store, day: date, team: str | None, state: Sequence[_Billed]) -> tuple[BuildingRow, ...]:
    p = _params(day, team)
    paid_today = {
        r["building"]: (int(r["homes"]), int(r["fen"]))
        for r in store.query(
            f"SELECT h.building, COUNT(DISTINCT x.household_id) AS homes, SUM(x.amount_fen) AS fen FROM ({_LIVE_PAYMENTS}) x"
            f" JOIN households h ON h.household_id = x.household_id"
            f" WHERE {_ON_DAY.format(col='x.paid_at')} AND {_SCOPE.format(col='x.household_id')} GROUP BY h.building",
            p,
        )
    }
    counts: dict[str, list[int]] = {}
    for b in state:
        entry = counts.setdefault(b.building, [0, 0])
        entry[0] += 1
        entry[1] += b.overdue_fen > 0
    rows = []
    for building, (n, arrears) in counts.items():
        homes, fen = paid_today.get(building, (0, 0))
        rows.append(BuildingRow(building, n, arrears, homes, fen, _rate(n - arrears, n)))
    return tuple(sorted(rows, key=lambda b: natural_key(b.building)))


# --------------------------------------------------------------------------- section 4


def _promises(store: Store, day: date, team: str | None) -> tuple[tuple[PromiseRow, ...], tuple[PromiseRow, ...]]:
    from knock.core.household_facts import promise_status

    tomorrow = day + timedelta(days=1)
    p = _params(day, team, tomorrow=tomorrow.isoformat())
    rows = store.query(
        f"SELECT pr.household_id, pr.made_at, pr.due_date, pr.window, pr.amount_fen, h.room, COALESCE(s.name, pr.collector_id) AS who"
        f" FROM promises pr JOIN households h ON h.household_id = pr.household_id LEFT JOIN staff s ON s.staff_id = pr.collector_id"
        f" WHERE pr.due_date IN (:day, :tomorrow) AND pr.made_at < :next_day AND {_SCOPE.format(col='pr.household_id')}",
        p,
    )
    paid: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    ids = sorted({r["household_id"] for r in rows})
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in store.query(
            f"SELECT household_id, paid_at, amount_fen FROM live_payments"
            f" WHERE household_id IN ({marks}) AND paid_at < ? ORDER BY paid_at",
            (*chunk, tomorrow.isoformat()),
        ):
            paid[r["household_id"]].append((datetime.fromisoformat(r["paid_at"]), int(r["amount_fen"])))
    due_tomorrow, broken = [], []
    for r in rows:
        made = datetime.fromisoformat(r["made_at"])
        due = date.fromisoformat(r["due_date"])
        row = PromiseRow(r["room"], r["who"], r["amount_fen"], r["window"], due, made.date())
        # As of the morning after the report day: a promise due today and not kept is broken.
        status = promise_status(made, due, r["amount_fen"], paid[r["household_id"]], tomorrow)
        if due == tomorrow and status != "kept":
            due_tomorrow.append(row)
        elif due == day and status == "broken":
            broken.append(row)
    order = _window_order()
    key = lambda x: (order.get(x.window, 9), _room_key(x.room))  # noqa: E731
    return tuple(sorted(due_tomorrow, key=key)), tuple(sorted(broken, key=key))


def _window_order() -> dict[str, int]:
    from knock.core.ledger import PROMISE_WINDOWS

    return {w: i for i, w in enumerate(PROMISE_WINDOWS)}


def _room_key(room: str) -> tuple[object, ...]:
    return room_walk_key(room)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --------------------------------------------------------------------------- section 5


def _complaints(store: Store, day: date, team: str | None, as_of: datetime) -> ComplaintSummary:
    p = _params(day, team)
    new, stale = [], []
    for r in store.query(
        f"SELECT c.*, h.room, COALESCE(s.name, c.opened_by) AS by_name FROM complaints c JOIN households h ON h.household_id = c.household_id"
        f" LEFT JOIN staff s ON s.staff_id = c.opened_by WHERE c.opened_at < :next_day AND {_SCOPE.format(col='c.household_id')}",
        p,
    ):
        opened = datetime.fromisoformat(r["opened_at"])
        closed = datetime.fromisoformat(r["closed_at"]) if r["closed_at"] else None
        still_open = closed is None or not _before_or_at(closed, as_of)
        hours = int(max((_aware_diff(as_of, opened)).total_seconds(), 0) // 3600)
        row = ComplaintRow(r["room"], r["category"], r["staff_involved"], opened, r["by_name"], r["text"], hours)
        if opened.date() == day:  # new today, even if already closed
            new.append(row)
        elif still_open and hours >= 24:
            stale.append(row)
    counted = [*new, *stale]
    by_category = dict(sorted(Counter(r.category for r in counted).items(), key=lambda kv: (-kv[1], kv[0])))
    by_staff = dict(sorted(Counter(r.staff_involved for r in counted if r.staff_involved).items(), key=lambda kv: (-kv[1], kv[0])))
    return ComplaintSummary(
        tuple(sorted(new, key=lambda r: r.opened_at)), tuple(sorted(stale, key=lambda r: r.opened_at)), by_category, by_staff
    )


def _aware_diff(a: datetime, b: datetime) -> timedelta:
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a - b


def _before_or_at(a: datetime, b: datetime) -> bool:
    return _aware_diff(b, a) >= timedelta(0)


# --------------------------------------------------------------------------- sections 6-8


@dataclass(frozen=True)
class _Owing:
    household_id: str
    room: str
    owed_fen: int


def _owing(state: Sequence[_Billed]) -> list[_Owing]:
    """Every household in arrears as of the day, largest first."""
    rows = sorted((b for b in state if b.overdue_fen > 0), key=lambda b: (-b.overdue_fen, b.room))
    return [_Owing(b.household_id, b.room, b.overdue_fen) for b in rows]


def _escalations(
    store: Store, settings: Settings, day: date, team: str | None, now: datetime, owing: Sequence[_Owing]
) -> tuple[tuple[EscalationRow, ...], tuple[LetterDeadline, ...]]:
    from knock.core.household_facts import facts_for
    from knock.playbook.content import load_playbook
    from knock.playbook.rules import FAILED_CONTACT, escalation_state

    e = settings.escalation
    # The ladder decides, but only for households it could put on a step: one with a lawyer's
    # letter on record (the hand-over to legal has no other condition), or one owing enough
    # months with a letter on record or enough failed contacts and promises to count.
    p = _params(day, None, need=e.dunning_min_failed_contacts)
    failed = ",".join(f"'{o}'" for o in sorted(FAILED_CONTACT))
    lawyer = {r[0] for r in store.query("SELECT household_id FROM escalations WHERE step = 'lawyer_letter' AND at < :next_day", p)}
    counted = {
        r[0]
        for r in store.query(
            "SELECT household_id FROM escalations WHERE at < :next_day"
            " UNION SELECT household_id FROM ("
            f"  SELECT household_id FROM contacts WHERE at < :next_day AND outcome IN ({failed})"
            "  UNION ALL SELECT household_id FROM promises WHERE made_at < :next_day"
            " ) GROUP BY household_id HAVING COUNT(*) >= :need",
            p,
        )
    }
    least_months = min(e.dunning_min_months, e.lawyer_min_months)
    owed = {o.household_id: o for o in owing}
    months_owed = _months_owed(store, day, counted & owed.keys())
    candidates = lawyer | {hid for hid in counted if months_owed.get(hid, 0) >= least_months}
    book = load_playbook()
    rows = []
    chosen = sorted(candidates & owed.keys())
    homes = _households(store, chosen)
    for household_id in chosen:
        household = homes[household_id]
        facts = facts_for(store, household, day, settings, zone=now.tzinfo)
        ladder = escalation_state(facts, settings, now, playbook=book)
        if ladder.step is None:
            continue
        rows.append(EscalationRow(household.room, ladder.step, facts.owed_fen, facts.months_owed, ladder.reasons))
    steps = {"lawyer_letter": 0, "hand_to_manager": 1, "dunning_letter": 2}
    rows.sort(key=lambda r: (steps.get(r.step, 9), -r.owed_fen, _room_key(r.room)))
    week_end = day + timedelta(days=LETTER_WEEK_DAYS - 1)
    deadlines = []
    for r in store.query(
        f"SELECT e.household_id, e.step, e.at, e.deadline, h.room FROM escalations e JOIN households h ON h.household_id = e.household_id"
        f" WHERE e.deadline BETWEEN :day AND :week_end AND e.at < :next_day AND {_SCOPE.format(col='e.household_id')}",
        _params(day, team, week_end=week_end.isoformat()),
    ):
        o = owed.get(r["household_id"])
        deadlines.append(
            LetterDeadline(r["room"], r["step"], date.fromisoformat(r["at"][:10]), date.fromisoformat(r["deadline"]), o.owed_fen if o else 0)
        )
    deadlines.sort(key=lambda d: (d.deadline, _room_key(d.room)))
    return tuple(rows), tuple(deadlines)


def _risk(store: Store, settings: Settings, day: date, team: str | None, state: Sequence[_Billed], owing: Sequence[_Owing], sync: SyncFacts) -> Risk:
    """Section 7: the ageing of what is owed (from the one pass of :func:`_billed`), the limitation period, who nobody works on."""
    p = _params(day, team)
    years = settings.escalation.limitation_years
    ageing = Ageing.empty()
    near_rooms: dict[str, tuple[str, int]] = {}
    for b in state:
        if b.overdue_fen > 0:
            ageing.add(b.open_fen, b.past_fen)
            if b.near_fen > 0:
                near_rooms[b.household_id] = (b.room, b.near_fen)
    # Which charge is the oldest one nearing the limit needs the charges themselves, but only of those few households.
    past_cut = arrears.last_due_at_risk(day, years)
    oldest_near: dict[str, date] = {}
    for charge in arrears.open_charges(store, day, near_rooms):
        if charge.due_date > past_cut and charge.household_id not in oldest_near:
            oldest_near[charge.household_id] = charge.due_date
    near = [LimitationRow(room, oldest_near[hid], _limit(oldest_near[hid], years), fen) for hid, (room, fen) in near_rooms.items()]
    near.sort(key=lambda n: (n.limit_date, _room_key(n.room)))

    assigned = {r["household_id"] for r in store.iterate("SELECT household_id FROM assignments WHERE day = :day", p)}
    since = (day - timedelta(days=UNTOUCHED_DAYS - 1)).isoformat()
    last_contact = {
        r["household_id"]: date.fromisoformat(r["last"][:10])
        for r in store.iterate("SELECT household_id, MAX(at) AS last FROM contacts WHERE at < :next_day GROUP BY household_id", p)
    }
    unassigned, untouched = [], []
    for o in owing:
        last = last_contact.get(o.household_id)
        row = QuietHousehold(o.room, o.owed_fen, last)
        if o.household_id not in assigned:
            unassigned.append(row)
        if last is None or last.isoformat() < since:
            untouched.append(row)
    return Risk(
        ageing_fen=dict(ageing.fen),
        ageing_households=dict(ageing.households),
        near_limitation=tuple(near),
        near_limitation_fen=sum(n.open_fen for n in near),
        past_limitation_households=ageing.past_households,
        past_limitation_fen=ageing.past_fen,
        unassigned=tuple(unassigned),
        untouched=tuple(untouched),
        review_items=tuple(sync.open_review_items(day)),
    )


def _households(store: Store, household_ids: Sequence[str]) -> dict[str, Household]:
    """The households with these ids, read in one query."""
    from knock.core.accounts import Household

    rows = store.iterate("SELECT * FROM households WHERE household_id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(list(household_ids))})
    return {r["household_id"]: Household.from_row(r) for r in rows}


def _months_owed(store: Store, day: date, household_ids: Iterable[str]) -> dict[str, int]:
    """household -> billing months its open charges touch (what the ladder calls months owed)."""
    months: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for charge in arrears.open_charges(store, day, household_ids):
        months[charge.household_id] |= months_in(charge.period_start, charge.period_end)
    return {hid: len(m) for hid, m in months.items()}


def _limit(due: date, years: int) -> date:
    try:
        return due.replace(year=due.year + years)
    except ValueError:  # 29 February
        return due.replace(year=due.year + years, day=28)


def _hard_cases(store: Store, settings: Settings, day: date, now: datetime, owing: Sequence[_Owing]) -> tuple[HardCase, ...]:
    """The largest arrears, the older first among equals, with what the playbook makes of them."""
    from knock.core.accounts import household_by_id
    from knock.core.household_facts import facts_for
    from knock.playbook.content import load_playbook
    from knock.playbook.rules import triage

    book = load_playbook()
    names = {r["staff_id"]: r["name"] for r in store.query("SELECT staff_id, name FROM staff")}
    cases = []
    for o in owing[: HARD_CASES * 3]:
        household = household_by_id(store, o.household_id)
        assert household is not None
        facts = facts_for(store, household, day, settings, zone=now.tzinfo)
        cases.append((facts, household))
    cases.sort(key=lambda fh: (-fh[0].owed_fen, fh[0].oldest_due or day, _room_key(fh[0].room)))
    out = []
    for facts, _household in cases[:HARD_CASES]:
        found = triage(facts, settings, now, playbook=book)
        seen = [c for c in facts.contacts if c.at.date() <= day]
        last = seen[-1] if seen else None
        out.append(
            HardCase(
                room=facts.room,
                owed_fen=facts.owed_fen,
                oldest_due=facts.oldest_due,
                months_owed=facts.months_owed,
                types=tuple(book.types[t.key].name if t.key in book.types else Text(t.key, t.key) for t in found.types[:2]),
                last_contact=None if last is None else LastContact(last.at.date(), last.channel, last.outcome, names.get(last.collector, last.collector)),
                next_action=book.actions[found.next_action.key],
                next_action_key=found.next_action.key,
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- the whole


def end_of_day(day: date, now: datetime) -> datetime:
    """The moment a summary of ``day`` is "as of": now for today, else the end of that day (in now's zone)."""
    if day >= now.date():
        return now
    return datetime.combine(day, time(23, 59, 59), tzinfo=now.tzinfo)


def nightly_summary(
    store: Store,
    settings: Settings,
    day: date,
    *,
    now: datetime,
    team: str | None = None,
    sync: SyncFacts | None = None,
) -> Summary:
    """Compute the whole summary of ``day`` (for one ``team`` if given), as of the end of that day.

    ``now`` is the ledger clock's time; a past day is reported as of its last second.
    """
    sync = sync or NoSyncYet()
    as_of = end_of_day(day, now)
    state = _billed(store, settings, day, team)
    owing = _owing(state)
    names = {r["staff_id"]: (r["name"], r["team"]) for r in store.query("SELECT staff_id, name, team FROM staff")}
    unsynced = tuple(sync.devices_not_synced(day))
    not_synced = tuple(
        UnsyncedDevice(d.device_id, d.name, d.last_synced_at, tuple(names.get(s, (s, ""))[0] for s in d.staff_ids))
        for d in unsynced
        if team is None or any(names.get(s, ("", ""))[1] == team for s in d.staff_ids)
    )
    collectors = _collectors(store, day, team, sync, unsynced)
    due_tomorrow, broken = _promises(store, day, team)
    risk = _risk(store, settings, day, team, state, owing, sync)
    escalations, deadlines = _escalations(store, settings, day, team, as_of, owing)
    community = store.scalar("SELECT name FROM communities ORDER BY rowid LIMIT 1") or ""
    return Summary(
        day=day,
        team=team,
        community=community,
        generated_at=now,
        headline=_headline(store, settings, day, team, state),
        collectors=collectors,
        devices_not_synced=not_synced,
        teams=_teams(collectors),
        buildings=_buildings(store, day, team, state),
        promises_due_tomorrow=due_tomorrow,
        promises_broken_today=broken,
        complaints=_complaints(store, day, team, as_of),
        escalations=escalations,
        letter_deadlines=deadlines,
        risk=risk,
        hard_cases=_hard_cases(store, settings, day, as_of, owing),
        sync_available=sync.available,
    )


def teams(store: Store) -> tuple[str, ...]:
    """Every team name staff belong to (for checking ``--team``)."""
    return tuple(r["team"] for r in store.query("SELECT DISTINCT team FROM staff WHERE team != '' ORDER BY team"))
