"""The household screen: the account, the advice, the history and the guardrails."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from knock.advice import AdviceView, ObjectionView
from knock.core.accounts import Account, Household, account
from knock.core.money import format_yuan
from knock.home import Home
from knock.settings import Settings

from field_app.data.advice import advice_or_error, fallback_objections
from field_app.data.guard import Guard, contact_guard
from field_app.i18n import _, get_locale
from field_app.labels import category_label, channel_label, method_label, outcome_label, step_label, window_label
from field_app.names import mask_phone, owner_title


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
    advice: AdviceView | None
    """None when the playbook failed (``advice_error`` says why)."""
    objections: tuple[ObjectionView, ...]
    """The advice's objections, or the built-in list when there is no advice."""
    timeline: tuple[TimelineEntry, ...]
    guard: Guard
    assigned: bool
    phones_masked: tuple[str, ...] = field(default=())
    advice_error: str = ""


def _timeline(home: Home, household_id: str, objections: dict[str, str]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for r in home.store.query("SELECT * FROM contacts WHERE household_id = ?", (household_id,)):
        reason = objections.get(r["reason"], r["reason"])
        detail = " · ".join(x for x in (reason, r["note"]) if x)
        label = f"{channel_label(r['channel'])} {outcome_label(r['outcome'])}"
        if r["override_by"]:
            label += " " + _("(manager approved)")
        entries.append(TimelineEntry(r["at"], "contact", f"{label}  {detail}".strip()))
    for r in home.store.query("SELECT * FROM promises WHERE household_id = ?", (household_id,)):
        amount = f" ¥{format_yuan(int(r['amount_fen']))}" if r["amount_fen"] else ""
        entries.append(TimelineEntry(r["made_at"], "promise", _("promised to pay on {day} {window}").format(day=r["due_date"], window=window_label(r["window"])) + amount))
    for r in home.store.query("SELECT * FROM complaints WHERE household_id = ?", (household_id,)):
        state = _("open") if r["status"] == "open" else _("closed")
        category = category_label(r["category"])
        entries.append(TimelineEntry(r["opened_at"], "complaint", f"{_('complaint')} [{state}] {category}: {r['text']}"))
    for r in home.store.query("SELECT * FROM escalations WHERE household_id = ?", (household_id,)):
        entries.append(TimelineEntry(r["at"], "letter", step_label(r["step"])))
    for r in home.store.query(
        "SELECT p.*, p.payment_id NOT IN (SELECT payment_id FROM live_payments) AS void FROM payments p WHERE p.household_id = ?",
        (household_id,),
    ):
        void = " " + _("(void)") if r["void"] else ""
        entries.append(TimelineEntry(r["paid_at"], "payment", f"{_('payment')} ¥{format_yuan(int(r['amount_fen']))} {method_label(r['method'])} {r['receipt_no']}{void}"))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def is_assigned(home: Home, household_id: str, staff_id: str, day: date) -> bool:
    """True when the household is on the staff member's list for ``day``."""
    return bool(home.store.scalar("SELECT 1 FROM assignments WHERE day = ? AND household_id = ? AND staff_id = ?", (day.isoformat(), household_id, staff_id)))


def load_household(home: Home, room: str, staff_id: str, now: datetime) -> HouseholdView:
    """The household screen's content, as of ``now``."""
    household = home.ledger.household(room)
    locale = get_locale()
    acct = account(home.store, household.household_id, now.date(), home.settings)
    advice, error = advice_or_error(home, household, now, locale, staff_id)
    objections = advice.objections if advice is not None else fallback_objections()
    titles = {o.key: o.says for o in (*fallback_objections(), *objections)}
    contacts = home.ledger.contacts_today(household.household_id, now.date())
    return HouseholdView(
        household=household,
        owner=owner_title(household.owner_name, household.gender, locale),
        account=acct,
        advice=advice,
        objections=objections,
        timeline=tuple(_timeline(home, household.household_id, titles)),
        guard=contact_guard(home.settings, now, contacts),
        assigned=is_assigned(home, household.household_id, staff_id, now.date()),
        phones_masked=tuple(mask_phone(p) for p in household.phones),
        advice_error=error,
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
