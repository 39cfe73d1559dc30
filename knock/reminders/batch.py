"""The day's SMS batch: who gets a text, in which words, and who is left out and why.

Without a kind, the batch is the playbook's choice: every household whose next
action today is a text (:func:`knock.playbook.rules.triage` decides; nothing
is re-derived here). With a kind (before_due, overdue, contract_end, holiday)
it is every household that kind applies to. Either way each message passes
the guardrails before it enters the batch, in this order:

1. the playbook holds the household (a letter was just sent, legal has it);
2. only the owner's own mobile (never a tenant's or an agent's number);
3. the SMS window of the day (clipped by quiet hours and Sunday evening);
4. the daily contact cap;
5. no second text of the same kind within ``reminders.repeat_days``;
6. no text to a household with an open complaint about what is charged,
   unless the office names the room (``allow_complaint``).

What is left out is listed beside the batch with the reason, in both languages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from knock.core.accounts import Account, Household, account
from knock.core.ageing import months_in
from knock.core.errors import LedgerError
from knock.core.household_facts import facts_for
from knock.core.money import format_yuan
from knock.core.rooms import walk_key
from knock.core.store import Store
from knock.playbook.content import Playbook, Text, load_playbook
from knock.playbook.facts import HouseholdFacts
from knock.playbook.guardrails import next_window
from knock.playbook.messages import MessageError, format_day, period_text, surname_for, title_for
from knock.playbook.rules import LadderState, contacts_today, triage
from knock.reminders.recipients import owner_mobile
from knock.reminders.segments import Cost, billed_length, cost_of, segments
from knock.reminders.templates import Locale, SmsTemplates, TemplateError, load_templates
from knock.settings import Holiday, Settings
from knock.vocabulary import label

AskedKind = Literal["before_due", "overdue", "contract_end", "holiday"]
ASKED_KINDS: tuple[AskedKind, ...] = ("before_due", "overdue", "contract_end", "holiday")
"""The kinds the office can ask for (``--kind``); ``appointment`` only comes from the playbook."""

REASONS: dict[str, Text] = {
    "playbook_hold": Text("催收计划暂停联系", "the playbook holds contact"),
    "no_owner_mobile": Text("没有业主本人的手机号", "no mobile number of the owner's own"),
    "outside_sms_window": Text("当天已没有可发短信的时段", "no time left that day for texts"),
    "daily_cap": Text("今天联系次数已到上限", "daily contact limit reached"),
    "repeat_kind": Text("近期已发过同类短信", "a text of this kind went out recently"),
    "open_complaint": Text("有未处理的相关投诉", "an open complaint about what is charged"),
    "template": Text("短信模板缺少内容", "the template could not be filled"),
}
"""Why a household is left out of the batch (the code, and its short label)."""


class BatchError(LedgerError):
    """A batch that cannot be drawn up as asked; the message says what to change."""


@dataclass(frozen=True)
class Message:
    """One text in the batch."""

    message_id: str
    """Stable for (day, kind, household): the same batch sent or confirmed twice is one contact."""
    household_id: str
    room: str
    owner_name: str
    phone: str
    template_id: str
    kind: str
    payer: Literal["monthly", "prepaid"]
    text: str
    chars: int
    """Characters as billed (see :mod:`knock.reminders.segments`)."""
    segments: int
    allowed_by_office: bool = False
    """True when an open complaint was overridden by the office (``allow_complaint``)."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "message_id": self.message_id,
            "household_id": self.household_id,
            "room": self.room,
            "owner_name": self.owner_name,
            "phone": self.phone,
            "template": self.template_id,
            "kind": self.kind,
            "payer": self.payer,
            "text": self.text,
            "chars": self.chars,
            "segments": self.segments,
            "allowed_by_office": self.allowed_by_office,
        }


@dataclass(frozen=True)
class LeftOut:
    """A household the batch would have texted, and why it does not."""

    room: str
    household_id: str
    reason: str
    """One of :data:`REASONS`."""
    detail: Text

    def to_dict(self, locale: Locale = "zh") -> dict[str, str]:
        """JSON-ready form in ``locale``."""
        return {"room": self.room, "reason": self.reason, "label": REASONS[self.reason].get(locale), "detail": self.detail.get(locale)}


@dataclass(frozen=True)
class Batch:
    """The day's texts, ready to export or send, with the left-out list."""

    day: date
    kind: str | None
    """The kind asked for, or None for the playbook's choice."""
    locale: Locale
    messages: tuple[Message, ...]
    left_out: tuple[LeftOut, ...]
    window: tuple[datetime, datetime] | None
    """The SMS window the batch is for (None: no time left that day)."""
    cost: Cost

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``knock remind sms --json``)."""
        return {
            "day": self.day.isoformat(),
            "kind": self.kind or "playbook",
            "window": None if self.window is None else [w.isoformat(timespec="minutes") for w in self.window],
            "messages": [m.to_dict() for m in self.messages],
            "left_out": [x.to_dict(self.locale) for x in self.left_out],
            "cost": {"messages": self.cost.messages, "segments": self.cost.segments, "fen": self.cost.fen},
        }


def message_id_for(day: date, kind: str, household_id: str) -> str:
    """The stable id of the ``kind`` text to a household on ``day``."""
    digest = hashlib.sha256(f"{day.isoformat()}|{kind}|{household_id}".encode()).hexdigest()[:20]
    return f"sms-{day:%Y%m%d}-{digest}"


# --------------------------------------------------------------------------- small facts


def _month_text(day: date, locale: Locale) -> str:
    return f"{day.year}年{day.month}月" if locale == "zh" else day.strftime("%b %Y")


def payer_of(household: Household, acct: Account, settings: Settings) -> tuple[Literal["monthly", "prepaid"], date | None]:
    """Monthly or prepaid payer, and for a prepaid payer the last day their paid bill ran to.

    The office may tag a household ``prepaid`` or ``monthly``; otherwise a
    household whose latest fully paid property-fee bill covered
    ``reminders.prepaid_min_months`` months or more paid ahead.
    """
    paid = [c for c in acct.charges if c.item == "property_fee" and c.open_fen == 0]
    last = max(paid, key=lambda c: c.period_end, default=None)
    if "monthly" in household.tags:
        return "monthly", None
    if last is not None and ("prepaid" in household.tags or len(months_in(last.period_start, last.period_end)) >= settings.reminders.prepaid_min_months):
        return "prepaid", last.period_end
    return "monthly", None


def holiday_for(day: date, settings: Settings) -> tuple[Holiday, date] | None:
    """The configured holiday whose greeting is due on ``day`` (from ``holiday_lead_days`` before it)."""
    lead = settings.reminders.holiday_lead_days
    found: list[tuple[date, Holiday]] = []
    for h in settings.reminders.holidays:
        parts = [int(x) for x in h.on.split("-")]
        candidates: list[date] = []
        try:
            if len(parts) == 3:
                candidates = [date(*parts)]
            else:
                candidates = [date(day.year + dy, parts[0], parts[1]) for dy in (0, 1)]
        except ValueError:
            raise BatchError(f"settings: reminders.holidays: {h.on!r} is not a real date") from None
        found.extend((when, h) for when in candidates if 0 <= (when - day).days <= lead)
    if not found:
        return None
    when, holiday = min(found, key=lambda pair: pair[0])
    return holiday, when


def _batch_moment(day: date, now: datetime) -> datetime:
    """When the batch goes out: now if it is for today, else the day's first minute (the window search moves on)."""
    if day == now.date():
        return now
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)


def recent_sms_kinds(store: Store, since: date) -> dict[str, dict[str, date]]:
    """household id -> {kind: last day a text of that kind left}, for texts on or after ``since``."""
    found: dict[str, dict[str, date]] = {}
    for row in store.query(
        "SELECT household_id, template, at FROM contacts WHERE channel = 'sms' AND template != '' AND at >= ?", (since.isoformat(),)
    ):
        kind = str(row["template"]).split(".")[0]
        at = datetime.fromisoformat(row["at"]).date()
        per = found.setdefault(row["household_id"], {})
        per[kind] = max(per.get(kind, at), at)
    return found


# --------------------------------------------------------------------------- the batch


@dataclass(frozen=True)
class _Candidate:
    household: Household
    facts: HouseholdFacts
    acct: Account
    kind: str
    values: dict[str, str]


def build_batch(
    store: Store,
    settings: Settings,
    now: datetime,
    *,
    day: date | None = None,
    kind: AskedKind | None = None,
    allow_complaint: Collection[str] = (),
    locale: Locale = "zh",
    templates: SmsTemplates | None = None,
) -> Batch:
    """Draw up the texts for ``day`` (default: today on ``now``'s clock).

    ``allow_complaint`` names rooms the office has cleared to receive a text
    despite an open complaint. Raises :class:`BatchError` when a kind needs a
    setting that is missing (the contract's end, a holiday).
    """
    day = day or now.date()
    if day < now.date():
        raise BatchError(f"{day} has passed: a batch is drawn up for today or a day to come")
    if kind is not None and kind not in ASKED_KINDS:
        raise BatchError(f"unknown reminder kind {kind!r}; choose one of {', '.join(ASKED_KINDS)}")
    book = templates or load_templates()
    playbook = load_playbook()
    moment = _batch_moment(day, now)
    window = next_window(moment, settings.contact.sms_windows, settings)
    if window is not None and window[0].date() != day:
        window = None
    holiday = holiday_for(day, settings) if kind == "holiday" else None
    if kind == "holiday" and holiday is None:
        raise BatchError(
            f"no holiday within {settings.reminders.holiday_lead_days} days of {day}; add it to [reminders] holidays in settings.toml"
        )
    contract_end = settings.reminders.contract_end
    if kind == "contract_end":
        if contract_end is None:
            raise BatchError("contract_end reminders need the contract's end: set [reminders] contract_end in settings.toml")
        if not 0 <= (contract_end - day).days <= settings.reminders.contract_end_notice_days:
            raise BatchError(
                f"the contract ends on {contract_end}: contract_end reminders go out in the "
                f"{settings.reminders.contract_end_notice_days} days before it, not on {day}"
            )
    recent = recent_sms_kinds(store, day - timedelta(days=max(settings.reminders.repeat_days, 1)))
    allowed_rooms = set(allow_complaint)
    company = settings.company.name if locale == "zh" else settings.company.name_en

    messages: list[Message] = []
    left: list[LeftOut] = []

    def leave(h: Household, reason: str, detail: Text) -> None:
        left.append(LeftOut(h.room, h.household_id, reason, detail))

    for household in _households(store):
        acct = account(store, household.household_id, day, settings)
        if not acct.open_charges:
            continue
        facts = facts_for(store, household, day, settings, zone=moment.tzinfo)
        chosen = _choose(household, facts, acct, settings, moment, day, kind, holiday, contract_end, locale, playbook)
        if chosen is None:
            continue
        if isinstance(chosen, LeftOut):
            left.append(chosen)
            continue
        kind_now, values = chosen
        # 2. the owner's own mobile only
        recipient = owner_mobile(household)
        if recipient.phone is None:
            leave(household, "no_owner_mobile", _no_mobile_text(recipient.why_not))
            continue
        # 3. the day's SMS window
        if window is None:
            leave(household, "outside_sms_window", _no_window_text(day, settings))
            continue
        # 4. the daily contact cap
        done = contacts_today(facts, window[0])
        if done >= settings.contact.daily_cap:
            cap = settings.contact.daily_cap
            leave(household, "daily_cap", Text(f"当天已联系{done}次（上限{cap}次）", f"contacted {done} times that day (limit {cap})"))
            continue
        # 5. no repeat of the same kind
        last = recent.get(household.household_id, {}).get(kind_now)
        if last is not None and (day - last).days < settings.reminders.repeat_days and last <= day:
            n = settings.reminders.repeat_days
            leave(household, "repeat_kind", Text(f"{last.isoformat()}已发过同类短信（{n}天内不重复）", f"a text of this kind went out on {last.isoformat()} (not repeated within {n} days)"))
            continue
        # 6. an open complaint about what is charged
        blocking = _blocking_complaints(facts, acct, settings)
        cleared = household.room in allowed_rooms
        if blocking and not cleared:
            leave(household, "open_complaint", Text(f"未处理的投诉：{blocking}（经办公室同意可用 --allow-complaint 放行）", f"open complaint: {blocking} (the office may clear it with --allow-complaint)"))
            continue
        payer, paid_until = payer_of(household, acct, settings)
        template = book.choose(kind_now, payer)
        values = {
            **values,
            "company": company,
            "surname": surname_for(household.owner_name, locale),
            "title": title_for(facts.owner_gender, locale),
            "room": household.room,
            "service_phone": settings.company.phone,
            "paid_until": _month_text(paid_until, locale) if paid_until else "",
        }
        link = settings.reminders.pay_link.replace("{room}", household.room).replace("{reference}", household.household_id)
        try:
            text = book.render(template, locale, values, link)
        except (MessageError, TemplateError) as exc:
            leave(household, "template", Text(str(exc), str(exc)))
            continue
        messages.append(
            Message(
                message_id=message_id_for(day, kind_now, household.household_id),
                household_id=household.household_id,
                room=household.room,
                owner_name=household.owner_name,
                phone=recipient.phone,
                template_id=template.template_id,
                kind=kind_now,
                payer=payer,
                text=text,
                chars=billed_length(text),
                segments=segments(text),
                allowed_by_office=bool(blocking) and cleared,
            )
        )
    return Batch(
        day=day,
        kind=kind,
        locale=locale,
        messages=tuple(messages),
        left_out=tuple(left),
        window=window,
        cost=cost_of([m.text for m in messages], settings.reminders.price_per_100_segments_fen),
    )


def _households(store: Store) -> Iterable[Household]:
    """Households with at least one live charge, in the walking order (:func:`knock.core.rooms.walk_key`)."""
    rows = store.query(
        "SELECT h.* FROM households h WHERE EXISTS (SELECT 1 FROM charges c LEFT JOIN charge_reversals r USING (charge_id)"
        " WHERE c.household_id = h.household_id AND r.charge_id IS NULL)"
    )
    return sorted((Household.from_row(r) for r in rows), key=lambda h: walk_key(h.building, h.unit, h.floor, h.room_no))


def _choose(
    household: Household,
    facts: HouseholdFacts,
    acct: Account,
    settings: Settings,
    moment: datetime,
    day: date,
    kind: AskedKind | None,
    holiday: tuple[Holiday, date] | None,
    contract_end: date | None,
    locale: Locale,
    playbook: Playbook,
) -> tuple[str, dict[str, str]] | LeftOut | None:
    """Whether this household is in the batch's scope, the kind of its text and its values.

    Returns None when the household is simply not part of this batch, or a
    :class:`LeftOut` when the playbook holds it (guardrail 1).
    """
    if kind == "before_due":
        if facts.owed_fen > 0:
            return None  # in arrears: the overdue texts speak to them
        horizon = day + timedelta(days=settings.reminders.before_due_days)
        coming = [c for c in acct.open_charges if day < c.due_date <= horizon]
        if not coming:
            return None
        due = min(c.due_date for c in coming)
        return "before_due", {"amount": format_yuan(sum(c.open_fen for c in coming)), "date": format_day(due, locale, weekday=False)}
    if kind == "contract_end":
        assert contract_end is not None
        return "contract_end", {"amount": format_yuan(acct.owed_fen), "date": format_day(contract_end, locale, weekday=False)}
    if facts.owed_fen <= 0:
        return None
    found = triage(facts, settings, moment, playbook=playbook)
    hold = _playbook_hold(found.ladder)
    if kind is None:
        action = found.next_action
        if action.key != "sms":
            return None
        # The playbook pushes a text to tomorrow at the cap; the cap guardrail says so in the left-out list.
        if action.not_before.date() > day and found.contacts_today < settings.contact.daily_cap:
            return None
        pending = [p for p in facts.promises if p.status == "open" and p.due_date == day + timedelta(days=1)]
        if pending:
            window = label("promise_windows", pending[0].window, locale)
            window = window.lower() if locale == "en" else window  # said mid-sentence: "in the evening"
            return "appointment", {"date": format_day(pending[0].due_date, locale), "window": window}
    elif hold is not None:
        return LeftOut(household.room, household.household_id, "playbook_hold", hold)
    values = {"amount": format_yuan(facts.owed_fen), "period": period_text(facts, locale)}
    if kind == "holiday":
        assert holiday is not None
        h, _ = holiday
        return "holiday", {"holiday": h.name if locale == "zh" else (h.name_en or h.name)}
    return "overdue", values


def _playbook_hold(ladder: LadderState) -> Text | None:
    """Why the playbook holds all contact with a household right now (None: it does not)."""
    quiet_until = ladder.quiet_until
    if ladder.with_legal:
        return Text("已交法务部处理，不再发催费短信", "with the legal department: no more reminder texts")
    if quiet_until is not None:
        return Text(f"刚寄出函件，{quiet_until:%Y-%m-%d}之前不联系", f"a letter was just sent: no contact before {quiet_until:%Y-%m-%d}")
    return None


def _blocking_complaints(facts: HouseholdFacts, acct: Account, settings: Settings) -> str:
    """The open complaints about something this household is charged for, as one line (empty: none)."""
    items = {c.item for c in acct.open_charges}
    blocks = settings.reminders.complaint_blocks
    found = [c for c in facts.complaints if c.status == "open" and items & set(blocks.get(c.category, ()))]
    return "; ".join(f"{c.category}: {c.text}" for c in found)


def _no_mobile_text(why: str) -> Text:
    return {
        "no_phone": Text("没有登记电话", "no phone number on file"),
        "no_mobile": Text("只有固定电话，收不到短信", "only a landline, which takes no texts"),
        "not_owners": Text("登记的手机号也是租户或中介的，不能发", "the mobile on file is also a tenant's or an agent's"),
    }[why]


def _no_window_text(day: date, settings: Settings) -> Text:
    spans = ", ".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in settings.contact.sms_windows if day.weekday() in w.weekdays) or "-"
    return Text(
        f"{day.isoformat()}已没有可发短信的时段（contact.sms_windows {spans}，除去休息和不催费时间）",
        f"no time left for texts on {day.isoformat()} (contact.sms_windows {spans}, less quiet and no-collection hours)",
    )
