"""The thin layer the screens use to read and write the ledger.

Every function here touches SQLite, so screens call them from a thread worker
(``@work(thread=True)``) and get the result back as a message; none of them
knows about Textual. Reads return frozen values; writes go through
:class:`knock.core.ledger.Ledger` only, each outcome in one transaction, so a
confirmed outcome is on disk (WAL, synchronous=FULL) before the screen moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from knock.core.accounts import Account, Household, account, household_by_room
from knock.core.errors import LedgerError
from knock.core.rooms import RoomError, parse_room
from knock.home import Home
from knock.settings import Settings

from field_app.i18n import N_, _, get_locale
from field_app.names import owner_title
from field_app.outcomes import COMPLAINT_CATEGORIES, Complaint, NoteOnly, NotHome, Outcome, Paid, Promised, Refused, Unreachable

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_text(day: object) -> str:
    """``6月14日 周五`` / ``Fri 14 Jun``."""
    assert isinstance(day, date)
    if get_locale() == "zh":
        return f"{day.month}月{day.day}日 周{WEEKDAYS_ZH[day.weekday()]}"
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {day.strftime('%b')}"


# -- staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffChoice:
    """A name on the sign-in list."""

    staff_id: str
    name: str
    role: str
    has_pin: bool


def staff_for_sign_in(home: Home) -> list[StaffChoice]:
    """Active staff of this laptop, collectors first, by name."""
    rows = home.store.query("SELECT staff_id, name, role, pin_hash FROM staff WHERE active = 1 ORDER BY role = 'manager', name")
    return [StaffChoice(r["staff_id"], r["name"], r["role"], bool(r["pin_hash"])) for r in rows]


def managers(home: Home) -> list[StaffChoice]:
    """Active managers (who may approve an extra contact)."""
    return [s for s in staff_for_sign_in(home) if s.role == "manager"]


# -- playbook adapters --------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectionView:
    """An objection an owner may raise, with the polite answer and what to do next."""

    key: str
    title: str
    answer: str = ""
    follow_up: str = ""
    """Label of the suggested follow-up action."""
    follow_up_action: str = ""
    """Outcome key the follow-up leads to (e.g. ``complaint``, ``promised``), or empty."""


@dataclass(frozen=True)
class CardView:
    """A talking-point card."""

    title: str
    text: str


@dataclass(frozen=True)
class AdviceView:
    """What the playbook says about a household, ready to show."""

    debtor_type: str = ""
    debtor_label: str = "—"
    reasons: tuple[str, ...] = ()
    next_action: str = ""
    next_action_label: str = "—"
    window: str = ""
    cards: tuple[CardView, ...] = ()
    objections: tuple[ObjectionView, ...] = ()
    alerts: tuple[str, ...] = ()


FALLBACK_OBJECTIONS = (
    ("what_for", N_("What does the fee pay for?")),
    ("defect", N_("The building has defects")),
    ("vacant", N_("I don't live here")),
    ("bad_service", N_("The service is bad")),
    ("theft", N_("Something was stolen")),
    ("outage", N_("Water or power was cut")),
    ("no_money", N_("No money right now")),
    ("what_can_you_do", N_("What can you do to me?")),
    ("other", N_("Other reason")),
)
"""Used only while the playbook's objection list is not available."""


def _text(value: Any, locale: str) -> str:
    """A playbook text that may be a plain string or a {zh:, en:} mapping."""
    if isinstance(value, dict):
        return str(value.get(locale) or value.get("zh") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def advice_from_dict(data: dict[str, Any], locale: str) -> AdviceView:
    """Read ``Advice.to_dict(locale)`` (knock.playbook.rules) into what the screens show."""
    types = [t for t in data.get("types") or [] if isinstance(t, dict)]
    lead = types[0] if types else {}
    action = data.get("next_action") or {}
    if isinstance(action, str):
        action = {"key": action, "label": action}
    window = action.get("window") or {}
    cards = tuple(
        CardView(_text(c.get("title"), locale), "\n".join(_text(line, locale) for line in c.get("lines") or [c.get("text", "")]))
        for c in data.get("cards") or []
        if isinstance(c, dict)
    )
    objections = tuple(
        ObjectionView(
            key=str(o.get("key", "")),
            title=_text(o.get("says") or o.get("title"), locale),
            answer="\n".join(_text(line, locale) for line in (o.get("answer") if isinstance(o.get("answer"), list) else [o.get("answer")]) if line),
            follow_up=_text(o.get("follow_up_label"), locale),
            follow_up_action=str(o.get("follow_up") or ""),
        )
        for o in data.get("objections") or []
        if isinstance(o, dict)
    )
    reasons = [*(lead.get("reasons") or []), *(action.get("reasons") or [])]
    label = " / ".join(_text(t.get("name"), locale) for t in types[:2]) or (_("Paid up") if not types else "—")
    return AdviceView(
        debtor_type=str(lead.get("key", "")),
        debtor_label=label,
        reasons=tuple(_text(r, locale) for r in reasons),
        next_action=str(action.get("key", "")),
        next_action_label=_text(action.get("label"), locale) or "—",
        window=_text(window.get("label") if isinstance(window, dict) else window, locale),
        cards=cards,
        objections=objections or tuple(ObjectionView(k, _(t)) for k, t in FALLBACK_OBJECTIONS),
        alerts=tuple(_text(a, locale) for a in data.get("alerts") or []),
    )


def _advise(home: Home, household: Household, now: datetime, collector: str) -> Any:
    """The playbook's ``Advice`` for one household, on the ledger's (aware) clock."""
    from knock.advice import advise_household

    name = home.ledger.staff(collector).name if collector else None
    return advise_household(home, household, now=now, collector=name).advice


def advice_for(home: Home, household: Household, now: datetime, locale: str, collector: str = "") -> AdviceView:
    """The playbook's advice for a household, ready to show.

    A playbook failure must not take the screen down: the household is still
    shown (with the built-in objection list) and the error is shown as an alert.
    """
    try:
        return advice_from_dict(_advise(home, household, now, collector).to_dict(locale), locale)
    except Exception as exc:  # noqa: BLE001 - shown as an alert on the household screen
        return AdviceView(
            objections=tuple(ObjectionView(k, _(t)) for k, t in FALLBACK_OBJECTIONS),
            alerts=(_("Advice is not available: {error}").format(error=exc),),
        )


def never_say(locale: str) -> list[str]:
    """The playbook's list of things a collector must never say or do."""
    try:
        from knock.playbook.content import load_playbook

        never = load_playbook().never
    except Exception:  # noqa: BLE001 - the help screen shows a built-in reminder instead
        return []
    return [t.get(locale) for t in (*never.say, *never.do)]


# -- guardrails ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guard:
    """Whether a contact may happen now, and what to show."""

    warnings: tuple[str, ...] = ()
    """Shown in the banner."""
    codes: tuple[str, ...] = ()
    """Stored with the contact."""
    blocked: bool = False
    reason: str = ""
    contacts_today: int = 0
    cap: int = 0
    needs_reason: bool = False
    """Quiet hours: the manager's override must say why (the owner asked to be seen at 22:15)."""


def _in_window(now: datetime, weekdays: list[int], start: time, end: time) -> bool:
    return now.weekday() in weekdays and start <= now.time() <= end


def contact_guard(settings: Settings, now: datetime, contacts_today: int, channel: str = "door") -> Guard:
    """The playbook's guardrails (quiet hours, best windows, daily cap) as a banner and a block."""
    cap = settings.contact.daily_cap
    try:
        from knock.playbook.guardrails import contact_allowed
    except ImportError:
        contact_allowed = None  # type: ignore[assignment]
    if contact_allowed is not None:
        verdict = contact_allowed(now, channel, contacts_today, settings)  # type: ignore[arg-type]
        locale = get_locale()
        blocking = [w for w in verdict.warnings if w.code in verdict.blocked_by]
        shown = [w for w in verdict.warnings if w.code not in verdict.blocked_by]
        blocked = not verdict.allowed
        reason = " ".join(w.get(locale) for w in blocking)
        if blocked and not reason:
            reason = _("Already contacted {n} times today (limit {cap}); a manager must approve another contact.").format(n=contacts_today, cap=cap)
        return Guard(
            tuple(w.get(locale) for w in shown),
            tuple(w.code for w in verdict.warnings),
            blocked,
            reason,
            contacts_today,
            cap,
            needs_reason="quiet_hours" in verdict.blocked_by,
        )
    c = settings.contact
    codes: list[str] = []
    texts: list[str] = []
    t = now.time()
    quiet = (t >= c.quiet_start or t < c.quiet_end) if c.quiet_start > c.quiet_end else (c.quiet_start <= t < c.quiet_end)
    if quiet:
        codes.append("quiet_hours")
        texts.append(_("Quiet hours: do not knock or call now."))
    elif any(_in_window(now, w.weekdays, w.start, w.end) for w in c.no_collection):
        codes.append("no_collection")
        texts.append(_("No collection at this time (e.g. Sunday evening)."))
    elif any(_in_window(now, w.weekdays, w.start, w.end) for w in c.meal_and_rest):
        codes.append("meal_or_rest")
        texts.append(_("Meal or rest time: better come back later."))
    else:
        windows = c.visit_windows if channel == "door" else c.call_windows
        if not any(_in_window(now, w.weekdays, w.start, w.end) for w in windows):
            codes.append("outside_window")
            texts.append(_("Outside the best visiting hours."))
    blocked = contacts_today >= cap
    reason = _("Already contacted {n} times today (limit {cap}); a manager must approve another contact.").format(n=contacts_today, cap=cap) if blocked else ""
    return Guard(tuple(texts), tuple(codes), blocked, reason, contacts_today, cap)


# -- today --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodayRow:
    """One household on the day's list."""

    household_id: str
    room: str
    building: str
    unit: str
    floor: int
    owner: str
    owner_name: str
    owed_fen: int
    months_owed: int
    debtor_label: str
    next_action_label: str
    appointment: str
    """The window (morning/afternoon/evening) of a promise due today, or empty."""
    visited: bool


@dataclass(frozen=True)
class TodayView:
    """The collector's day at a glance."""

    staff_name: str
    day: date
    rows: tuple[TodayRow, ...]
    visited: int
    assigned: int
    collected_fen: int
    pending_sync: int


def pending_sync_count(home: Home) -> int:
    """Events of this laptop not yet handed to the office.

    The sync issue will add a cursor; until then every event of this device
    counts, unless a ``sync_marks`` table says how far a sync got.
    """
    device = home.ledger.device.device_id
    has_marks = home.store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_marks'")
    if has_marks:
        cols = {r["name"] for r in home.store.query("PRAGMA table_info(sync_marks)")}
        if {"device_id", "seq"} <= cols:
            done = home.store.scalar("SELECT MAX(seq) FROM sync_marks WHERE device_id = ?", (device,)) or 0
            return int(home.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ? AND seq > ?", (device, done)))
    return int(home.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (device,)))


@dataclass(frozen=True)
class _Planned:
    """A household on the day's list with the playbook's words for it."""

    household: Household
    debtor_label: str
    next_action_label: str


def _plan(home: Home, staff_id: str, now: datetime, locale: str, progress: Callable[[int, int], None] | None = None) -> list[_Planned]:
    """The day's households in the playbook's visit order, with their types and next action.

    Through :func:`knock.advice.triage_for_collector` (no cards: the list does
    not show them). When the playbook fails, the list still comes, in building
    order, with the error where the type would be: a playbook bug must never
    empty a collector's day.
    """
    from knock.advice import triage_for_collector

    try:
        triaged = triage_for_collector(home, staff_id, now.date(), now=now, progress=progress)
    except Exception as exc:  # noqa: BLE001 - shown in every row; the household screen says more
        failed = _("Advice is not available: {error}").format(error=exc)
        return [_Planned(h, "—", failed) for h in _assigned(home, staff_id, now.date())]
    return [_Planned(t.household, t.type_label(locale) or _("Paid up"), t.action_label.get(locale)) for t in triaged]  # type: ignore[arg-type]


_WINDOW_LABELS = {"morning": N_("morning"), "afternoon": N_("afternoon"), "evening": N_("evening")}
_WINDOW_SHORT = {"morning": N_("AM"), "afternoon": N_("PM"), "evening": N_("Eve")}


def window_short(window: str) -> str:
    """A short form for narrow columns (上午 / AM)."""
    return _(_WINDOW_SHORT[window]) if window in _WINDOW_SHORT else window


def window_label(window: str) -> str:
    """Morning / afternoon / evening in the current language."""
    return _(_WINDOW_LABELS.get(window, window)) if window in _WINDOW_LABELS else window


def _assigned(home: Home, staff_id: str, day: date) -> list[Household]:
    rows = home.store.query(
        "SELECT h.* FROM assignments a JOIN households h ON h.household_id = a.household_id"
        " WHERE a.day = ? AND a.staff_id = ?"
        " ORDER BY CAST(h.building AS INTEGER), h.building, CAST(h.unit AS INTEGER), h.unit, h.floor, h.room_no",
        (day.isoformat(), staff_id),
    )
    return [Household.from_row(r) for r in rows]


def load_today(
    home: Home, staff_id: str, now: datetime, *, with_advice: bool = True, progress: Callable[[int, int], None] | None = None
) -> TodayView:
    """The collector's households for today with what each owes, and the day's counters.

    ``with_advice=False`` is the quick first pass (amounts in building order, no
    playbook); ``progress(done, total)`` is called while the advice is worked out.
    """
    day = now.date()
    locale = get_locale()
    staff = home.ledger.staff(staff_id)
    if with_advice:
        planned = _plan(home, staff_id, now, locale, progress)
    else:
        planned = [_Planned(h, "…", "…") for h in _assigned(home, staff_id, day)]
    visited_ids = {
        r["household_id"]
        for r in home.store.query("SELECT DISTINCT household_id FROM contacts WHERE substr(at, 1, 10) = ?", (day.isoformat(),))
    }
    due_today = {
        r["household_id"]: r["window"]
        for r in home.store.query("SELECT household_id, window FROM promises WHERE due_date = ?", (day.isoformat(),))
    }
    rows = []
    for entry in planned:
        hh = entry.household
        acct = account(home.store, hh.household_id, day, home.settings)
        rows.append(
            TodayRow(
                household_id=hh.household_id,
                room=hh.room,
                building=hh.building,
                unit=hh.unit,
                floor=hh.floor,
                owner=owner_title(hh.owner_name, hh.gender, locale),
                owner_name=hh.owner_name,
                owed_fen=acct.owed_fen if acct.overdue_fen == 0 else acct.overdue_fen,
                months_owed=acct.months_owed,
                debtor_label=entry.debtor_label,
                next_action_label=entry.next_action_label,
                appointment=due_today.get(hh.household_id, ""),
                visited=hh.household_id in visited_ids,
            )
        )
    collected = home.store.scalar(
        "SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p LEFT JOIN payment_voids v ON v.payment_id = p.payment_id"
        " WHERE v.payment_id IS NULL AND p.collector_id = ? AND substr(p.paid_at, 1, 10) = ?",
        (staff_id, day.isoformat()),
    )
    return TodayView(
        staff_name=staff.name,
        day=day,
        rows=tuple(rows),
        visited=sum(1 for r in rows if r.visited),
        assigned=len(rows),
        collected_fen=int(collected),
        pending_sync=pending_sync_count(home),
    )


def normalise_query(text: str) -> str:
    """A search as typed (``3栋2单元``, ``3 2 501``, ``3/2``) in room-code spelling."""
    query = text.strip()
    for sep in ("号楼", "栋", "幢", "单元", "室", "号", "/", " ", "－", "—", "_", "#"):
        query = query.replace(sep, "-")
    while "--" in query:
        query = query.replace("--", "-")
    return query.strip("-") if query.strip("-") else ""


def search_rows(rows: tuple[TodayRow, ...] | list[TodayRow], text: str) -> list[TodayRow]:
    """Rows whose room starts with the query (``3-2-501``, ``3-2``) or whose owner's name contains it."""
    raw = text.strip()
    if not raw:
        return list(rows)
    query = normalise_query(raw)
    found = []
    for row in rows:
        if query and (row.room == query or row.room.startswith(query + "-") or row.room.startswith(query)):
            found.append(row)
        elif raw in row.owner_name or raw.lower() in row.owner.lower():
            found.append(row)
    return found


# -- household ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened with the household."""

    at: str
    kind: str
    text: str


@dataclass(frozen=True)
class HouseholdView:
    """Everything the household screen shows."""

    household: Household
    owner: str
    account: Account
    advice: AdviceView
    timeline: tuple[TimelineEntry, ...]
    guard: Guard
    assigned: bool
    phones_masked: tuple[str, ...] = field(default=())


_OUTCOME_LABELS = {
    "paid": N_("paid"),
    "part_paid": N_("part paid"),
    "promised": N_("promised"),
    "not_home": N_("not home"),
    "refused": N_("refused"),
    "complaint": N_("complaint"),
    "unreachable": N_("unreachable"),
    "wrong_number": N_("wrong number"),
    "note": N_("note"),
}
_CHANNEL_LABELS = {"door": N_("visit"), "phone": N_("call"), "sms": N_("SMS"), "letter": N_("letter")}
_STEP_LABELS = {"dunning_letter": N_("dunning letter"), "lawyer_letter": N_("lawyer's letter"), "legal": N_("legal department")}
_ITEM_LABELS = {"property_fee": N_("property fee"), "parking": N_("parking"), "shared_utilities": N_("shared utilities")}
METHOD_LABELS = {"cash": N_("cash"), "wechat": N_("WeChat"), "alipay": N_("Alipay"), "bank_transfer": N_("bank transfer"), "card": N_("card")}


def outcome_label(key: str) -> str:
    """An outcome in the current language."""
    return _(_OUTCOME_LABELS[key]) if key in _OUTCOME_LABELS else key


def item_label(key: str) -> str:
    """A fee item in the current language (unknown items as imported)."""
    return _(_ITEM_LABELS[key]) if key in _ITEM_LABELS else key


def method_label(key: str) -> str:
    """A payment method in the current language."""
    return _(METHOD_LABELS[key]) if key in METHOD_LABELS else key


def _timeline(home: Home, household_id: str, objections: dict[str, str]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for r in home.store.query("SELECT * FROM contacts WHERE household_id = ?", (household_id,)):
        reason = objections.get(r["reason"], r["reason"])
        detail = " · ".join(x for x in (reason, r["note"]) if x)
        label = f"{_(_CHANNEL_LABELS.get(r['channel'], r['channel']))} {outcome_label(r['outcome'])}"
        if r["override_by"]:
            label += " " + _("(manager approved)")
        entries.append(TimelineEntry(r["at"], "contact", f"{label}  {detail}".strip()))
    for r in home.store.query("SELECT * FROM promises WHERE household_id = ?", (household_id,)):
        amount = f" ¥{_yuan(r['amount_fen'])}" if r["amount_fen"] else ""
        entries.append(TimelineEntry(r["made_at"], "promise", _("promised to pay on {day} {window}").format(day=r["due_date"], window=window_label(r["window"])) + amount))
    for r in home.store.query("SELECT * FROM complaints WHERE household_id = ?", (household_id,)):
        state = _("open") if r["status"] == "open" else _("closed")
        category = _(dict(COMPLAINT_CATEGORIES).get(r["category"], r["category"]))
        entries.append(TimelineEntry(r["opened_at"], "complaint", f"{_('complaint')} [{state}] {category}: {r['text']}"))
    for r in home.store.query("SELECT * FROM escalations WHERE household_id = ?", (household_id,)):
        entries.append(TimelineEntry(r["at"], "letter", _(_STEP_LABELS.get(r["step"], r["step"]))))
    for r in home.store.query(
        "SELECT p.*, v.payment_id AS void FROM payments p LEFT JOIN payment_voids v ON v.payment_id = p.payment_id WHERE p.household_id = ?",
        (household_id,),
    ):
        void = " " + _("(void)") if r["void"] else ""
        entries.append(TimelineEntry(r["paid_at"], "payment", f"{_('payment')} ¥{_yuan(r['amount_fen'])} {method_label(r['method'])} {r['receipt_no']}{void}"))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _yuan(fen: int) -> str:
    from knock.core.money import format_yuan

    return format_yuan(int(fen))


def is_assigned(home: Home, household_id: str, staff_id: str, day: date) -> bool:
    """True when the household is on the staff member's list for ``day``."""
    return bool(home.store.scalar("SELECT 1 FROM assignments WHERE day = ? AND household_id = ? AND staff_id = ?", (day.isoformat(), household_id, staff_id)))


def load_household(home: Home, room: str, staff_id: str, now: datetime) -> HouseholdView:
    """The household screen's content, as of ``now``."""
    from field_app.names import mask_phone

    household = home.ledger.household(room)
    locale = get_locale()
    acct = account(home.store, household.household_id, now.date(), home.settings)
    advice = advice_for(home, household, now, locale, staff_id)
    titles = {o.key: o.title for o in advice.objections} | {k: _(t) for k, t in FALLBACK_OBJECTIONS}
    contacts = home.ledger.contacts_today(household.household_id, now.date())
    return HouseholdView(
        household=household,
        owner=owner_title(household.owner_name, household.gender, locale),
        account=acct,
        advice=advice,
        timeline=tuple(_timeline(home, household.household_id, titles)),
        guard=contact_guard(home.settings, now, contacts),
        assigned=is_assigned(home, household.household_id, staff_id, now.date()),
        phones_masked=tuple(mask_phone(p) for p in household.phones),
    )


def reveal_phones(home: Home, room: str, staff_id: str) -> tuple[str, ...]:
    """The household's phone numbers, logged as seen by the staff member."""
    return home.ledger.reveal_phone(room, staff=staff_id)


def promise_days(today: date, settings: Settings) -> tuple[date, date]:
    """Two days to offer the owner (the seeds: give a choice, not an open question).

    Prefer the next days that have a visiting window; never today.
    """
    found: list[date] = []
    day = today + timedelta(days=1)
    while len(found) < 2 and day <= today + timedelta(days=14):
        if any(day.weekday() in w.weekdays for w in settings.contact.visit_windows):
            found.append(day)
        day += timedelta(days=1)
    while len(found) < 2:
        found.append(today + timedelta(days=len(found) + 1))
    return found[0], found[1]


# -- writing outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """What a saved outcome produced."""

    message: str
    receipt_no: str = ""
    owed_after_fen: int | None = None
    leave_notice: bool = False
    reminders: tuple[str, ...] = ()
    """Gentle reminders for typed text the scanner flagged (the manager sees the flag)."""


def _typed_text(intent: Outcome) -> tuple[str, ...]:
    """The words a person typed in ``intent`` (notes, complaint texts, a refusal's note)."""
    return tuple(t for t in (getattr(intent, name, "") for name in ("note", "text")) if isinstance(t, str) and t.strip())


def save_outcome(
    home: Home, staff_id: str, intent: Outcome, *, override_by: str = "", override_reason: str = "", warnings: tuple[str, ...] = ()
) -> Saved:
    """Write one outcome through the ledger, all of it in one transaction.

    Raises :class:`LedgerError` (with a message to show) when the ledger refuses.
    Text the person typed is scanned; the reminders come back in :class:`Saved`.
    """
    from dataclasses import replace as _replace

    from knock.playbook.guardrails import free_text_reminder

    saved = _save_outcome(home, staff_id, intent, override_by=override_by, override_reason=override_reason, warnings=warnings)
    reminders = tuple(dict.fromkeys(r for text in _typed_text(intent) for r in free_text_reminder(text, get_locale())))
    return _replace(saved, reminders=reminders) if reminders else saved


def _save_outcome(home: Home, staff_id: str, intent: Outcome, *, override_by: str, override_reason: str, warnings: tuple[str, ...]) -> Saved:
    ledger = home.ledger
    common: dict[str, Any] = {"collector": staff_id, "override_by": override_by, "override_reason": override_reason, "warnings": list(warnings)}
    with home.store.transaction():
        if isinstance(intent, Paid):
            result = ledger.record_payment(intent.room, intent.amount_fen, method=intent.method, collector=staff_id)
            # The payment is the record; a contact is added when the guardrails allow one
            # (an owner paying the guard at 22:30 is not a visit in quiet hours).
            if ledger.contact_verdict(intent.room, "door", override=bool(override_by), quiet_override=bool(override_by and override_reason)).allowed:
                ledger.log_contact(intent.room, channel="door", outcome=intent.outcome, note=result.receipt_no, **common)
            return Saved(_("Payment saved, receipt {no}").format(no=result.receipt_no), receipt_no=result.receipt_no, owed_after_fen=result.owed_after_fen)
        if isinstance(intent, Promised):
            contact_id = ledger.log_contact(intent.room, channel="door", outcome="promised", **common)
            ledger.make_promise(intent.room, due_date=intent.due_date, window=intent.window, collector=staff_id, amount_fen=intent.amount_fen, contact_id=contact_id)
            return Saved(_("Promise saved: {day} {window}").format(day=day_text(intent.due_date), window=window_label(intent.window)))
        if isinstance(intent, NotHome):
            note = "notice" if intent.leave_notice else ""
            ledger.log_contact(intent.room, channel="door", outcome="not_home", note=note, **common)
            return Saved(_("Saved: not home"), leave_notice=intent.leave_notice)
        if isinstance(intent, Refused):
            ledger.log_contact(intent.room, channel="door", outcome="refused", reason=intent.objection, note=intent.note, **common)
            return Saved(_("Saved: refused"))
        if isinstance(intent, Complaint):
            ledger.log_contact(intent.room, channel="door", outcome="complaint", note=intent.text, reason=intent.category, **common)
            ledger.open_complaint(intent.room, category=intent.category, text=intent.text, author=staff_id)
            return Saved(_("Complaint saved; the office sees it today"))
        if isinstance(intent, Unreachable):
            ledger.log_contact(intent.room, channel="phone", outcome=intent.outcome, note=intent.new_phone, **common)
            if intent.new_phone.strip():
                household = ledger.household(intent.room)
                phones = [intent.new_phone.strip()]
                if intent.outcome == "unreachable":
                    phones += [p for p in household.phones if p != intent.new_phone.strip()]
                ledger.update_household(intent.room, author=staff_id, phones=phones)
            return Saved(_("Saved: contact details updated") if intent.new_phone.strip() else _("Saved"))
        if isinstance(intent, NoteOnly):
            if not intent.text.strip():
                raise LedgerError(_("The note is empty"))
            ledger.log_contact(intent.room, channel="door", outcome="note", note=intent.text.strip(), **common)
            return Saved(_("Note saved"))
    raise LedgerError(f"unknown outcome {intent!r}")


# -- gate lookup --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateAnswer:
    """What the gate lookup shows about a room."""

    room: str
    found: bool
    paid_up: bool = False
    reminder: str = ""
    owed_fen: int | None = None
    """Only for the collectors assigned to the household today."""


def gate_lookup(home: Home, text: str, staff_id: str, today: date) -> GateAnswer:
    """Is this room paid up? The amount is shown only to its assigned collector."""
    try:
        code = parse_room(normalise_query(text) or text).code
    except RoomError:
        return GateAnswer(text.strip(), False)
    household = household_by_room(home.store, code)
    if household is None:
        return GateAnswer(code, False)
    acct = account(home.store, household.household_id, today, home.settings)
    if acct.overdue_fen <= 0:
        return GateAnswer(code, True, True)
    owner = owner_title(household.owner_name, household.gender)
    reminder = _("{owner}, hello! A gentle reminder that this home's property fee is not yet settled; you can pay at the service centre or by the QR code on the notice. Thank you!").format(owner=owner)
    shown = acct.overdue_fen if is_assigned(home, household.household_id, staff_id, today) else None
    return GateAnswer(code, True, False, reminder, shown)


# -- end of day ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    """A receipt written today."""

    receipt_no: str
    room: str
    amount_fen: int
    method: str
    void: bool


@dataclass(frozen=True)
class EndOfDay:
    """What I did today and the cash to hand over."""

    contacts_by_outcome: dict[str, int]
    households_visited: int
    promises: int
    complaints: int
    receipts: tuple[ReceiptLine, ...]
    by_method_fen: dict[str, int]
    total_fen: int
    pending_sync: int


def end_of_day(home: Home, staff_id: str, day: date) -> EndOfDay:
    """The collector's day: contacts by outcome, receipts, money by payment method, sync backlog."""
    d = day.isoformat()
    outcomes = {
        r["outcome"]: int(r["n"])
        for r in home.store.query("SELECT outcome, COUNT(*) AS n FROM contacts WHERE collector_id = ? AND substr(at, 1, 10) = ? GROUP BY outcome", (staff_id, d))
    }
    visited = int(home.store.scalar("SELECT COUNT(DISTINCT household_id) FROM contacts WHERE collector_id = ? AND substr(at, 1, 10) = ?", (staff_id, d)))
    promises = int(home.store.scalar("SELECT COUNT(*) FROM promises WHERE collector_id = ? AND substr(made_at, 1, 10) = ?", (staff_id, d)))
    complaints = int(home.store.scalar("SELECT COUNT(*) FROM complaints WHERE opened_by = ? AND substr(opened_at, 1, 10) = ?", (staff_id, d)))
    receipts = tuple(
        ReceiptLine(r["receipt_no"], r["room"], int(r["amount_fen"]), r["method"], bool(r["void"]))
        for r in home.store.query(
            "SELECT p.receipt_no, h.room, p.amount_fen, p.method, v.payment_id AS void FROM payments p"
            " JOIN households h ON h.household_id = p.household_id LEFT JOIN payment_voids v ON v.payment_id = p.payment_id"
            " WHERE p.collector_id = ? AND substr(p.paid_at, 1, 10) = ? ORDER BY p.receipt_seq",
            (staff_id, d),
        )
    )
    by_method: dict[str, int] = {}
    for line in receipts:
        if not line.void:
            by_method[line.method] = by_method.get(line.method, 0) + line.amount_fen
    return EndOfDay(outcomes, visited, promises, complaints, receipts, by_method, sum(by_method.values()), pending_sync_count(home))

