"""The playbook's rules: from a household's facts and the clock to advice.

:func:`advise` is a pure function of :class:`HouseholdFacts`, the settings and
``now``: no database, no screen, so every debtor type and every rung of the
escalation ladder can be tested from hand-built cases. It answers the three
questions a guard with one training session has at a door: what kind of case
is this (and why, in words), what do I do next and when, and what do I say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from knock.core.money import format_yuan
from knock.core.rooms import room_walk_key
from knock.playbook.content import DEBTOR_TYPES, GROUPS, Locale, Objection, Playbook, Text, load_playbook
from knock.playbook.facts import ContactFact, HouseholdFacts, PromiseFact
from knock.playbook.guardrails import count_toward_cap, next_window
from knock.playbook.messages import fill, format_day, values_for
from knock.settings import Settings, Window
from knock.vocabulary import label

PRECEDENCE: tuple[str, ...] = (
    "hardship",
    "wilful_refusal",
    "soured",
    "defect_dispute",
    "agrees_no_show",
    "unreachable",
    "vacant",
    "busy_away",
    "not_yet_paid",
)
"""When a household is several types at once, the first here leads: its action and cards come first."""
assert sorted(PRECEDENCE) == sorted(DEBTOR_TYPES)

GROUP_RANK: dict[str, int] = {g: i for i, g in enumerate(GROUPS)}
"""ordinary < undecided < hard: ordinary payers are visited first so the undecided see neighbours paying."""

FAILED_ATTEMPT = frozenset({"not_home", "unreachable", "wrong_number"})
"""Outcomes of an attempt that reached nobody."""
FAILED_CONTACT = FAILED_ATTEMPT | {"refused"}
"""Outcomes that count as a failed contact for the escalation ladder."""
RESPONSE = frozenset({"paid", "part_paid", "complaint"})
"""Outcomes that show the household answered (a letter is then heeded)."""
SMS_THEN_CALL_DAYS = 3
"""After a text, wait this many days before suggesting another text rather than a call."""
REPLY_WITHIN_DAYS = 3
"""The reply-by date a card offers when a collector promises to report back."""

CONTACT_ACTIONS = frozenset({"sms", "call", "visit", "leave_notice", "ask_call_back"})
_CHANNEL_OF = {
    "sms": "sms",
    "call": "phone",
    "visit": "door",
    "leave_notice": "door",
    "ask_call_back": "door",
    "dunning_letter": "letter",
    "lawyer_letter": "letter",
}

Slot = Literal["weekday_daytime", "weekend_daytime", "evening"]
SLOT_NAMES: dict[str, tuple[str, str]] = {
    "weekday_daytime": ("工作日白天", "weekday daytime"),
    "weekend_daytime": ("周末白天", "weekend daytime"),
    "evening": ("晚上", "evening"),
}
"""The time slots the seeds spread attempts over: an owner out at work all week is home some evening or weekend."""
EVENING_FROM = time(17, 0)
"""Where daytime ends and the evening slot begins."""
WEEKEND_DAYTIME = (Window(weekdays=[5, 6], start=time(9, 0), end=time(17, 0)),)
"""A weekend daytime visit for a household never found in the evening (clipped by meals and Sunday evening as always)."""

NOTICE_LEFT = "notice_left"
"""A contact's reason (or the field app's note "notice") saying a door notice asking for a call back was left."""
ASKED_CALL_BACK = "asked_call_back"
"""A contact's reason: a tenant, agent or neighbour was asked only to pass on a request to call (no debt mentioned)."""
RECORDS_CHECKED = "records_checked"
"""A note's reason: the company's own move-in and rental records were checked for another number."""
HARDSHIP_REASONS = frozenset({"cant_afford"})
"""Fallback when the playbook is not at hand; the objections' ``refusal: hardship`` is the source."""


def slot_of(at: datetime) -> Slot:
    """The seeds' time slot of a moment: weekday daytime, weekend daytime or evening."""
    if at.time() >= EVENING_FROM:
        return "evening"
    return "weekend_daytime" if at.weekday() >= 5 else "weekday_daytime"



# --------------------------------------------------------------------------- values

Priority = Literal["normal", "high", "urgent"]
PRIORITY_RANK: dict[str, int] = {"urgent": 0, "high": 1, "normal": 2}
"""Most urgent first."""


@dataclass(frozen=True)
class TypeFinding:
    """One debtor type that applies, with the facts that made it apply, in words."""

    key: str
    group: str
    reasons: tuple[Text, ...]


@dataclass(frozen=True)
class TimeWindow:
    """When to act: a stretch already clear of quiet hours, Sunday evening and meals."""

    start: datetime
    end: datetime

    def label(self, locale: Locale) -> str:
        """6月8日（周六） 19:00-21:30 / Sat 8 Jun 19:00-21:30."""
        return f"{format_day(self.start.date(), locale)} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class NextAction:
    """The next best action and when to take it."""

    key: str
    """One of content.ACTIONS."""
    channel: Literal["door", "phone", "sms", "letter"] | None
    not_before: datetime
    window: TimeWindow | None
    """For sms, call, visit and leave_notice: the first suitable window; None for letters and waiting."""
    reasons: tuple[Text, ...]


@dataclass(frozen=True)
class LadderState:
    """Where a household stands on the escalation ladder."""

    step: Literal["dunning_letter", "lawyer_letter", "hand_to_manager"] | None
    """The rung due now, or None."""
    quiet_until: datetime | None
    """No visits or calls before this (a letter was just sent)."""
    due_at: datetime | None
    """When the next rung falls due, if it is waiting on a letter's deadline."""
    with_legal: bool
    reasons: tuple[Text, ...]
    held: tuple[Text, ...]
    """Why a rung that is otherwise due is held back."""


@dataclass(frozen=True)
class RenderedCard:
    """A card with this household's values filled in, both locales."""

    key: str
    type_key: str
    audience: str
    title: Text
    lines: tuple[Text, ...]


@dataclass(frozen=True)
class RenderedObjection:
    """An objection with its answer filled in for this household."""

    objection: Objection
    answer: tuple[Text, ...]
    follow_up_label: Text
    raised: bool
    """True when this household has already said it (logged as a contact's reason)."""


@dataclass(frozen=True)
class Advice:
    """Everything the playbook says about one household at one moment."""

    room: str
    at: datetime
    types: tuple[TypeFinding, ...]
    group: str
    next_action: NextAction
    action_label: Text
    goal: Text | None
    tactics: tuple[Text, ...]
    cards: tuple[RenderedCard, ...]
    objections: tuple[RenderedObjection, ...]
    ladder: LadderState
    alerts: tuple[Text, ...] = ()
    contacts_today: int = 0
    priority: Priority = "normal"
    """How soon the office should look at this household (limitation risk is urgent, deep arrears high)."""
    type_names: dict[str, Text] = field(default_factory=dict)
    group_label: Text | None = None

    @property
    def type_keys(self) -> tuple[str, ...]:
        """The debtor types, leading type first."""
        return tuple(t.key for t in self.types)

    @property
    def primary_type(self) -> str | None:
        """The leading debtor type (None when nothing is owed)."""
        return self.types[0].key if self.types else None


# --------------------------------------------------------------------------- small facts


def _on_facts_clock(facts: HouseholdFacts, now: datetime) -> datetime:
    """``now`` on the clock the facts are on (one datetime; the facts themselves are never rewritten).

    The builder (:func:`knock.core.household_facts.facts_for`) puts every time
    of the facts in the community's zone once, and says which in
    ``facts.zone``; the rules reason in that wall time (quiet hours are 22:00
    local, "today" is the local date). Naive facts (hand-built cases) take
    ``now``'s wall time; an aware ``now`` in another zone is the same moment,
    read in the facts' zone; a naive ``now`` is already wall time there.
    """
    zone = facts.zone
    if zone is None:
        return now.replace(tzinfo=None)
    if now.tzinfo is None:
        return now.replace(tzinfo=zone)
    return now.astimezone(zone)


def _midnight(day: date, now: datetime) -> datetime:
    """The start of ``day`` on ``now``'s clock."""
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)


def _d(day: date | datetime) -> Text:
    day = day.date() if isinstance(day, datetime) else day
    return Text(format_day(day, "zh", weekday=False), format_day(day, "en", weekday=False))


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _is_broken(p: PromiseFact, today: date) -> bool:
    """Broken, or still open after its day has passed (the ledger may not have caught up)."""
    return p.status == "broken" or (p.status == "open" and p.due_date < today)


def _pending(facts: HouseholdFacts, today: date) -> PromiseFact | None:
    open_ones = [p for p in facts.promises if p.status == "open" and p.due_date >= today]
    return min(open_ones, key=lambda p: p.due_date) if open_ones else None


def _person_contacts(facts: HouseholdFacts) -> list[ContactFact]:
    """Contacts by people (door, phone, sms), oldest first; letters and notes are not attempts."""
    return sorted((c for c in facts.contacts if c.channel != "letter" and c.outcome != "note"), key=lambda c: c.at)


def contacts_today(facts: HouseholdFacts, now: datetime) -> int:
    """Contacts of this household on ``now``'s date, as the daily cap counts them.

    The one rule (:func:`knock.playbook.guardrails.count_toward_cap`) the
    ledger uses too: visits, calls, texts and letters count, notes do not, and
    a letter logged both as a contact and as an escalation counts once.
    """
    now = _on_facts_clock(facts, now)
    return count_toward_cap(
        now.date(),
        ((c.at, c.channel, c.outcome) for c in facts.contacts),
        ((x.at, x.step) for x in facts.escalations),
    )


def _failed_streak(facts: HouseholdFacts) -> list[ContactFact]:
    """The most recent run of attempts that reached nobody."""
    streak: list[ContactFact] = []
    for c in reversed(_person_contacts(facts)):
        if c.outcome not in FAILED_ATTEMPT:
            break
        streak.append(c)
    return streak


def _last_response(facts: HouseholdFacts, today: date) -> datetime | None:
    """The last time the household answered: paid, complained, or made a promise not (yet) broken."""
    times = [c.at for c in facts.contacts if c.outcome in RESPONSE]
    if facts.last_paid_at is not None:
        times.append(facts.last_paid_at)
    times.extend(p.made_at for p in facts.promises if p.status == "kept" or (p.status == "open" and p.due_date >= today))
    return max(times) if times else None


def _refusal_kind(c: ContactFact, book: Playbook) -> str:
    """How a refusal reads: a blank reason is a plain "I won't pay"; an objection says what it was."""
    if not c.reason:
        return "denies_debt"
    objection = book.objections.get(c.reason)
    if objection is not None:
        return objection.refusal
    return "hardship" if c.reason in HARDSHIP_REASONS else "dispute"


def _is_failure(c: ContactFact, book: Playbook) -> bool:
    """A failed contact for the ladder: nobody reached, or a refusal that denies the debt.

    "Can't afford it" leads to an instalment application, "too busy" is no
    refusal, and a complaint has its own path: none of them counts.
    """
    if c.outcome in FAILED_ATTEMPT:
        return True
    return c.outcome == "refused" and _refusal_kind(c, book) == "denies_debt"


def _failures_since(facts: HouseholdFacts, since: datetime | None, today: date, book: Playbook) -> int:
    """Failed contacts and broken promises after ``since`` (all of them when None)."""
    contacts = sum(1 for c in facts.contacts if _is_failure(c, book) and (since is None or c.at > since))
    broken = sum(
        1 for p in facts.promises if _is_broken(p, today) and (since is None or datetime.combine(p.due_date, time.max, tzinfo=since.tzinfo) > since)
    )
    return contacts + broken


def _raised(facts: HouseholdFacts) -> list[tuple[str, datetime]]:
    """Objection keys this household has given as reasons, most recent first."""
    return [(c.reason, c.at) for c in sorted(facts.contacts, key=lambda c: c.at, reverse=True) if c.reason]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --------------------------------------------------------------------------- reaching the owner


def _hardship_since(facts: HouseholdFacts, since: datetime | None, book: Playbook) -> ContactFact | None:
    """The latest "can't afford it" since the household last paid, if any."""
    said = [
        c
        for c in facts.contacts
        if c.reason and _refusal_kind(c, book) == "hardship" and (since is None or c.at > since)
    ]
    return max(said, key=lambda c: c.at) if said else None


def _spread(attempts: Sequence[ContactFact]) -> tuple[set[date], set[str]]:
    """The distinct days and time slots a run of knocks and calls covered (a text is not an attempt to meet)."""
    tries = [c for c in attempts if c.channel in ("door", "phone")]
    return {c.at.date() for c in tries}, {slot_of(c.at) for c in tries}


def _is_spread(attempts: Sequence[ContactFact], settings: Settings) -> bool:
    """Enough attempts, on distinct days and in distinct slots, to call a household unreachable.

    Three knocks within minutes are one attempt: the owner may simply work
    days. The seeds' advice is an evening visit, a Friday or Saturday
    afternoon call and a weekend daytime visit before giving up on a time.
    """
    days, slots = _spread(attempts)
    c = settings.contact
    return len(days) >= c.unreachable_after_attempts and len(slots) >= min(c.unreachable_min_slots, 3)


def _notice_left(c: ContactFact) -> bool:
    return c.channel == "door" and (c.reason == NOTICE_LEFT or c.note.strip() == "notice")


WalkStep = tuple[str, tuple[Window, ...] | None, Text]


def _reach_walk(facts: HouseholdFacts, since: datetime | None, settings: Settings) -> list[WalkStep]:
    """The ways to reach the owner still untried since ``since``, in the order to try them.

    Before any letter: a door notice asking for a call back, a call at
    another time, the tenant or agent asked only to pass on a call-back
    request, and the company's own move-in and rental records. A letter
    to someone who was never reached is a letter to nobody in particular.
    """
    recent = [c for c in facts.contacts if since is None or c.at > since]
    steps: list[WalkStep] = []
    if not any(_notice_left(c) for c in recent):
        steps.append(("leave_notice", None, Text("门上留通知请回电（外面不写金额）", "leave a notice asking for a call back (no amount on the outside)")))
    calls = [c for c in recent if c.channel == "phone" and c.outcome in FAILED_ATTEMPT]
    if facts.has_phone and len({slot_of(c.at) for c in calls}) < 2:
        tried = {SLOT_NAMES[slot_of(c.at)][0] for c in calls}
        why = Text(
            f"换个时间打电话（已在{'、'.join(sorted(tried))}打过）" if tried else "打个电话，周五或周六下午最容易接通",
            "call at another time than before" if tried else "call; Friday and Saturday afternoons are the likeliest",
        )
        steps.append(("call", None, why))
    if not any(c.reason == ASKED_CALL_BACK for c in recent):
        steps.append(("ask_call_back", None, Text("请租户或中介转告请业主回电，只说这一句，不提费用", "ask the tenant or agent to pass on a call-back request, that only, no mention of fees")))
    if not any(c.reason == RECORDS_CHECKED for c in recent):
        steps.append(("check_records", None, Text("查公司自己的入住和租赁登记，看有没有其他电话", "check the company's own move-in and rental records for another number")))
    return steps


def _next_attempt(facts: HouseholdFacts, streak: Sequence[ContactFact], settings: Settings) -> WalkStep:
    """Another attempt in a slot the failed run has not covered yet."""
    days, _ = _spread(streak)
    door_slots = {slot_of(c.at) for c in streak if c.channel == "door"}
    tried_phone = any(c.channel == "phone" for c in streak)
    if "evening" not in door_slots:
        return ("visit", None, Text("白天没人，改在晚上上门", "nobody in the daytime: visit in the evening"))
    if facts.has_phone and not tried_phone:
        return ("call", None, Text("上门没人，周五或周六下午打个电话", "nobody at the door: call on a Friday or Saturday afternoon"))
    if "weekend_daytime" not in door_slots:
        return ("visit", WEEKEND_DAYTIME, Text("晚上没人，改在周末白天上门", "nobody in the evenings: visit at the weekend in the daytime"))
    return ("visit", None, Text(f"已在{len(days)}天里试过，换一天再去", f"tried on {len(days)} day(s): try another day"))


# --------------------------------------------------------------------------- escalation


def escalation_state(facts: HouseholdFacts, settings: Settings, now: datetime, *, playbook: Playbook | None = None) -> LadderState:
    """The escalation ladder, exactly as configured in ``settings.escalation``.

    First dunning letter: ``dunning_min_months`` owed and
    ``dunning_min_failed_contacts`` failed contacts (refusals, no answer,
    broken promises) since the household last answered. A further dunning
    letter: the last one's deadline passed unanswered. Lawyer's letter:
    ``lawyer_min_dunning_letters`` unanswered dunning letters, the last one's
    deadline passed, and ``lawyer_min_months`` owed. Legal department: the
    lawyer's letter unanswered for ``legal_after_lawyer_days`` (and its own
    deadline). A payment, complaint or promise resets the count. Nothing is
    escalated while a complaint is open or a promise is pending, and nobody
    visits or calls for ``quiet_days_after_letter`` days after any letter.
    Only refusals that deny the debt count as failed contacts; a household
    that said it cannot afford to pay gets an instalment application instead
    of a letter, and one never reached gets the ways-to-reach walk first.
    """
    return _escalation_state(facts, settings, _on_facts_clock(facts, now), playbook or load_playbook())


def _escalation_state(facts: HouseholdFacts, settings: Settings, now: datetime, book: Playbook) -> LadderState:
    e = settings.escalation
    today = now.date()
    letters = sorted(facts.escalations, key=lambda x: x.at)
    quiet_until: datetime | None = None
    if letters:
        end = letters[-1].at + timedelta(days=e.quiet_days_after_letter)
        if now < end:
            quiet_until = end
    if facts.owed_fen <= 0:
        return LadderState(None, quiet_until, None, False, (), ())

    answered = _last_response(facts, today)
    unanswered = [x for x in letters if answered is None or x.at > answered]
    dunning = [x for x in unanswered if x.step == "dunning_letter"]
    lawyer = [x for x in unanswered if x.step == "lawyer_letter"]
    legal = [x for x in unanswered if x.step == "legal"]
    months = facts.months_owed
    step: Literal["dunning_letter", "lawyer_letter", "hand_to_manager"] | None = None
    due_at: datetime | None = None
    reasons: list[Text] = []
    held: list[Text] = []

    if legal:
        d = _d(legal[-1].at)
        reasons.append(Text(f"{d.zh}已交法务部处理", f"with the legal department since {d.en}"))
    elif lawyer:
        wait = max(e.legal_after_lawyer_days, e.lawyer_deadline_days)
        due_at = lawyer[-1].at + timedelta(days=wait)
        d = _d(lawyer[-1].at)
        if now >= due_at:
            step = "hand_to_manager"
            reasons.append(Text(f"律师函{d.zh}寄出，{wait}天没有回应，交法务部", f"lawyer's letter sent {d.en}, no response in {wait} days: hand to the legal department"))
        else:
            reasons.append(Text(f"律师函{d.zh}寄出，等到{_d(due_at).zh}", f"lawyer's letter sent {d.en}; waiting until {_d(due_at).en}"))
    elif dunning:
        due_at = dunning[-1].at + timedelta(days=e.dunning_deadline_days)
        d = _d(dunning[-1].at)
        n = len(dunning)
        if n >= e.lawyer_min_dunning_letters:
            nxt: Literal["dunning_letter", "lawyer_letter"] = "lawyer_letter"
            need = e.lawyer_min_months
        else:
            nxt, need = "dunning_letter", e.dunning_min_months
        if months < need:
            held.append(
                Text(
                    f"已寄{n}封催费函，但只欠{months}个月，不到{need}个月，不升级",
                    f"{n} dunning letter(s) sent, but only {months} month(s) owed, under {need}: no escalation",
                )
            )
        elif now >= due_at:
            step = nxt
            if nxt == "lawyer_letter":
                reasons.append(Text(f"{n}封催费函都没有回应，欠费{months}个月", f"{n} dunning letters unanswered, {months} months owed"))
            else:
                reasons.append(Text(f"第{n}封催费函{d.zh}寄出，期限已过仍无回应", f"dunning letter {n} sent {d.en}, deadline passed with no response"))
        else:
            reasons.append(Text(f"催费函{d.zh}寄出，期限到{_d(due_at).zh}", f"dunning letter sent {d.en}; its deadline is {_d(due_at).en}"))
    else:
        failures = _failures_since(facts, answered, today, book)
        if months >= e.dunning_min_months and failures >= e.dunning_min_failed_contacts:
            step = "dunning_letter"
            reasons.append(Text(f"欠费{months}个月，{failures}次联系未果", f"{months} months owed, {failures} failed contacts"))
            since_answer = [c for c in _person_contacts(facts) if answered is None or c.at > answered]
            if since_answer and all(c.outcome in FAILED_ATTEMPT for c in since_answer):
                streak = _failed_streak(facts)
                if not _is_spread(streak, settings):
                    held.append(Text("没联系上的几次不够分散（不同日子、不同时段），先换时间再试", "the failed attempts are not yet spread over different days and times: try again at another time first"))
                else:
                    walk = _reach_walk(facts, answered, settings)
                    if walk:
                        held.append(Text(f"还没试完其他联系方式：先{walk[0][2].zh}", f"other ways to reach the owner are untried: first {walk[0][2].en}"))

    if step is not None:
        hardship = _hardship_since(facts, facts.last_paid_at, book)
        if hardship is not None and step in ("dunning_letter", "lawyer_letter"):
            held.append(Text(f"{_d(hardship.at).zh}说过经济困难：先报经理申请分期，不寄催费函", f"said on {_d(hardship.at).en} that money is tight: an instalment application through the manager, not a letter"))
        open_complaints = [c for c in facts.complaints if c.status == "open"]
        pending = _pending(facts, today)
        if open_complaints:
            held.append(Text("有未处理的投诉，先处理投诉再升级", "a complaint is still open: resolve it before escalating"))
        if pending is not None:
            pd = _d(pending.due_date)
            held.append(Text(f"已约定{pd.zh}缴费，先等约定", f"a payment is promised for {pd.en}: wait for it"))
        if held:
            step = None
    return LadderState(step, quiet_until, due_at, bool(legal), tuple(reasons), tuple(held))


# --------------------------------------------------------------------------- types


def classify(facts: HouseholdFacts, settings: Settings, now: datetime, playbook: Playbook | None = None) -> tuple[TypeFinding, ...]:
    """The household's debtor types with reasons, leading type first (empty when nothing is owed)."""
    now = _on_facts_clock(facts, now)
    if facts.owed_fen <= 0:
        return ()
    book = playbook or load_playbook()
    today = now.date()
    e = settings.escalation
    found: dict[str, list[Text]] = {}

    def add(key: str, zh: str, en: str) -> None:
        found.setdefault(key, []).append(Text(zh, en))

    raised = _raised(facts)
    for reason, at in raised:
        objection = book.objections.get(reason)
        if objection is None:
            continue
        for t in objection.types:
            if t in ("wilful_refusal", "hardship"):
                continue  # a hard word once is not wilful refusal, and hardship ends with a payment: decided below
            d = _d(at)
            add(t, f"{d.zh}说过：“{objection.says.zh}”", f"said on {d.en}: \"{objection.says.en}\"")

    # agrees but never comes
    broken = [p for p in facts.promises if _is_broken(p, today)]
    if len(broken) >= settings.contact.no_show_after_broken_promises:
        all_promises = sorted(facts.promises, key=lambda p: p.made_at)
        kept = sum(1 for p in facts.promises if p.status == "kept")
        d = _d(all_promises[0].made_at)
        n = len(all_promises)
        add(
            "agrees_no_show",
            f"自{d.zh}以来答应过{n}次，{'一次也没兑现' if kept == 0 else f'只兑现了{kept}次'}",
            f"promised {_times(n)} since {d.en}, kept {'none' if kept == 0 else kept}",
        )

    # unreachable
    streak = _failed_streak(facts)
    reached_ever = any(c.outcome not in FAILED_ATTEMPT for c in _person_contacts(facts))
    if _is_spread(streak, settings):
        phone = sum(1 for c in streak if c.channel in ("phone", "sms"))
        door = sum(1 for c in streak if c.channel == "door")
        days, slots = _spread(streak)
        d = _d(streak[-1].at)
        slot_zh = "、".join(SLOT_NAMES[x][0] for x in SLOT_NAMES if x in slots)
        slot_en = ", ".join(SLOT_NAMES[x][1] for x in SLOT_NAMES if x in slots)
        add(
            "unreachable",
            f"自{d.zh}起{len(days)}天、{len(slots)}个时段（{slot_zh}）都没联系上（电话{phone}次，上门{door}次）",
            f"not reached on {len(days)} days in {len(slots)} time slots ({slot_en}) since {d.en} (phone {phone}, door {door})",
        )
    elif not facts.has_phone and not reached_ever and facts.occupancy != "vacant":
        add("unreachable", "没有登记电话，也从没联系上", "no phone on record and never reached")
    if any(c.outcome == "wrong_number" for c in streak) and "unreachable" not in found and not facts.has_phone:
        add("unreachable", "登记的电话是错号", "the phone on record is a wrong number")

    # building defects
    for c in facts.complaints:
        if c.category == "defect" and c.status == "open":
            d = _d(c.opened_at)
            add("defect_dispute", f"有未关闭的房屋质量投诉（{d.zh}）：{c.text}", f"open building-defect complaint since {d.en}: {c.text}")

    # vacant
    if facts.occupancy == "vacant":
        add("vacant", "登记为空置房", "recorded as vacant")

    # soured relationship
    for c in facts.complaints:
        if c.category == "defect":
            continue
        d = _d(c.opened_at)
        if c.category == "staff":
            add("soured", f"{d.zh}投诉过员工：{c.text}", f"complained about staff on {d.en}: {c.text}")
        elif c.status == "open":
            add("soured", f"有未处理的投诉（{d.zh}）：{c.text}", f"open complaint since {d.en}: {c.text}")
        elif c.category == "service":
            add("soured", f"{d.zh}投诉过服务：{c.text}", f"complained about the service on {d.en}: {c.text}")

    # busy or away
    if "away" in facts.tags:
        add("busy_away", "服务中心标注为长期在外", "marked by the office as away")
    if "busy" in facts.tags:
        add("busy_away", "服务中心标注为工作忙", "marked by the office as busy")
    if facts.occupancy == "rented":
        add("busy_away", "房屋已出租，业主不住小区", "the home is let; the owner lives elsewhere")

    # wilful refusal: 3+ months, reached and refused or broke promises, and the ladder's counts
    hardship = _hardship_since(facts, facts.last_paid_at, book)
    if hardship is not None:
        d = _d(hardship.at)
        add("hardship", f"{d.zh}说过经济困难，交不起，不是不认这笔费", f"said on {d.en} that money is tight; not a denial of the fee")

    refusals = sum(1 for c in facts.contacts if c.outcome == "refused" and _refusal_kind(c, book) == "denies_debt")
    answered = _last_response(facts, today)
    failures = _failures_since(facts, answered, today, book)
    unanswered_letters = [x for x in facts.escalations if answered is None or x.at > answered]
    if facts.months_owed >= e.dunning_min_months and (refusals + len(broken)) >= 1:
        if unanswered_letters:
            add(
                "wilful_refusal",
                f"欠费{facts.months_owed}个月，已寄{len(unanswered_letters)}封函仍无回应",
                f"{facts.months_owed} months owed; {len(unanswered_letters)} letter(s) sent without response",
            )
        elif failures >= e.dunning_min_failed_contacts:
            add(
                "wilful_refusal",
                f"欠费{facts.months_owed}个月，{failures}次联系未果（拒绝{refusals}次，失约{len(broken)}次）",
                f"{facts.months_owed} months owed, {failures} failed contacts ({refusals} refused, {len(broken)} broken promise(s))",
            )

    if not found:
        months = facts.months_owed
        history = (
            Text(f"，过去两年有{facts.paid_history_months}个月缴过费", f"; paid in {facts.paid_history_months} of the last 24 months")
            if facts.paid_history_months
            else Text("", "")
        )
        add(
            "not_yet_paid",
            f"欠{months}个月，共{_yuan(facts.owed_fen)}元，没有纠纷或失约记录{history.zh}",
            f"owes {_yuan(facts.owed_fen)} yuan for {months} month(s), no disputes or missed promises{history.en}",
        )
    if _is_deep(facts, settings):
        found[min(found, key=PRECEDENCE.index)].append(_depth_reason(facts, settings))

    return tuple(
        TypeFinding(key, book.types[key].group, tuple(dict.fromkeys(found[key]))) for key in PRECEDENCE if key in found
    )


def _yuan(fen: int) -> str:
    return format_yuan(fen)


def _is_deep(facts: HouseholdFacts, settings: Settings) -> bool:
    """Owing many months or a large sum: never an ordinary case (settings.escalation.deep_arrears_*)."""
    e = settings.escalation
    return facts.owed_fen > 0 and (facts.months_owed >= e.deep_arrears_months or facts.owed_fen >= e.deep_arrears_fen)


def _depth_reason(facts: HouseholdFacts, settings: Settings) -> Text:
    e = settings.escalation
    return Text(
        f"欠费较深：{facts.months_owed}个月、{_yuan(facts.owed_fen)}元（达到{e.deep_arrears_months}个月或{_yuan(e.deep_arrears_fen)}元）",
        f"deep arrears: {facts.months_owed} months, {_yuan(facts.owed_fen)} yuan (at least {e.deep_arrears_months} months or {_yuan(e.deep_arrears_fen)} yuan)",
    )


# --------------------------------------------------------------------------- next action


def _window_for(action: str, after: datetime, settings: Settings, windows: Sequence[Window] | None = None) -> TimeWindow | None:
    c = settings.contact
    if windows is None:
        windows = {"sms": c.sms_windows, "call": c.call_windows, "visit": c.visit_windows, "leave_notice": c.visit_windows, "ask_call_back": c.visit_windows}.get(action)
    if windows is None:
        return None
    found = next_window(after, windows, settings)
    return TimeWindow(*found) if found else None


ActionPlan = tuple[str, datetime, list[Text], tuple[Window, ...] | None]


def _type_action(primary: str, facts: HouseholdFacts, now: datetime, settings: Settings, book: Playbook) -> ActionPlan:
    """The action the leading type calls for, when nothing more urgent applies.

    A run of failed attempts first moves to a slot not yet tried (evening,
    a Friday/Saturday afternoon call, weekend daytime); an unreachable
    household then walks the ways to reach the owner. Neither ever gets
    "visit again now".
    """
    streak = _failed_streak(facts)
    if primary == "unreachable":
        answered = _last_response(facts, now.date())
        walk = _reach_walk(facts, answered, settings)
        if walk:
            key, windows, why = walk[0]
            return key, now, [why], windows
        return "hand_to_manager", now, [Text("各种联系方式都试过了，请经理决定是否寄函", "every way to reach the owner has been tried: a manager decides whether to send a letter")], None
    if _spread(streak)[0] and primary in ("not_yet_paid", "busy_away", "vacant", "agrees_no_show") and not _is_spread(streak, settings):
        key, windows, why = _next_attempt(facts, streak, settings)
        return key, now, [why], windows
    key, not_before, reasons = _plain_type_action(primary, facts, now, settings)
    return key, not_before, reasons, None


def _plain_type_action(primary: str, facts: HouseholdFacts, now: datetime, settings: Settings) -> tuple[str, datetime, list[Text]]:
    today = now.date()
    people = _person_contacts(facts)
    if primary == "hardship":
        return "instalment_application", now, [Text("业主说经济困难：把分期申请报给经理，约好几天内回复", "the owner says money is tight: put an instalment application to the manager and agree when to report back")]
    if primary == "wilful_refusal":
        return "visit", now, [Text("请班长或经理上门再当面谈一次", "a team lead or manager visits for one more talk in person")]
    if primary in ("soured", "defect_dispute"):
        if any(c.status == "open" for c in facts.complaints):
            return "visit", now, [Text("先上门报告投诉或维修的进度", "visit to report progress on the complaint or repair first")]
        return "visit", now, [Text("投诉已处理，上门回复结果，再谈缴费", "the complaint is resolved: visit to report back, then talk about the fee")]
    if primary == "agrees_no_show":
        return "call", now, [Text("打电话约一个具体的日子和上午或下午", "call to fix a concrete day and morning or afternoon")]
    if primary == "vacant":
        if facts.has_phone:
            return "call", now, [Text("房子空置，打电话并发缴费链接", "the home is vacant: call and send the payment link")]
        return "leave_notice", now, [Text("房子空置又没有电话，门上留通知请回电", "vacant with no phone: leave a notice asking for a call back")]
    recent_sms = [c for c in people if c.channel == "sms" and (now - c.at) < timedelta(days=SMS_THEN_CALL_DAYS)]
    if primary == "busy_away":
        if recent_sms:
            return "call", now, [Text("短信已发，打个简短的电话约时间", "a text was sent: make a short call to fix a time")]
        return "sms", now, [Text("发短信附缴费链接，方便远程缴", "text the payment link so the owner can pay remotely")]
    # not yet paid: text, then call, then visit; deep arrears go straight to the door
    if _is_deep(facts, settings):
        return "visit", now, [Text(f"欠{facts.months_owed}个月、{_yuan(facts.owed_fen)}元，不只发短信，上门当面谈", f"{facts.months_owed} months and {_yuan(facts.owed_fen)} yuan owed: not just a text, talk in person at the door")]
    since = _midnight(facts.oldest_due, now) if facts.oldest_due else None
    this_period = [c for c in people if since is None or c.at >= since]
    if not this_period:
        reminder = date(today.year, today.month, settings.contact.reminder_day_of_month)
        if facts.months_owed <= 1 and today < reminder:
            return "sms", _midnight(reminder, now), [
                Text(f"每月{reminder.day}号起开始提醒", f"reminders start on day {reminder.day} of the month")
            ]
        return "sms", now, [Text("先发短信提醒", "start with a text reminder")]
    if all(c.channel == "sms" for c in this_period):
        if recent_sms:
            return "call", recent_sms[-1].at + timedelta(days=SMS_THEN_CALL_DAYS), [Text("短信发过了，过几天再打电话", "a text was sent; call a few days later")]
        return "call", now, [Text("短信提醒过了，打电话约时间", "the text reminder went unanswered: call to fix a time")]
    return "visit", now, [Text("短信、电话都试过了，上门送账单", "text and call tried: take the bill to the door")]


def _next_action(
    facts: HouseholdFacts, types: tuple[TypeFinding, ...], ladder: LadderState, settings: Settings, now: datetime, n_today: int, book: Playbook
) -> NextAction:
    today = now.date()

    failed_today = {slot_of(c.at) for c in _person_contacts(facts) if c.at.date() == today and c.outcome in FAILED_ATTEMPT}

    def act(key: str, not_before: datetime, reasons: list[Text], windows: tuple[Window, ...] | None = None) -> NextAction:
        not_before = max(not_before, now)
        window = _window_for(key, not_before, settings, windows) if key in CONTACT_ACTIONS else None
        if window is not None and window.start.date() == today and slot_of(window.start) in failed_today:
            # Nobody answered in this slot today: the next try is another time window or another day, never "again now".
            retry: TimeWindow | None = window
            for _ in range(8):
                assert retry is not None
                retry = _window_for(key, retry.end, settings, windows)
                if retry is None or retry.start.date() != today or slot_of(retry.start) not in failed_today:
                    break
            window = retry
            if window is not None:
                not_before = max(not_before, window.start)
                reasons = [*reasons, Text("今天这个时段已经没人应，换个时段或改天", "no answer in this slot today: another time or another day")]
        return NextAction(key, _CHANNEL_OF.get(key), not_before, window, tuple(reasons))  # type: ignore[arg-type]

    if facts.owed_fen <= 0:
        return act("wait", now, [Text("没有欠费", "nothing owed")])
    if ladder.quiet_until is not None:
        q = _d(ladder.quiet_until)
        return act("wait", ladder.quiet_until, [Text(f"刚寄出函件，{q.zh}之前不上门、不打电话", f"a letter was just sent: no visits or calls before {q.en}")])
    if ladder.with_legal:
        return act("wait", now, [*ladder.reasons, Text("由法务部跟进，现场不再催收", "the legal department is handling it; no field collection")])
    if ladder.step is not None:
        return act(ladder.step, now, list(ladder.reasons))

    pending = _pending(facts, today)
    if pending is not None:
        pd = _d(pending.due_date)
        eve = pending.due_date - timedelta(days=1)
        if today < eve:
            return act("wait", _midnight(eve, now), [Text(f"已约定{pd.zh}缴费，前一天再提醒", f"payment promised for {pd.en}; remind the day before")])
        if today == eve:
            return act("sms", now, [Text(f"明天（{pd.zh}）约好缴费，今天发短信提醒", f"payment promised for tomorrow ({pd.en}): send the reminder today")])
        return act("wait", _midnight(today + timedelta(days=1), now), [Text("今天是约定缴费的日子，等业主来", "today is the promised day: wait for the owner")])

    staff = [c for c in facts.complaints if c.status == "open" and c.category == "staff"]
    if staff:
        return act("hand_to_manager", now, [Text("有针对员工的投诉还没处理，请经理处理并换人跟进", "an open complaint about staff: a manager handles it and sends someone else")])

    limitation = _limitation_left(facts, settings, now)
    if limitation is not None and 0 <= limitation <= settings.escalation.limitation_warn_days and types[0].key not in ("hardship",):
        return act("hand_to_manager", now, [Text(f"最早一笔{limitation}天后满诉讼时效，请经理安排书面催告", f"the oldest charge reaches the limitation period in {limitation} days: a manager arranges a written demand")])

    key, not_before, reasons, windows = _type_action(types[0].key, facts, now, settings, book)
    if key in CONTACT_ACTIONS and n_today >= settings.contact.daily_cap:
        not_before = max(not_before, _midnight(today + timedelta(days=1), now))
        reasons = [
            *reasons,
            Text(f"今天已联系{n_today}次，达到每天{settings.contact.daily_cap}次的上限，明天再联系", f"contacted {_times(n_today)} today, the daily limit of {settings.contact.daily_cap}: next contact tomorrow"),
        ]
    return act(key, not_before, reasons, windows)


def _limitation_left(facts: HouseholdFacts, settings: Settings, now: datetime) -> int | None:
    """Days until the oldest open charge reaches the limitation period (negative when past), or None."""
    e = settings.escalation
    if facts.owed_fen <= 0 or facts.oldest_due is None:
        return None
    ends = _add_years(facts.oldest_due, e.limitation_years)
    last_letter = max((x.at.date() for x in facts.escalations), default=None)
    if last_letter is not None and last_letter >= facts.oldest_due:
        ends = max(ends, _add_years(last_letter, e.limitation_years))
    return (ends - now.date()).days


def _alerts(facts: HouseholdFacts, settings: Settings, now: datetime) -> list[Text]:
    e = settings.escalation
    if facts.owed_fen <= 0 or facts.oldest_due is None:
        return []
    ends = _add_years(facts.oldest_due, e.limitation_years)
    last_letter = max((x.at.date() for x in facts.escalations), default=None)
    if last_letter is not None and last_letter >= facts.oldest_due:
        ends = max(ends, _add_years(last_letter, e.limitation_years))
    left = (ends - now.date()).days
    if left > e.limitation_warn_days:
        return []
    d = _d(ends)
    if left < 0:
        return [Text(f"最早一笔可能已过{e.limitation_years}年诉讼时效（{d.zh}），请经理核实", f"the oldest charge may be past the {e.limitation_years}-year limitation period ({d.en}); ask a manager to check")]
    return [Text(f"最早一笔{left}天后满{e.limitation_years}年诉讼时效（{d.zh}），书面催告可重新计算，请经理处理", f"the oldest charge reaches the {e.limitation_years}-year limitation period in {left} days ({d.en}); a written demand restarts it, ask a manager")]


# --------------------------------------------------------------------------- cards


def _card_values(facts: HouseholdFacts, settings: Settings, now: datetime, locale: Locale, collector: str | None) -> dict[str, str]:
    today = now.date()
    days: list[date] = []
    after = _midnight(today + timedelta(days=1), now)
    while len(days) < 2:
        found = next_window(after, settings.contact.visit_windows, settings)
        if found is None:
            days.append(after.date())
        else:
            days.append(found[0].date())
        after = _midnight(days[-1] + timedelta(days=1), now)
    pending = _pending(facts, today)
    if pending is not None:
        window = label("promise_windows", pending.window, locale)
        window = window.lower() if locale == "en" else window  # said mid-sentence: "in the evening"
    else:
        v = settings.contact.visit_windows
        window = f"{v[0].start:%H:%M}-{v[0].end:%H:%M}" if v else ("约定的时间" if locale == "zh" else "the agreed time")
    complaints = sorted(facts.complaints, key=lambda c: (c.status != "open", c.opened_at))
    repair = complaints[0].text if complaints else ("报修的问题" if locale == "zh" else "the reported problem")
    return values_for(
        facts,
        settings,
        locale,
        collector=collector or ("（您的名字）" if locale == "zh" else "(your name)"),
        date=format_day(today + timedelta(days=REPLY_WITHIN_DAYS), locale),
        window=window,
        choice_a=format_day(days[0], locale),
        choice_b=format_day(days[1], locale),
        repair=repair,
        pay_link=settings.payqr.url_template.split("?")[0],
    )


def _fill_both(text: Text, zh: dict[str, str], en: dict[str, str], name: str) -> Text:
    return Text(fill(text.zh, zh, name=f"{name}.zh"), fill(text.en, en, name=f"{name}.en"))


# --------------------------------------------------------------------------- advise


@dataclass(frozen=True)
class Triage:
    """The cheap half of :class:`Advice`: what kind of case and what to do next, no cards.

    List screens need this for every household on the list; rendering every
    card and answer for 200 households would cost several times more.
    """

    types: tuple[TypeFinding, ...]
    group: str
    next_action: NextAction
    ladder: LadderState
    contacts_today: int
    priority: Priority = "normal"


def _priority(facts: HouseholdFacts, settings: Settings, now: datetime, group: str) -> Priority:
    """Urgent when the oldest charge nears (or passed) the limitation period; high for deep arrears or hard cases."""
    left = _limitation_left(facts, settings, now)
    if left is not None and left <= settings.escalation.limitation_warn_days:
        return "urgent"
    if _is_deep(facts, settings) or group == "hard":
        return "high"
    return "normal"


def _triage(facts: HouseholdFacts, settings: Settings, now: datetime, book: Playbook) -> Triage:
    """:func:`triage` with ``now`` already on the facts' clock."""
    types = classify(facts, settings, now, book)
    ladder = _escalation_state(facts, settings, now, book)
    n_today = contacts_today(facts, now)
    action = _next_action(facts, types, ladder, settings, now, n_today, book)
    group = max((t.group for t in types), key=GROUP_RANK.__getitem__, default="ordinary")
    if _is_deep(facts, settings) and GROUP_RANK[group] < GROUP_RANK["undecided"]:
        group = "undecided"  # owing many months or a large sum is never an ordinary case
    return Triage(types, group, action, ladder, n_today, _priority(facts, settings, now, group))


def triage(facts: HouseholdFacts, settings: Settings, now: datetime, *, playbook: Playbook | None = None) -> Triage:
    """Debtor types, group and next action, exactly as :func:`advise` decides them (pure)."""
    return _triage(facts, settings, _on_facts_clock(facts, now), playbook or load_playbook())


def advise(
    facts: HouseholdFacts,
    settings: Settings,
    now: datetime,
    *,
    collector: str | None = None,
    playbook: Playbook | None = None,
) -> Advice:
    """What kind of case this household is, what to do next and when, and what to say.

    Pure: the same facts, settings and clock always give the same advice.
    ``collector`` only fills the "I'm ..." line of the cards. The facts arrive
    on one clock (``facts.zone``, set once where they are built); ``now`` is
    read on that clock, and the advice's times are on it too.
    """
    now = _on_facts_clock(facts, now)
    book = playbook or load_playbook()
    found = _triage(facts, settings, now, book)
    types, group, action, ladder, n_today = found.types, found.group, found.next_action, found.ladder, found.contacts_today
    priority = found.priority

    zh = _card_values(facts, settings, now, "zh", collector)
    en = _card_values(facts, settings, now, "en", collector)
    cards: list[RenderedCard] = []
    tactics: list[Text] = []
    for finding in types:
        dtype = book.types[finding.key]
        tactics.extend(t for t in dtype.tactics if t not in tactics)
        for card in dtype.cards:
            lines = tuple(_fill_both(line, zh, en, f"types.{dtype.key}.cards.{card.key}") for line in card.say)
            cards.append(RenderedCard(card.key, dtype.key, card.audience, card.title, lines))

    raised_keys = [r for r, _ in _raised(facts) if r in book.objections]
    type_keys = {t.key for t in types}
    order = list(dict.fromkeys(raised_keys))
    order += [k for k, o in book.objections.items() if k not in order and type_keys & set(o.types)]
    order += [k for k in book.objections if k not in order]
    objections = tuple(
        RenderedObjection(
            objection=book.objections[k],
            answer=tuple(_fill_both(line, zh, en, f"objections.{k}.answer") for line in book.objections[k].answer),
            follow_up_label=book.follow_ups[book.objections[k].follow_up],
            raised=k in raised_keys,
        )
        for k in order
    )

    advice = Advice(
        room=facts.room,
        at=now,
        types=types,
        group=group,
        next_action=action,
        action_label=book.actions[action.key],
        goal=book.types[types[0].key].goal if types else None,
        tactics=tuple(tactics),
        cards=tuple(cards),
        objections=objections,
        ladder=ladder,
        alerts=tuple(_alerts(facts, settings, now)),
        contacts_today=n_today,
        priority=priority,
        type_names={k: t.name for k, t in book.types.items()},
        group_label=book.groups[group],
    )
    return advice


# --------------------------------------------------------------------------- visit order

def visit_order(items: Sequence[tuple[HouseholdFacts, Advice]]) -> list[tuple[HouseholdFacts, Advice]]:
    """Today's visiting order: ordinary payers, then the undecided, then hard cases,
    each grouped by building, then stairwell (unit) and floor, so a collector
    walks each stairwell once.

    A stable sort: households that compare equal keep the order they came in.
    """
    return sorted(items, key=lambda pair: (GROUP_RANK[pair[1].group], room_walk_key(pair[0].room)))
