"""The sample community: planned from a seed, then written through the ledger.

Building a sample is two steps. :func:`plan_sample` is a pure function of the
seed, the sizes, the fee settings and "now": it returns frozen plans for the
staff, every household, its bills, payments and collection history. The
builder then writes that plan through the ledger's bulk path (the same actions and rules
as the :class:`Ledger` methods, appended in batches) inside one transaction, so the sample
obeys every rule a real ledger does (promises
due after they were made, the daily contact cap, oldest-first allocation) and
a failure leaves the home empty. The same seed always gives the same plan;
only event ids and write times differ between two builds.

All history is dated relative to "now", so the sample always looks current:
paid-up homes are billed per quarter for the last four quarters and paid in
full; homes in arrears are billed monthly for the months they owe (1 to 24,
most owe few) and carry a history that shows one debtor type each.
"""

from __future__ import annotations

import hashlib

import random
import time as _time
from collections import Counter
from functools import cached_property, lru_cache
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from knock.core.bulk import LedgerBatch, paused_cycle_collection
from knock.core.errors import LedgerError
from knock.core.ledger import Ledger
from knock.core.money import apply_rate, parse_yuan
from knock.core.signing import DeviceKey, ReceiptFields, receipt_signed_bytes
from knock.sample import names
from knock.settings import Settings

SITUATIONS: tuple[str, ...] = (
    "not_yet_paid",
    "agrees_no_show",
    "unreachable",
    "defect_dispute",
    "vacant",
    "soured",
    "busy_away",
    "wilful_refusal",
)
"""Debtor types (the playbook's keys) a household in arrears is given a history for."""

PAID_UP = "paid_up"
"""The situation of households that owe nothing."""

SITUATION_SHARE: dict[str, float] = {
    "wilful_refusal": 0.06,
    "agrees_no_show": 0.08,
    "defect_dispute": 0.02,
    "vacant": 0.06,
    "soured": 0.03,
    "unreachable": 0.08,
    "busy_away": 0.07,
}
"""Share of the arrears households per special debtor type (at least one each when there is room);
the rest are plain not-yet-paid. The order is the order of priority for small samples."""

ROLE_TEAMS: dict[str, str] = {
    "manager": "经理室",
    "guard": "秩序维护部",
    "cleaner": "环境部",
    "maintenance": "工程部",
    "customer_service": "客服部",
}
"""Each role's department, used as the staff member's team."""

REFUSAL_REASONS: dict[str, tuple[str, ...]] = {
    "agrees_no_show": ("pay_next_week",),
    "busy_away": ("no_time",),
    "vacant": ("not_living_here",),
    "defect_dispute": ("wall_cracks",),
    "soured": ("staff_rude",),
    "wilful_refusal": ("what_can_you_do", "neighbours_first"),
}
"""The ``reason`` the sample writes on contacts, per debtor type: objection keys of the playbook
(knock/templates/playbook/objections.yaml), so the rules recognise what the owner said."""

_DEFECTS = (
    "客厅墙面开裂，开发商答应修补至今未修",
    "卧室窗户渗水，下雨天墙角发霉",
    "卫生间楼板渗漏到楼下",
    "外墙保温层脱落，阳台墙面空鼓",
    "入户门变形关不严，交房时就有问题",
)
_STAFF_COMPLAINTS = (
    "保安在停车问题上态度粗暴，和业主发生争执",
    "保洁把放在走廊的纸箱当垃圾清走了",
    "报修水管漏水，维修工三天后才上门",
    "物业人员上门催费时语气不好",
)
_RESOLUTIONS = (
    "已向业主当面道歉，对当事人进行了批评教育",
    "经理上门说明情况并道歉，业主表示接受",
    "已调整当事人岗位，并电话回访业主",
)
_VACANT_NOTES = ("房屋空置，尚未入住", "业主在外地，房子一直空着", "房子买来投资，一直没装修")
_AWAY_NOTES = ("业主在外地工作，一年回来一两次", "业主常驻国外，房子由亲戚偶尔照看")
_BUSY_NOTES = ("业主工作忙，早出晚归", "业主做生意，白天基本不在家")
_PROMISE_NOTES = ("业主说过几天到物业中心交费", "业主答应这周末交", "业主说发了工资就交", "业主说等家人回来一起交")


# -- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffPlan:
    """One staff member to register."""

    name: str
    role: str
    team: str
    phone: str


@dataclass(frozen=True)
class ChargePlan:
    """One bill."""

    item: str
    period_start: date
    period_end: date
    due_date: date
    amount_fen: int


@dataclass(frozen=True)
class PaymentPlan:
    """One payment; ``collector`` indexes :attr:`SamplePlan.staff`."""

    at: datetime
    amount_fen: int
    method: str
    collector: int


@dataclass(frozen=True)
class ContactPlan:
    """One contact attempt, with the promise made in it if any."""

    at: datetime
    channel: str
    outcome: str
    collector: int
    reason: str = ""
    note: str = ""
    promise_due: date | None = None
    promise_window: str = ""
    promise_amount_fen: int | None = None


@dataclass(frozen=True)
class ComplaintPlan:
    """A complaint, closed when ``closed_at`` is set."""

    at: datetime
    category: str
    text: str
    author: int
    staff_involved: str = ""
    closed_at: datetime | None = None
    resolution: str = ""


@dataclass(frozen=True)
class EscalationPlan:
    """A dunning letter or a lawyer's letter."""

    at: datetime
    step: str
    author: int
    deadline: date
    note: str


@dataclass(frozen=True)
class HouseholdPlan:
    """One home, its owner and its whole history."""

    room: str
    owner_name: str
    gender: str
    phones: tuple[str, ...]
    area_centi_m2: int
    occupancy: str
    notes: str
    tags: tuple[str, ...]
    parking: bool
    situation: str
    """``paid_up`` or one of :data:`SITUATIONS`."""
    months_owed: int
    collector: int | None
    """The staff member this arrears household is contracted to (index into the staff plan)."""
    charges: tuple[ChargePlan, ...] = ()
    payments: tuple[PaymentPlan, ...] = ()
    complaints: tuple[ComplaintPlan, ...] = ()
    contacts: tuple[ContactPlan, ...] = ()
    escalations: tuple[EscalationPlan, ...] = ()


@dataclass(frozen=True)
class SamplePlan:
    """Everything :func:`build_sample` writes."""

    seed: int
    now: datetime
    community: str
    address: str
    buildings: int
    staff: tuple[StaffPlan, ...]
    households: tuple[HouseholdPlan, ...]


@dataclass(frozen=True)
class SampleSummary:
    """What was built: sizes, debtor situations and how long it took."""

    community: str
    address: str
    seed: int
    today: date
    buildings: int
    households: int
    arrears_households: int
    staff: int
    staff_by_role: dict[str, int]
    situations: dict[str, int]
    """Households per debtor situation (``paid_up`` plus :data:`SITUATIONS`)."""
    lawyer_letters: int
    charges: int
    payments: int
    contacts: int
    promises: int
    complaints: int
    escalations: int
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "community": self.community,
            "address": self.address,
            "seed": self.seed,
            "today": self.today.isoformat(),
            "buildings": self.buildings,
            "households": self.households,
            "arrears_households": self.arrears_households,
            "staff": self.staff,
            "staff_by_role": dict(self.staff_by_role),
            "situations": dict(self.situations),
            "lawyer_letters": self.lawyer_letters,
            "charges": self.charges,
            "payments": self.payments,
            "contacts": self.contacts,
            "promises": self.promises,
            "complaints": self.complaints,
            "escalations": self.escalations,
            "seconds": round(self.seconds, 2),
        }


# -- calendar helpers --------------------------------------------------------------------------



def tenant_phones(room: str, occupancy: str, phones: tuple[str, ...]) -> list[dict[str, str]]:
    """A let home has the tenant's number on file too; in one of four the only number given is the tenant's.

    Derived from the room alone (no draw from the random stream), so the rest of
    the community is the same with or without it. Reminders never text these.
    """
    if occupancy != "rented":
        return []
    digest = hashlib.sha256(room.encode()).digest()
    tenant = "139" + "".join(str(b % 10) for b in digest[:8])
    shared = phones[:1] if phones and digest[8] % 4 == 0 else ()
    return [{"number": tenant, "role": "tenant"}, *({"number": n, "role": "tenant"} for n in shared)]

def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@lru_cache(maxsize=None)
def _month_end(year: int, month: int) -> date:
    y, m = _shift_month(year, month, 1)
    return date(y, m, 1) - timedelta(days=1)


def _latest_due_month(today: date, due_day: int) -> tuple[int, int]:
    """The newest billing month whose due date has come."""
    if today.day >= due_day:
        return today.year, today.month
    return _shift_month(today.year, today.month, -1)


# -- planning ----------------------------------------------------------------------------------


def default_sizes(households: int, arrears: int | None = None, staff: int | None = None, buildings: int | None = None) -> tuple[int, int, int]:
    """(arrears, staff, buildings), scaling any left out like the default 1,800-home community."""
    if arrears is None:
        arrears = households // 3
    if staff is None:
        staff = max(1, round(households * 58 / 1800))
    if buildings is None:
        buildings = max(1, round(households / 100))
    return arrears, staff, buildings


def _months_owed(rng: random.Random) -> int:
    """Skewed: most owe one to three months, a long tail owes one to two years."""
    r = rng.random()
    if r < 0.24:
        return 1
    if r < 0.40:
        return 2
    if r < 0.52:
        return 3
    if r < 0.70:
        return rng.randint(4, 6)
    if r < 0.84:
        return rng.randint(7, 11)
    return rng.randint(12, 24)


def _room_codes(rng: random.Random, households: int, buildings: int) -> list[str]:
    """``building-unit-room`` codes: 2-3 units per building, 2 homes per floor, filled floor by floor."""
    codes: list[str] = []
    base, extra = divmod(households, buildings)
    for b in range(1, buildings + 1):
        wanted = base + (1 if b <= extra else 0)
        units = rng.choice((2, 3))
        floors = -(-wanted // (units * 2))
        if floors > 33:
            units = -(-wanted // (33 * 2))
            floors = -(-wanted // (units * 2))
        made = 0
        for floor in range(1, floors + 1):
            for unit in range(1, units + 1):
                for door in (1, 2):
                    if made < wanted:
                        codes.append(f"{b}-{unit}-{floor * 100 + door}")
                        made += 1
    return codes


def _plan_staff(rng: random.Random, count: int) -> list[StaffPlan]:
    """About two thirds guards and cleaners, one manager per twenty staff (at least one)."""
    managers = max(1, round(count / 20)) if count else 0
    rest = count - managers
    guards = round(rest * 0.42)
    cleaners = round(rest * 0.28)
    maintenance = round(rest * 0.12)
    service = rest - guards - cleaners - maintenance
    roles = ["manager"] * managers + ["guard"] * guards + ["cleaner"] * cleaners + ["maintenance"] * maintenance + ["customer_service"] * service
    seen: set[str] = set()
    plans = []
    for role in roles:
        name, _ = names.person(rng)
        while name in seen:
            name, _ = names.person(rng)
        seen.add(name)
        plans.append(StaffPlan(name, role, ROLE_TEAMS[role], names.mobile(rng)))
    return plans


def _situation_counts(arrears: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    left = arrears
    for key, share in SITUATION_SHARE.items():
        n = min(left, max(1, round(share * arrears)))
        counts[key] = n
        left -= n
    counts["not_yet_paid"] = left
    return counts


class _Planner:
    """Builds one household's bills, payments and history (a helper of :func:`plan_sample`)."""

    def __init__(self, rng: random.Random, now: datetime, settings: Settings, staff: list[StaffPlan]) -> None:
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.tz = now.tzinfo
        self.settings = settings
        self.rate = settings.fees.property_fee_per_m2_month
        self.parking_fen = parse_yuan(settings.fees.parking_per_month)
        self.due_day = settings.fees.due_day_of_month
        self._fees: dict[int, int] = {}
        self.staff = staff
        by_role: dict[str, list[int]] = {}
        for i, s in enumerate(staff):
            by_role.setdefault(s.role, []).append(i)
        self.managers = by_role.get("manager") or list(range(len(staff)))
        self.office = by_role.get("customer_service") or list(range(len(staff)))
        self.field_staff = [i for i, s in enumerate(staff) if s.role != "manager"] or list(range(len(staff)))
        self.frontline = by_role.get("guard", []) + by_role.get("cleaner", [])

    # time helpers

    def _at(self, day: date, start: time, end: time) -> datetime:
        """A time on ``day`` between ``start`` and ``end``, on a five-minute step, never after now.

        Clipped to the company's quiet hours, which the ledger refuses: a company
        that starts them at 21:00 gets sample visits that end before 21:00.
        """
        lo = start.hour * 60 + start.minute
        hi = end.hour * 60 + end.minute
        c = self.settings.contact
        quiet_from, quiet_to = c.quiet_start.hour * 60 + c.quiet_start.minute, c.quiet_end.hour * 60 + c.quiet_end.minute
        if lo < quiet_from <= hi:
            hi = max(lo, quiet_from - 5)
        if lo < quiet_to <= hi:
            lo = quiet_to
        minute = lo + 5 * self.rng.randrange((hi - lo) // 5 + 1)
        when = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)
        return min(when, self.now - timedelta(minutes=5))

    def _days_ago(self, n: int) -> date:
        return self.today - timedelta(days=max(1, n))

    def _visit(self, day: date) -> datetime:
        """Door visits: 19:00-21:30 on weekdays and Saturday, Sunday afternoon."""
        if day.weekday() == 6:
            return self._at(day, time(14, 0), time(17, 0))
        return self._at(day, time(19, 0), time(21, 15))

    def _call(self, day: date) -> datetime:
        """Collection calls go on the nearest Friday or Saturday afternoon on or before ``day``."""
        while day.weekday() not in (4, 5):
            day -= timedelta(days=1)
        return self._at(day, time(14, 0), time(17, 30))

    def _office_hours(self, day: date) -> datetime:
        return self._at(day, time(8, 30), time(20, 0))

    # money

    def monthly_fee(self, area_centi_m2: int) -> int:
        """Property fee for one month: area × rate (centi-m² × yuan/m² is fen); remembered per area
        (a Decimal product per bill was a tenth of the planning)."""
        fee = self._fees.get(area_centi_m2)
        if fee is None:
            fee = self._fees[area_centi_m2] = apply_rate(area_centi_m2, self.rate)
        return fee

    def _charges_for(self, start: date, end: date, due: date, months: int, area: int, parking: bool) -> list[ChargePlan]:
        lines = [ChargePlan("property_fee", start, end, due, self.monthly_fee(area) * months)]
        if parking:
            lines.append(ChargePlan("parking", start, end, due, self.parking_fen * months))
        return lines

    def _method_and_collector(self, vacant: bool) -> tuple[str, int]:
        methods = ("wechat", "alipay", "bank_transfer", "card") if vacant else ("wechat", "alipay", "cash", "bank_transfer", "card")
        weights = (4, 3, 2, 1) if vacant else (35, 25, 15, 15, 10)
        method = self.rng.choices(methods, weights)[0]
        pool = self.field_staff if method == "cash" and self.rng.random() < 0.6 else self.office
        return method, self.rng.choice(pool)

    def _payment(self, day: date, amount: int, vacant: bool) -> PaymentPlan:
        day = min(day, self._days_ago(1))
        method, collector = self._method_and_collector(vacant)
        return PaymentPlan(self._office_hours(day), amount, method, collector)

    @cached_property
    def _paid_up_quarters(self) -> tuple[tuple[date, date, date], ...]:
        """(start, end, due) of the four quarters a paid-up home was billed for: the same for every home."""
        y, m = _latest_due_month(self.today, self.due_day)
        y, m = _shift_month(y, m, -((m - 1) % 3))  # first month of that quarter
        if date(y, m, self.due_day) > self.today:
            y, m = _shift_month(y, m, -3)
        quarters = []
        for back in (9, 6, 3, 0):
            qy, qm = _shift_month(y, m, -back)
            ey, em = _shift_month(qy, qm, 2)
            quarters.append((date(qy, qm, 1), _month_end(ey, em), date(qy, qm, self.due_day)))
        return tuple(quarters)

    def paid_up(self, area: int, parking: bool, vacant: bool) -> tuple[list[ChargePlan], list[PaymentPlan]]:
        """Four quarters billed in advance and paid in full: per quarter, half-year or year."""
        quarters = [self._charges_for(start, end, due, 3, area, parking) for start, end, due in self._paid_up_quarters]
        per = self.rng.choices((1, 2, 4), (25, 25, 50))[0]  # quarters per payment: most pay the year at once
        payments = []
        for first in range(0, 4, per):
            group = quarters[first:first + per]
            due = group[0][0].due_date
            day = due + timedelta(days=self.rng.randint(-15, 25))
            payments.append(self._payment(day, sum(c.amount_fen for q in group for c in q), vacant))
        return [c for q in quarters for c in q], payments

    def arrears(self, area: int, parking: bool, months: int, partial: bool, vacant: bool) -> tuple[list[ChargePlan], list[PaymentPlan]]:
        """Monthly bills for the months owed; before them a paid quarter unless the debt is old."""
        y, m = _latest_due_month(self.today, self.due_day)
        charges: list[ChargePlan] = []
        payments: list[PaymentPlan] = []
        fy, fm = _shift_month(y, m, -(months - 1))
        if months <= 12:
            py, pm = _shift_month(fy, fm, -3)
            ey, em = _shift_month(fy, fm, -1)
            prior = self._charges_for(date(py, pm, 1), _month_end(ey, em), date(py, pm, self.due_day), 3, area, parking)
            charges += prior
            payments.append(self._payment(prior[0].due_date + timedelta(days=self.rng.randint(-10, 20)), sum(c.amount_fen for c in prior), vacant))
        for back in range(months - 1, -1, -1):
            cy, cm = _shift_month(y, m, -back)
            charges += self._charges_for(date(cy, cm, 1), _month_end(cy, cm), date(cy, cm, self.due_day), 1, area, parking)
        if partial:
            first_due = date(fy, fm, self.due_day)
            share = self.rng.choice((3, 4, 5, 6, 7, 8))
            amount = max(100, self.monthly_fee(area) * share // 1000 * 100)
            span = max(1, (self.today - first_due).days - 1)
            payments.append(self._payment(first_due + timedelta(days=self.rng.randint(1, span)), amount, vacant))
        return charges, payments


def iter_sample(
    *,
    seed: int = 1,
    households: int = 1800,
    arrears: int | None = None,
    staff: int | None = None,
    buildings: int | None = None,
    now: datetime,
    settings: Settings | None = None,
) -> tuple[SamplePlan, Iterator[HouseholdPlan]]:
    """The sample's head (community, staff; no households yet) and an iterator over its households.

    Households are planned one at a time as the iterator is consumed, so a
    100,000-home build never holds the whole plan in memory. The iterator
    draws from the same random stream as the head: consume it once, in order.
    """
    arrears, staff, buildings = default_sizes(households, arrears, staff, buildings)
    if households < 1:
        raise LedgerError("a sample needs at least one household")
    if not 0 <= arrears <= households:
        raise LedgerError(f"households in arrears ({arrears}) must be between 0 and the number of households ({households})")
    if staff < 1:
        raise LedgerError("a sample needs at least one staff member")
    if not 1 <= buildings <= households:
        raise LedgerError(f"buildings ({buildings}) must be between 1 and the number of households ({households})")
    settings = settings or Settings()
    rng = random.Random(seed)
    community, address = names.community_name_and_address(rng)
    staff_plans = _plan_staff(rng, staff)
    planner = _Planner(rng, now, settings, staff_plans)
    rooms = _room_codes(rng, households, buildings)

    in_arrears = sorted(rng.sample(range(households), arrears))
    situation_of: dict[int, str] = {}
    order = in_arrears[:]
    rng.shuffle(order)
    cursor = 0
    for key, n in _situation_counts(arrears).items():
        for index in order[cursor:cursor + n]:
            situation_of[index] = key
        cursor += n
    collectors = planner.field_staff
    collector_of = {index: collectors[i % len(collectors)] for i, index in enumerate(order)}
    wilful = [i for i in order if situation_of[i] == "wilful_refusal"]
    lawyered = set(wilful[: max(1, round(len(wilful) * 0.3))]) if wilful else set()

    def each() -> Iterator[HouseholdPlan]:
        for index, room in enumerate(rooms):
            situation = situation_of.get(index, PAID_UP)
            yield _plan_household(planner, room, situation, collector_of.get(index), index in lawyered)

    return SamplePlan(seed, now, community, address, buildings, tuple(staff_plans), ()), each()


def plan_sample(
    *,
    seed: int = 1,
    households: int = 1800,
    arrears: int | None = None,
    staff: int | None = None,
    buildings: int | None = None,
    now: datetime,
    settings: Settings | None = None,
) -> SamplePlan:
    """The whole sample as frozen data: a pure function of its arguments.

    Sizes left out scale with ``households`` like the default community
    (1,800 homes, 600 in arrears, 58 staff, 18 buildings).
    """
    head, each = iter_sample(seed=seed, households=households, arrears=arrears, staff=staff, buildings=buildings, now=now, settings=settings)
    return replace(head, households=tuple(each))


def _plan_household(p: _Planner, room: str, situation: str, collector: int | None, lawyer: bool) -> HouseholdPlan:
    rng = p.rng
    owner, gender = names.person(rng)
    area = rng.randint(6000, 16000) + rng.choice((0, 0, rng.randrange(100)))
    parking = rng.random() < 0.15
    r = rng.random()
    phones: tuple[str, ...] = (names.mobile(rng),) if r < 0.82 else (names.mobile(rng), names.mobile(rng)) if r < 0.97 else ()
    occupancy = "occupied"
    notes = ""
    tags: tuple[str, ...] = ()
    if situation == PAID_UP:
        r = rng.random()
        occupancy = "vacant" if r < 0.03 else "rented" if r < 0.13 else "occupied"
        charges, payments = p.paid_up(area, parking, occupancy == "vacant")
        return HouseholdPlan(room, owner, gender, phones, area, occupancy, notes, tags, parking, situation, 0, None, tuple(charges), tuple(payments))

    assert collector is not None
    months = _months_owed(rng)
    if situation == "wilful_refusal":
        months = rng.randint(6, 24)
    elif situation in ("defect_dispute", "vacant", "soured"):
        months = max(months, rng.randint(3, 12))
    elif situation == "agrees_no_show":
        months = max(months, 2)
    if situation == "vacant":
        occupancy = "vacant"
        notes = rng.choice(_VACANT_NOTES)
        phones = phones or (names.mobile(rng),)
    elif situation == "unreachable" and rng.random() < 0.4:
        phones = ()
    elif situation == "busy_away":
        r = rng.random()
        if r < 0.4:
            tags = ("away",)
            notes = rng.choice(_AWAY_NOTES)
        elif r < 0.6:
            occupancy = "rented"
            notes = "房屋出租，业主住在别处"
        else:
            notes = rng.choice(_BUSY_NOTES)
        phones = phones or (names.mobile(rng),)
    else:
        # Only the unreachable go without a phone: the playbook reads "no phone, never reached" as unreachable.
        phones = phones or (names.mobile(rng),)
    partial = situation in ("not_yet_paid", "busy_away") and months >= 2 and rng.random() < 0.15
    charges, payments = p.arrears(area, parking, months, partial, occupancy == "vacant")
    history = _History(p, collector, bool(phones))
    owed = sum(c.amount_fen for c in charges) - sum(x.amount_fen for x in payments)
    getattr(history, situation)(owed=owed, lawyer=lawyer)
    return HouseholdPlan(
        room, owner, gender, phones, area, occupancy, notes, tags, parking, situation, months, collector,
        tuple(charges), tuple(payments), tuple(history.complaints), tuple(sorted(history.contacts, key=lambda c: c.at)),
        tuple(history.escalations),
    )


class _History:
    """One arrears household's contacts, promises, complaints and letters, by debtor type."""

    def __init__(self, planner: _Planner, collector: int, has_phone: bool) -> None:
        self.p = planner
        self.rng = planner.rng
        self.collector = collector
        self.has_phone = has_phone
        self.contacts: list[ContactPlan] = []
        self.complaints: list[ComplaintPlan] = []
        self.escalations: list[EscalationPlan] = []
        self._per_day: Counter[date] = Counter()

    def _contact(self, days_ago: int, channel: str, outcome: str, *, reason: str = "", note: str = "", **promise: Any) -> ContactPlan:
        """Log a contact ``days_ago`` days back (moved further back if that day is full)."""
        day = self.p._days_ago(days_ago)
        while True:
            at = self.p._call(day) if channel == "phone" else self.p._visit(day) if channel == "door" else self.p._office_hours(day)
            if self._per_day[at.date()] < 2:
                break
            day -= timedelta(days=1)
        self._per_day[at.date()] += 1
        contact = ContactPlan(at, channel, outcome, self.collector, reason, note, **promise)
        self.contacts.append(contact)
        return contact

    def _spread(self, count: int, oldest: int, newest: int) -> list[int]:
        """``count`` distinct day offsets between ``newest`` and ``oldest`` days ago, oldest first."""
        span = range(newest, max(oldest, newest + count) + 1)
        return sorted(self.rng.sample(span, count), reverse=True)

    def not_yet_paid(self, **_: Any) -> None:
        """A reminder SMS on the reminder day of the month, when there is a phone."""
        if self.has_phone and self.rng.random() < 0.7:
            today = self.p.today
            day = date(today.year, today.month, self.p.settings.contact.reminder_day_of_month)
            if day >= today:
                y, m = _shift_month(today.year, today.month, -1)
                day = date(y, m, day.day)
            self._contact((today - day).days, "sms", "note", note="缴费提醒短信已发送")

    def agrees_no_show(self, *, owed: int, **_: Any) -> None:
        """Two to four promises in past weeks, each past due and unpaid (broken)."""
        ago = self.rng.randint(7, 12)
        offsets = []
        for _ in range(self.rng.randint(2, 4)):
            offsets.append(ago)
            ago += self.rng.randint(6, 12)
        for ago in reversed(offsets):
            channel = "phone" if self.rng.random() < 0.4 else "door"
            contact = self._contact(ago, channel, "promised", reason="pay_next_week", note=self.rng.choice(_PROMISE_NOTES))
            due = min(contact.at.date() + timedelta(days=self.rng.randint(2, 5)), self.p._days_ago(1))
            self.contacts[-1] = replace(
                contact, promise_due=due, promise_window=self.rng.choice(("morning", "afternoon", "evening")),
                promise_amount_fen=owed if self.rng.random() < 0.5 else None,
            )

    def unreachable(self, **_: Any) -> None:
        """Three to six failed attempts: nobody home, phone off, number gone."""
        wrong_done = False
        for ago in self._spread(self.rng.randint(3, 6), 60, 3):
            if self.has_phone and self.rng.random() < 0.5:
                outcome = "wrong_number" if not wrong_done and self.rng.random() < 0.3 else "unreachable"
                wrong_done = wrong_done or outcome == "wrong_number"
                self._contact(ago, "phone", outcome, note="电话关机" if outcome == "unreachable" else "号码已停机或为空号")
            else:
                self._contact(ago, "door", "not_home", note="敲门无人应答，门上留了缴费通知")

    def defect_dispute(self, **_: Any) -> None:
        """An open building-defect complaint, then refusals until it is repaired."""
        ago = self.rng.randint(60, 200)
        text = self.rng.choice(_DEFECTS)
        contact = self._contact(ago, "door", "complaint", reason="wall_cracks", note=text)
        self.complaints.append(ComplaintPlan(contact.at, "defect", text, self.collector))
        for later in self._spread(self.rng.randint(1, 2), ago - 10, 5):
            self._contact(later, "door", "refused", reason="wall_cracks", note="业主表示房子问题不解决不交物业费")

    def vacant(self, **_: Any) -> None:
        """Nobody home at visits; on the phone: "I don't live there"."""
        offsets = self._spread(self.rng.randint(2, 4), 70, 4)
        for ago in offsets[:-1]:
            self._contact(ago, "door", "not_home", note="房屋空置，无人应答")
        self._contact(offsets[-1], "phone", "refused", reason="not_living_here", note="业主称没有入住，不应交物业费")

    def soured(self, **_: Any) -> None:
        """A past complaint about a named staff member (closed), then refusals."""
        candidates = [i for i in (self.p.frontline or range(len(self.p.staff))) if i != self.collector]
        involved = self.p.staff[self.rng.choice(candidates)].name if candidates else ""
        ago = self.rng.randint(90, 300)
        opened = self.p._office_hours(self.p._days_ago(ago))
        category = "staff" if self.rng.random() < 0.67 else "service"
        closed = self.p._office_hours(self.p._days_ago(ago - self.rng.randint(5, 30)))
        self.complaints.append(ComplaintPlan(opened, category, self.rng.choice(_STAFF_COMPLAINTS), self.rng.choice(self.p.office),
                                             involved, closed, self.rng.choice(_RESOLUTIONS)))
        for later in self._spread(self.rng.randint(1, 3), 45, 3):
            channel = "phone" if self.has_phone and self.rng.random() < 0.4 else "door"
            self._contact(later, channel, "refused", reason=self.rng.choice(REFUSAL_REASONS["soured"]),
                          note="业主提起以前的不愉快，表示不想交")

    def busy_away(self, **_: Any) -> None:
        """"No time" or "out of town" on the phone, nobody home at the door."""
        offsets = self._spread(self.rng.randint(1, 3), 40, 3)
        for ago in offsets:
            if ago == offsets[-1] or self.rng.random() < 0.7:
                self._contact(ago, "phone", "refused", reason=self.rng.choice(REFUSAL_REASONS["busy_away"]),
                              note="业主说最近太忙或不在本地，回来再说")
            else:
                self._contact(ago, "door", "not_home", note="敲门无人应答")

    def wilful_refusal(self, *, lawyer: bool, **_: Any) -> None:
        """Refusals, one or two dunning letters, and for some a lawyer's letter."""
        esc = self.p.settings.escalation
        first = self.rng.randint(70, 130)
        for ago in self._spread(self.rng.randint(3, 5), first + 90, first + 5):
            channel = "phone" if self.rng.random() < 0.4 else "door"
            self._contact(ago, channel, "refused", reason=self.rng.choice(REFUSAL_REASONS["wilful_refusal"]),
                          note="业主明确表示不交，多次沟通无果")
        letters = [first]
        if lawyer or self.rng.random() < 0.5:
            letters.append(first - self.rng.randint(20, 35))
        author = self.rng.choice(self.p.managers)
        for ago in letters:
            contact = self._contact(ago, "letter", "note", note="催费函已送达，附欠费明细")
            self.escalations.append(EscalationPlan(contact.at, "dunning_letter", author,
                                                   contact.at.date() + timedelta(days=esc.dunning_deadline_days), "催费函（附欠费明细）"))
        if lawyer:
            ago = letters[-1] - self.rng.randint(15, 30)
            contact = self._contact(ago, "letter", "note", note="律师函已送达")
            self.escalations.append(EscalationPlan(contact.at, "lawyer_letter", author,
                                                   contact.at.date() + timedelta(days=esc.lawyer_deadline_days), "律师函，限期十四日内缴清"))


# -- writing -----------------------------------------------------------------------------------


def build_sample(
    target: Any,
    *,
    seed: int = 1,
    households: int = 1800,
    arrears: int | None = None,
    staff: int | None = None,
    buildings: int | None = None,
    today: date | None = None,
    assign: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SampleSummary:
    """Plan the sample and write it into an empty ledger, all in one transaction.

    ``target`` is a :class:`~knock.home.Home` or a :class:`Ledger`. History is
    dated before ``today`` (default: the ledger clock's date). With ``assign``
    today's arrears households are contracted out by the real planner
    (:func:`knock.core.assignment_db.assign_day`), so the sample's rounds are the
    short, balanced walks a real day would get. ``progress(done, total)`` is
    called now and then.
    """
    started = _time.perf_counter()
    ledger: Ledger = getattr(target, "ledger", target)
    existing = int(ledger.store.scalar("SELECT COUNT(*) FROM households"))
    if existing:
        raise LedgerError(f"this ledger already has {existing} households; build the sample into an empty home")
    now = ledger.now()
    if today is not None and today != now.date():
        now = datetime.combine(today, time(21, 30), tzinfo=now.tzinfo)
    head, each = iter_sample(seed=seed, households=households, arrears=arrears, staff=staff, buildings=buildings, now=now, settings=ledger.settings)
    if ledger.store.path == ":memory:" or ledger.store.in_transaction:
        with paused_cycle_collection():
            tally = _write(ledger, head, each, households, assign, progress)
    else:
        # A new file built beside the ledger and renamed over it when complete: no WAL, no fsync,
        # indexes built at the end (Store.rebuilt); a failed build leaves the old file untouched.
        with paused_cycle_collection(), ledger.store.rebuilt() as fresh:
            builder = Ledger(fresh, ledger.settings, ledger.device, clock=ledger.clock, receipt_signer=ledger.receipt_signer)
            tally = _write(builder, head, each, households, assign, progress, getattr(target, "key", None))
    return tally.summary(head, seconds=_time.perf_counter() - started)


def _write(
    ledger: Ledger, head: SamplePlan, each: Iterator[HouseholdPlan], households: int, assign: bool,
    progress: Callable[[int, int], None] | None, key: DeviceKey | None = None,
) -> _Tally:
    """The whole sample and (with ``assign``) today's rounds, in one transaction of ``ledger``."""
    with ledger.store.transaction():
        tally = write_plan(ledger, head, each, total=households, assign=False, progress=progress, key=key)
        if assign:
            from knock.core.assignment_db import assign_day

            assign_day(ledger, head.now.date())
    return tally


class _Tally:
    """Counts of what was planned, gathered one household at a time."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.situations: Counter[str] = Counter()

    def add(self, h: HouseholdPlan) -> None:
        c = self.counts
        self.situations[h.situation] += 1
        c["households"] += 1
        c["arrears"] += h.situation != PAID_UP
        c["charges"] += len(h.charges)
        c["payments"] += len(h.payments)
        c["contacts"] += len(h.contacts)
        c["promises"] += sum(1 for x in h.contacts if x.promise_due is not None)
        c["complaints"] += len(h.complaints)
        c["escalations"] += len(h.escalations)
        c["lawyer_letters"] += sum(1 for e in h.escalations if e.step == "lawyer_letter")

    def summary(self, head: SamplePlan, *, seconds: float = 0.0) -> SampleSummary:
        c = self.counts
        return SampleSummary(
            community=head.community,
            address=head.address,
            seed=head.seed,
            today=head.now.date(),
            buildings=head.buildings,
            households=c["households"],
            arrears_households=c["arrears"],
            staff=len(head.staff),
            staff_by_role=dict(Counter(s.role for s in head.staff)),
            situations={key: self.situations.get(key, 0) for key in (PAID_UP, *SITUATIONS)},
            lawyer_letters=c["lawyer_letters"],
            charges=c["charges"],
            payments=c["payments"],
            contacts=c["contacts"],
            promises=c["promises"],
            complaints=c["complaints"],
            escalations=c["escalations"],
            seconds=seconds,
        )


SIGN_AHEAD = 250
"""Households whose receipts the press signs while the ones before them are written."""


def _in_paying_order(payments: Iterable[PaymentPlan]) -> list[PaymentPlan]:
    """A household's planned payments in the order they are written (and their receipts numbered)."""
    return sorted(payments, key=lambda x: x.at)


def _signing_ahead(homes: Iterable[HouseholdPlan], batch: LedgerBatch, key: DeviceKey | None) -> Iterator[HouseholdPlan]:
    """``homes`` again, while the press signs the receipts of the next :data:`SIGN_AHEAD` of them.

    Why: a receipt's signature costs ~31 µs here, the receipts together about a tenth of the
    sample's time, and the press's process has a core to spare. The receipt each planned payment
    will get is foretold (number, amount, room, minute, device); the key then takes a signature
    made ahead only for exactly the bytes it is asked to sign (:attr:`DeviceKey.presigned`), so a
    wrong guess costs a signature made here, never a wrong one.
    """
    ledger = batch.ledger
    press = ledger.store.press
    if press is None or key is None or key.device_id != ledger.device.device_id:
        yield from homes
        return
    private = key.private_raw()
    seq = batch.upcoming_receipt_seq()

    def ahead(chunk: list[HouseholdPlan]) -> tuple[list[bytes], Any]:
        nonlocal seq
        datas = []
        for h in chunk:
            for pay in _in_paying_order(h.payments):
                datas.append(receipt_signed_bytes(ReceiptFields(ledger.receipt_no(seq), pay.amount_fen, h.room, pay.at, key.device_id)))
                seq += 1
        return datas, press.sign(private, datas)

    rest = iter(homes)
    chunk = list(islice(rest, SIGN_AHEAD))
    pending = ahead(chunk)
    try:
        while chunk:
            following = list(islice(rest, SIGN_AHEAD))
            upcoming = ahead(following) if following else None
            datas, pressing = pending
            key.presigned = dict(zip(datas, press.collect(pressing)))
            yield from chunk
            chunk, pending = following, upcoming  # type: ignore[assignment]
    finally:
        key.presigned = {}


def write_plan(
    ledger: Ledger,
    head: SamplePlan,
    households: Iterable[HouseholdPlan] | None = None,
    *,
    total: int | None = None,
    assign: bool = True,
    progress: Callable[[int, int], None] | None = None,
    key: DeviceKey | None = None,
) -> _Tally:
    """Write a plan through the ledger's bulk path (:class:`~knock.core.bulk.LedgerBatch`), in one transaction.

    The batch checks every action with the same rules as the Ledger methods (promises due
    after they were made, the daily contact cap, quiet hours, oldest-first allocation) and
    keeps what those rules ask about each new household in memory instead of reading it back.
    ``households`` defaults to ``head.households``; pass the iterator of :func:`iter_sample`
    to stream a large sample. With ``key`` (the one the ledger signs receipts with) and a
    press on the store, receipts are signed ahead in the press (:func:`_signing_ahead`).
    """
    homes = head.households if households is None else households
    total = total if total is not None else len(head.households)
    tally = _Tally()
    with ledger.store.transaction():
        assigned: dict[str, str] = {}
        with LedgerBatch(ledger) as batch:
            batch.create_community(head.community, head.address)
            staff_ids = [batch.register_staff(s.name, s.role, team=s.team, phone=s.phone) for s in head.staff]
            for done, h in enumerate(_signing_ahead(homes, batch, key), start=1):
                tally.add(h)
                household_id = batch.register_household(
                    h.room, h.owner_name, phones=h.phones, area_centi_m2=h.area_centi_m2, occupancy=h.occupancy,
                    notes=h.notes, gender=h.gender, tags=h.tags, other_phones=tenant_phones(h.room, h.occupancy, h.phones),
                )
                for c in h.charges:
                    batch.add_charge(h.room, c.item, c.period_start, c.period_end, c.due_date, c.amount_fen, source="sample")
                for pay in _in_paying_order(h.payments):
                    batch.record_payment(h.room, pay.amount_fen, method=pay.method, collector=staff_ids[pay.collector], at=pay.at, overpay_confirmed=True, again=True)
                for complaint in h.complaints:
                    complaint_id = batch.open_complaint(
                        h.room, category=complaint.category, text=complaint.text, author=staff_ids[complaint.author],
                        staff_involved=complaint.staff_involved, at=complaint.at,
                    )
                    if complaint.closed_at is not None:
                        batch.close_complaint(complaint_id, resolution=complaint.resolution, author=staff_ids[complaint.author], at=complaint.closed_at)
                for contact in h.contacts:
                    contact_id = batch.log_contact(
                        h.room, channel=contact.channel, outcome=contact.outcome, collector=staff_ids[contact.collector],
                        reason=contact.reason, note=contact.note, at=contact.at,
                    )
                    if contact.promise_due is not None:
                        batch.make_promise(
                            h.room, due_date=contact.promise_due, window=contact.promise_window, collector=staff_ids[contact.collector],
                            amount_fen=contact.promise_amount_fen, contact_id=contact_id, at=contact.at,
                        )
                for letter in h.escalations:
                    batch.record_escalation(h.room, letter.step, author=staff_ids[letter.author], deadline=letter.deadline, note=letter.note, at=letter.at)
                if h.collector is not None:
                    assigned[household_id] = staff_ids[h.collector]
                if progress is not None and (done % 1000 == 0 or done == total):
                    progress(done, total)
        if assign and assigned:
            ledger.set_assignments(head.now.date(), assigned)
    return tally


def summarize(plan: SamplePlan, *, seconds: float = 0.0) -> SampleSummary:
    """Counts of what a whole plan holds."""
    tally = _Tally()
    for h in plan.households:
        tally.add(h)
    return tally.summary(plan, seconds=seconds)
