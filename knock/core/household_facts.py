"""From the ledger's projections to the playbook's :class:`HouseholdFacts`.

The playbook rules never touch the database; this module is the one bridge.
Promise status (open, kept, broken) is derived here from payments, never typed
by a collector: a promise is kept when enough was paid between the promise
and the end of its due day.

Times are normalised here, once: the ledger stores each time with the offset
of the laptop that wrote it, and the rules reason in the community's wall
time, so every stored time is brought to ``zone`` (the clock the rules will be
asked with, normally the ledger's) and the facts say which zone they are on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from knock.core.accounts import Household, account, household_by_id
from knock.core.errors import NotFound
from knock.core.store import Store
from knock.playbook.facts import ComplaintFact, ContactFact, EscalationFact, HouseholdFacts, PromiseFact
from knock.settings import Settings


def on_clock(text: str, zone: tzinfo | None) -> datetime:
    """A stored ISO time on the community's clock ``zone`` (None: naive wall time on this machine's zone).

    A time stored without an offset is already wall time and only gets the zone.
    """
    at = datetime.fromisoformat(text)
    if zone is None:
        return at.astimezone().replace(tzinfo=None) if at.tzinfo is not None else at
    return at.astimezone(zone) if at.tzinfo is not None else at.replace(tzinfo=zone)


def _payments(store: Store, household_id: str, zone: tzinfo | None) -> list[tuple[datetime, int]]:
    rows = store.query(
        "SELECT paid_at, amount_fen FROM live_payments WHERE household_id = ? ORDER BY paid_at",
        (household_id,),
    )
    return [(on_clock(r["paid_at"], zone), int(r["amount_fen"])) for r in rows]


def promise_status(made_at: datetime, due: date, amount_fen: int | None, payments: list[tuple[datetime, int]], today: date) -> str:
    """``kept``, ``broken`` or ``open`` — derived from what was actually paid."""
    end = datetime.combine(due + timedelta(days=1), datetime.min.time())
    paid = sum(
        fen for at, fen in payments if at.replace(tzinfo=None) >= made_at.replace(tzinfo=None) and at.replace(tzinfo=None) < end
    )
    if paid > 0 and (amount_fen is None or paid >= amount_fen):
        return "kept"
    return "broken" if today > due else "open"


def household_facts(store: Store, household_id: str, today: date, settings: Settings, *, zone: tzinfo | None) -> HouseholdFacts:
    """Everything the playbook may know about one household, as of ``today``, with its times on ``zone``."""
    household = household_by_id(store, household_id)
    if household is None:
        raise NotFound(f"no household {household_id}")
    return facts_for(store, household, today, settings, zone=zone)


def facts_for(store: Store, household: Household, today: date, settings: Settings, *, zone: tzinfo | None) -> HouseholdFacts:
    """:func:`household_facts` for a household already loaded.

    ``zone`` is the clock the rules will be asked with (``now.tzinfo``): every
    time is converted to it here, once, so the rules never convert.
    """
    hid = household.household_id
    acct = account(store, hid, today, settings)
    payments = _payments(store, hid, zone)
    contacts = tuple(
        ContactFact(at=on_clock(r["at"], zone), channel=r["channel"], outcome=r["outcome"], collector=r["collector_id"], reason=r["reason"], note=r["note"])
        for r in store.query("SELECT * FROM contacts WHERE household_id = ? ORDER BY at", (hid,))
    )
    promises = tuple(
        PromiseFact(
            made_at=on_clock(r["made_at"], zone),
            due_date=date.fromisoformat(r["due_date"]),
            window=r["window"],
            amount_fen=r["amount_fen"],
            status=promise_status(on_clock(r["made_at"], zone), date.fromisoformat(r["due_date"]), r["amount_fen"], payments, today),  # type: ignore[arg-type]
        )
        for r in store.query("SELECT * FROM promises WHERE household_id = ? ORDER BY made_at", (hid,))
    )
    complaints = tuple(
        ComplaintFact(
            opened_at=on_clock(r["opened_at"], zone),
            category=r["category"],
            text=r["text"],
            status=r["status"],
            closed_at=on_clock(r["closed_at"], zone) if r["closed_at"] else None,
            staff_involved=r["staff_involved"],
        )
        for r in store.query("SELECT * FROM complaints WHERE household_id = ? ORDER BY opened_at", (hid,))
    )
    escalations = tuple(
        EscalationFact(at=on_clock(r["at"], zone), step=r["step"])
        for r in store.query("SELECT at, step FROM escalations WHERE household_id = ? ORDER BY at", (hid,))
    )
    two_years_ago = today - timedelta(days=730)
    paid_months = {(at.year, at.month) for at, _ in payments if at.date() >= two_years_ago}
    return HouseholdFacts(
        room=household.room,
        owner_name=household.owner_name,
        occupancy=household.occupancy,  # type: ignore[arg-type]
        owed_fen=acct.overdue_fen,
        months_owed=acct.months_owed,
        oldest_due=acct.oldest_due,
        has_phone=bool(household.phones),
        contacts=contacts,
        promises=promises,
        complaints=complaints,
        escalations=escalations,
        paid_history_months=len(paid_months),
        notes=household.notes,
        owner_gender=household.gender if household.gender in ("m", "f") else "",  # type: ignore[arg-type]
        tags=household.tags,
        last_paid_at=max((at for at, _ in payments), default=None),  # a payment answers a letter and ends a hardship
        zone=zone,
    )


__all__ = ["household_facts", "facts_for", "on_clock", "promise_status"]
