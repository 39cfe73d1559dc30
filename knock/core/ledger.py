"""The ledger's actions: every change is one event, written in one transaction.

Screens, the CLI and sync call these methods; they never write SQL of their
own. Each method checks its input, appends the event and projects it, all
inside one ``BEGIN IMMEDIATE`` transaction, so an action either happens
completely or not at all.

Each action is a pure payload builder (``*_payload`` below: the checks and the
event's payload, from typed values and the facts it is handed) plus the write.
Importers and the sample builder write through the bulk path
(:class:`knock.core.bulk.LedgerBatch`), which calls the same builders with
facts it keeps in memory: one set of rules for both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from knock.core.accounts import Account, Household, account, household_by_room
from knock.core.allocation import ChargeLine, allocate
from knock.core.errors import ContactCapReached, DuplicateCharge, LedgerError, NotFound, PermissionDenied, QuietHours
from knock.core.events import Event, EventKind as K
from knock.core.journal import Clock, Journal, new_id, system_clock
from knock.core.reports.collected import day_range
from knock.core.rooms import Room, RoomError, parse_room
from knock.core.store import Store
from knock.settings import Settings

if TYPE_CHECKING:  # the payment rules and the guardrails load on first use: the field app's first frame needs neither
    from knock.core.payment_rules import PaymentReview, RecentPayment
    from knock.playbook.guardrails import Verdict

PAYMENT_METHODS = ("cash", "wechat", "alipay", "bank_transfer", "card")
"""How money can be taken."""
CHANNELS = ("door", "phone", "sms", "letter")
OUTCOMES = ("paid", "part_paid", "promised", "not_home", "refused", "complaint", "unreachable", "wrong_number", "note", "sent")
"""``sent``: a text that left (by the gateway or a confirmed upload); it counts as a contact."""
OTHER_PHONE_ROLES = ("tenant", "agent", "relative", "other")
"""Whose number, when it is not the owner's."""
OCCUPANCIES = ("occupied", "vacant", "rented", "unknown")
"""``unknown``: nobody said (an import without an occupancy column); never assumed to be occupied."""
ROLES = ("guard", "cleaner", "maintenance", "customer_service", "manager")
ESCALATION_STEPS = ("dunning_letter", "lawyer_letter", "legal")
PROMISE_WINDOWS = ("morning", "afternoon", "evening")
FEE_ITEMS = ("property_fee", "parking", "shared_utilities", "penalty")
"""Known fee items; an import may bring others (kept as their own label)."""


@dataclass(frozen=True)
class DeviceIdentity:
    """This laptop: its id, the short code printed on receipts, its public key."""

    device_id: str
    device_code: str
    name: str
    public_key_b64: str


ReceiptSigner = Callable[[str, int, str, datetime], str]
"""(receipt_no, amount_fen, room, issued_at) -> signed verification text for the receipt's QR."""


@dataclass(frozen=True)
class Staff:
    """A staff member from the projection."""

    staff_id: str
    name: str
    role: str
    team: str
    phone: str
    active: bool
    pin_hash: str

    @classmethod
    def from_row(cls, row: Any) -> Staff:
        """From a ``staff`` row."""
        return cls(row["staff_id"], row["name"], row["role"], row["team"], row["phone"], bool(row["active"]), row["pin_hash"])


@dataclass(frozen=True)
class HouseholdRef:
    """Just a household's id and canonical room: what most actions need to know about it."""

    household_id: str
    room: str


@dataclass(frozen=True)
class PaymentResult:
    """What a payment did: the receipt number and where the money went."""

    payment_id: str
    receipt_no: str
    amount_fen: int
    items: tuple[dict[str, Any], ...]
    owed_after_fen: int
    credit_after_fen: int
    paid_at: str


_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def is_reason_key(value: str) -> bool:
    """A reason that is a key (an objection such as ``cant_afford``), not words someone typed."""
    return bool(_KEY.match(value))


def _other_phones(entries: Iterable[Mapping[str, str]], room: str) -> list[dict[str, str]]:
    """Checked {number, role, name} entries for numbers that are not the owner's."""
    out: list[dict[str, str]] = []
    for entry in entries:
        number = str(entry.get("number", "")).strip()
        if not number:
            raise LedgerError(f"room {room}: another person's phone entry has no number")
        role = _choice(str(entry.get("role", "other")), OTHER_PHONE_ROLES, f"room {room}: phone role")
        out.append({"number": number, "role": role, "name": str(entry.get("name", "")).strip()})
    return out


def _choice(value: str, allowed: Iterable[str], what: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise LedgerError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value


# -- payload builders -----------------------------------------------------------------------------
# Each action is split in two: a pure builder that checks the input and makes the event's payload
# from typed values and what it needs to know about the ledger (passed in, never read here), and
# the write. The Ledger methods below read what a builder needs from the projections and append
# one event per action; the bulk path (:mod:`knock.core.bulk`) keeps the same facts in memory and
# appends many events at once. Both go through these builders: one set of rules.


def room_code(room: Room | str) -> str:
    """The canonical code of a room given as a :class:`Room` or in any spelling the room rule reads."""
    return (room if isinstance(room, Room) else parse_room(room)).code


def household_payload(
    code: str,
    owner_name: str,
    *,
    household_id: str,
    phones: Iterable[str] = (),
    area_centi_m2: int = 0,
    occupancy: str = "unknown",
    notes: str = "",
    gender: str = "",
    tags: Iterable[str] = (),
    billing_code: str = "",
    other_phones: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """A ``household.registered`` payload for the new room ``code`` (canonical); raises LedgerError on bad input."""
    _choice(occupancy, OCCUPANCIES, "occupancy")
    if not owner_name.strip():
        raise LedgerError(f"room {code}: owner name is empty")
    if area_centi_m2 < 0:
        raise LedgerError(f"room {code}: floor area is negative")
    others = _other_phones(other_phones, code) if other_phones else []
    return {
        "household_id": household_id,
        "room": code,
        "owner_name": owner_name.strip(),
        "gender": gender,
        "phones": list(phones),
        "area_centi_m2": area_centi_m2,
        "occupancy": occupancy,
        "notes": notes,
        "tags": sorted(set(tags)),
        **({"billing_code": billing_code} if billing_code else {}),
        **({"other_phones": others} if others else {}),
    }


def check_charge(room: str, amount_fen: int, period_start: date, period_end: date) -> None:
    """The checks a charge passes before anything is looked up."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise LedgerError(f"room {room}: charge amount must be a positive number of fen, got {amount_fen!r}")
    if period_end < period_start:
        raise LedgerError(f"room {room}: period ends ({period_end}) before it starts ({period_start})")


def charge_payload(
    room: str,
    household_id: str,
    item: str,
    period_start: date,
    period_end: date,
    due_date: date,
    amount_fen: int,
    *,
    charge_id: str,
    source: str = "",
    billing_item: str = "",
) -> dict[str, Any]:
    """A ``charge.added`` payload (``room`` names the household in messages). The duplicate check is the caller's."""
    check_charge(room, amount_fen, period_start, period_end)
    return {
        "charge_id": charge_id,
        "household_id": household_id,
        "item": item,
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "due_date": due_date.isoformat(),
        "amount_fen": amount_fen,
        "source": source,
        **({"billing_item": billing_item} if billing_item else {}),
    }


def check_payment(amount_fen: int, method: str, payer: str) -> str:
    """The checks a payment passes before anything is looked up; returns the payer's name tidied."""
    payer = " ".join(payer.split())
    if len(payer) > 40 or any(not ch.isprintable() or ch == "|" for ch in payer):
        raise LedgerError(f"payer name {payer!r}: at most 40 printable characters")
    _choice(method, PAYMENT_METHODS, "payment method")
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise LedgerError(f"payment amount must be a positive number of fen, got {amount_fen!r}")
    return payer


def recent_since(now: datetime, settings: Settings) -> str:
    """Payments at or after this minute (ISO text, minute precision) are the "recent" ones the double-submit and second-payment rules look at."""
    rules = settings.payments
    since = (now - timedelta(minutes=max(rules.double_submit_minutes, rules.second_payment_minutes))).isoformat(timespec="seconds")
    return since[:16]


@dataclass(frozen=True)
class OpenCharge:
    """A charge with money still open on it: what a payment is allocated to."""

    charge_id: str
    item: str
    period_start: date
    period_end: date
    due_date: date
    open_fen: int


@dataclass(frozen=True)
class Balance:
    """What a household owes just before a payment: its open charges, their total and its credit."""

    open_charges: tuple[OpenCharge, ...]
    owed_fen: int
    credit_fen: int

    @classmethod
    def of(cls, before: Account) -> Balance:
        """From the household's account (:func:`knock.core.accounts.account`)."""
        opened = tuple(OpenCharge(c.charge_id, c.item, c.period_start, c.period_end, c.due_date, c.open_fen) for c in before.open_charges)
        return cls(opened, before.owed_fen, before.credit_fen)


@dataclass(frozen=True)
class PaymentFacts:
    """What a payment needs to know about the ledger, read once per action (or kept by the bulk path)."""

    household: HouseholdRef
    before: Balance
    """What the household owes just before the payment."""
    recent: tuple[RecentPayment, ...]
    """Live payments of the household since :func:`recent_since`."""
    receipt_seq: int
    receipt_no: str
    seen_payment: str
    """The household's last payment event known here (see :meth:`Ledger.household_version`)."""


def payment_payload(
    facts: PaymentFacts,
    amount_fen: int,
    *,
    method: str,
    staff: Staff,
    paid_moment: datetime,
    payment_id: str,
    settings: Settings,
    receipt_signer: ReceiptSigner | None = None,
    overpay_confirmed: bool | None = None,
    again: bool | None = None,
    payer: str = "",
) -> tuple[dict[str, Any], PaymentResult]:
    """Check a payment against the rules and allocate it oldest first: the ``payment.recorded`` payload and its result.

    See :meth:`Ledger.record_payment` for the rules.
    """
    payer = check_payment(amount_fen, method, payer)
    from knock.core.payment_rules import PaymentNeedsConfirmation, PaymentRefused, review_payment

    household, before = facts.household, facts.before
    review = review_payment(amount_fen, before.owed_fen, list(facts.recent), settings.payments, paid_moment)
    typed = overpay_confirmed is not None or again is not None
    if review.refusal and (typed or review.refused_because == "over_max"):
        raise PaymentRefused(f"room {household.room}: {review.refusal}")
    if typed and review.overpay_fen and not overpay_confirmed:
        raise PaymentNeedsConfirmation(f"room {household.room}: {review.overpay_text()}; confirm the overpayment")
    if typed and review.repeat_of is not None and not again:
        raise PaymentNeedsConfirmation(f"room {household.room}: {review.repeat_text()}; is this really a second payment?")
    open_lines = [
        ChargeLine(c.charge_id, c.open_fen, c.due_date.isoformat(), c.period_start.isoformat(), c.item)
        for c in before.open_charges
    ]
    allocation = allocate(open_lines, amount_fen)
    by_id = {c.charge_id: c for c in before.open_charges}
    items: list[dict[str, Any]] = [
        {
            "charge_id": charge_id,
            "item": by_id[charge_id].item,
            "period_start": by_id[charge_id].period_start.isoformat(),
            "period_end": by_id[charge_id].period_end.isoformat(),
            "amount_fen": fen,
        }
        for charge_id, fen in allocation.lines
    ]
    if allocation.credit_fen:
        items.append({"charge_id": None, "item": "credit", "period_start": None, "period_end": None, "amount_fen": allocation.credit_fen})
    owed_after = before.owed_fen - sum(fen for _, fen in allocation.lines)
    credit_after = before.credit_fen + allocation.credit_fen
    paid_at = paid_moment.isoformat(timespec="seconds")
    qr_text = receipt_signer(facts.receipt_no, amount_fen, household.room, paid_moment) if receipt_signer else ""
    # Lean payload: the signature alone (the projection rebuilds the verification text from the
    # payment and the room), and each allocated line as charge and amount (the charge holds item and period).
    lean_items = [{"charge_id": i["charge_id"], "amount_fen": i["amount_fen"]} if i["charge_id"] else
                  {"charge_id": None, "item": i["item"], "amount_fen": i["amount_fen"]} for i in items]
    payload = {
        "payment_id": payment_id,
        "household_id": household.household_id,
        "amount_fen": amount_fen,
        "method": method,
        "collector_id": staff.staff_id,
        "collector_name": staff.name,
        "payer": payer,
        "paid_at": paid_at,
        "receipt_no": facts.receipt_no,
        "receipt_seq": facts.receipt_seq,
        "receipt_sig": qr_text.rsplit("|", 1)[-1] if qr_text else "",
        "items": lean_items,
        "owed_after_fen": owed_after,
        "credit_after_fen": credit_after,
        "seen_payment": facts.seen_payment,
    }
    return payload, PaymentResult(payment_id, facts.receipt_no, amount_fen, tuple(items), owed_after, credit_after, paid_at)


def contact_payloads(
    household: HouseholdRef,
    *,
    channel: str,
    outcome: str,
    staff: Staff,
    when: datetime,
    done: int,
    settings: Settings,
    contact_id: str,
    seen_payment: str,
    approve: Callable[[str, str], str],
    reason: str = "",
    note: str = "",
    override_by: str = "",
    override_reason: str = "",
    warnings: Iterable[str] = (),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Apply the guardrails to a contact: its ``contact.logged`` payload and one ``guard.overridden`` payload per lifted rule.

    ``done`` is how many contacts of the household already count toward today's cap
    (:meth:`Ledger.contacts_today`); ``approve(override_by, what)`` returns the approving
    manager's staff id or raises PermissionDenied. See :meth:`Ledger.log_contact` for the rules.
    """
    _choice(channel, CHANNELS, "channel")
    _choice(outcome, OUTCOMES, "outcome")
    manager = ""
    from knock.playbook.guardrails import contact_allowed, in_quiet_hours

    lifted: list[str] = []
    # A note is the collector writing something down, not a contact with the household: no cap, no quiet hours.
    if outcome != "note" and channel != "letter" and in_quiet_hours(when, settings):
        c = settings.contact
        span = f"{c.quiet_start:%H:%M}-{c.quiet_end:%H:%M}"
        if not override_by:
            raise QuietHours(
                f"room {household.room}: {when:%H:%M} is in quiet hours ({span}); no visit, call or text "
                "unless a manager approves with their PIN and a reason"
            )
        if not override_reason.strip():
            raise QuietHours(f"room {household.room}: a quiet-hours override ({span}) needs the manager's reason")
        manager = approve(override_by, "a contact in quiet hours")
        lifted.append("quiet_hours")
    if outcome != "note" and done >= settings.contact.daily_cap:
        if not override_by:
            raise ContactCapReached(
                f"room {household.room} was already contacted {done} times today "
                f"(limit {settings.contact.daily_cap}); a manager must approve another"
            )
        manager = approve(override_by, "an extra contact")
        lifted.append("daily_cap")
    counted = done if outcome != "note" else 0
    verdict = contact_allowed(
        when, channel, counted, settings, override="daily_cap" in lifted, quiet_override="quiet_hours" in lifted  # type: ignore[arg-type]
    )
    at = when.isoformat(timespec="seconds")
    payload = {
        "contact_id": contact_id,
        "household_id": household.household_id,
        "channel": channel,
        "outcome": outcome,
        "reason": reason,
        "note": note,
        "collector_id": staff.staff_id,
        "at": at,
        "override_by": manager,
        "warnings": list(dict.fromkeys([*warnings, *verdict.codes])),
        "seen_payment": seen_payment,
    }
    overrides = [
        {"household_id": household.household_id, "contact_id": contact_id, "rule": rule, "manager_id": manager,
         "reason": override_reason.strip(), "at": at}
        for rule in lifted
    ]
    return payload, overrides


def household_update_payload(household_id: str, room: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A ``household.updated`` payload: contact details, occupancy or notes (not money), checked and tidied."""
    fields = dict(fields)
    if "occupancy" in fields:
        _choice(fields["occupancy"], OCCUPANCIES, "occupancy")
    if "phones" in fields:
        fields["phones"] = list(fields["phones"])
    if "tags" in fields:
        fields["tags"] = sorted(set(fields["tags"]))
    if "other_phones" in fields:
        fields["other_phones"] = _other_phones(fields["other_phones"], room)
    return {"household_id": household_id, "fields": fields}


@lru_cache(maxsize=4096)
def _flagged_categories(text: str) -> tuple[str, ...]:
    """The scanner's categories for ``text``, in order, once each: notes repeat, and a scan costs about half a millisecond."""
    from knock.playbook.guardrails import scan_text

    return tuple(dict.fromkeys(v.category for v in scan_text(text)))


def text_flag_payload(household_id: str, source: str, source_id: str, text: str, when: datetime) -> dict[str, Any] | None:
    """A ``text.flagged`` payload when the scanner finds forbidden content in ``text`` (None when it does not).

    The caller skips it when the same excerpt was flagged for the household in the same minute
    (:func:`flag_minute`): the same words saved twice in one step are one flag.
    """
    if not text.strip():
        return None
    categories = _flagged_categories(text)
    if not categories:
        return None
    return {
        "household_id": household_id,
        "source": source,
        "source_id": source_id,
        "categories": list(categories),
        "excerpt": text.strip()[:500],
        "at": when.isoformat(timespec="seconds"),
    }


def promise_payload(
    household_id: str,
    *,
    due_date: date,
    window: str,
    staff: Staff,
    made_at: datetime,
    promise_id: str,
    amount_fen: int | None = None,
    contact_id: str = "",
) -> dict[str, Any]:
    """A ``promise.made`` payload; a promise is due today or later, its amount positive when given."""
    _choice(window, PROMISE_WINDOWS, "time window")
    if amount_fen is not None and (not isinstance(amount_fen, int) or amount_fen <= 0):
        raise LedgerError("a promised amount must be a positive number of fen")
    if due_date < made_at.date():
        raise LedgerError(f"a promise cannot be due in the past ({due_date})")
    return {
        "promise_id": promise_id,
        "household_id": household_id,
        "contact_id": contact_id,
        "made_at": made_at.isoformat(timespec="seconds"),
        "due_date": due_date.isoformat(),
        "window": window,
        "amount_fen": amount_fen,
        "collector_id": staff.staff_id,
    }


def complaint_payload(household_id: str, *, complaint_id: str, category: str, text: str, staff_involved: str, at: datetime) -> dict[str, Any]:
    """A ``complaint.opened`` payload; a complaint needs a description."""
    if not text.strip():
        raise LedgerError("a complaint needs a description")
    return {
        "complaint_id": complaint_id,
        "household_id": household_id,
        "category": category,
        "text": text.strip(),
        "staff_involved": staff_involved,
        "at": at.isoformat(timespec="seconds"),
    }


def escalation_payload(household_id: str, step: str, *, escalation_id: str, at: datetime, deadline: date | None = None, note: str = "") -> dict[str, Any]:
    """An ``escalation.recorded`` payload: a dunning letter, a lawyer's letter or the hand-over to legal."""
    _choice(step, ESCALATION_STEPS, "escalation step")
    return {
        "escalation_id": escalation_id,
        "household_id": household_id,
        "step": step,
        "at": at.isoformat(timespec="seconds"),
        "deadline": deadline.isoformat() if deadline else None,
        "note": note,
    }


def staff_payload(name: str, role: str, *, staff_id: str, team: str = "", phone: str = "", active: bool = True, pin_hash: str = "") -> dict[str, Any]:
    """A ``staff.registered`` payload."""
    _choice(role, ROLES, "role")
    if not name.strip():
        raise LedgerError("staff name is empty")
    return {"staff_id": staff_id, "name": name.strip(), "role": role, "team": team, "phone": phone, "active": active, "pin_hash": pin_hash}


class Ledger:
    """One laptop's (or the office's) view of the ledger."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        device: DeviceIdentity,
        *,
        clock: Clock = system_clock,
        receipt_signer: ReceiptSigner | None = None,
    ) -> None:
        self.store = store
        self.receipt_signer = receipt_signer
        """Signs each receipt's verification text with the device key, at payment time, so a
        reprint anywhere shows the same signed code."""
        self.settings = settings
        self.device = device
        self.clock = clock
        self.journal = Journal(store, device.device_id, clock)

    # -- basics ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The device clock."""
        return self.clock()

    def today(self) -> date:
        """Today on the device clock."""
        return self.clock().date()

    def _append(self, kind: str, payload: dict[str, Any], author: str) -> Event:
        return self.journal.append(kind, payload, author=author)

    def ensure_device_registered(self) -> None:
        """Record this device's public key once, so its receipts can be verified anywhere."""
        with self.store.transaction():
            if self.store.query_one("SELECT 1 FROM devices WHERE device_id = ?", (self.device.device_id,)) is None:
                self._append(
                    K.DEVICE_REGISTERED,
                    {
                        "device_id": self.device.device_id,
                        "device_code": self.device.device_code,
                        "name": self.device.name,
                        "public_key": self.device.public_key_b64,
                    },
                    "system",
                )

    def _canonical(self, room: str) -> str:
        """The canonical room for ``room``: any spelling the room rule reads, or failing that a
        billing-system code a household keeps (``AJHY-01-01-0302``), so the office can type either."""
        try:
            return parse_room(room).code
        except RoomError:
            row = self.store.query_one("SELECT room FROM households WHERE billing_code = ? AND billing_code != ''", (room.strip(),))
            if row is None:
                raise
            return str(row["room"])

    def _ref(self, room: str) -> HouseholdRef:
        """Just the id and canonical room of a household: the cheap lookup every action needs."""
        code = self._canonical(room)
        row = self.store.query_one("SELECT household_id, room FROM households WHERE room = ?", (code,))
        if row is None:
            raise NotFound(f"no household in room {code}")
        return HouseholdRef(row["household_id"], row["room"])

    def household(self, room: str) -> Household:
        """The household in ``room`` (any accepted spelling, or its billing-system code), or NotFound."""
        code = self._canonical(room)
        found = household_by_room(self.store, code)
        if found is None:
            raise NotFound(f"no household in room {code}")
        return found

    def staff(self, name_or_id: str) -> Staff:
        """A staff member by id or by unique name."""
        row = self.store.query_one("SELECT * FROM staff WHERE staff_id = ?", (name_or_id,))
        if row is not None:
            return Staff.from_row(row)
        rows = self.store.query("SELECT * FROM staff WHERE name = ?", (name_or_id,))
        if not rows:
            raise NotFound(f"no staff member named {name_or_id!r}")
        if len(rows) > 1:
            ids = ", ".join(r["staff_id"] for r in rows)
            raise LedgerError(f"several staff members are named {name_or_id!r}; use the id ({ids})")
        return Staff.from_row(rows[0])

    # -- community and households --------------------------------------------------------------

    def create_community(self, name: str, address: str = "", *, author: str = "system") -> str:
        """Name the community this ledger serves."""
        community_id = new_id()
        self._append(K.COMMUNITY_CREATED, {"community_id": community_id, "name": name, "address": address}, author)
        return community_id

    def register_household(
        self,
        room: Room | str,
        owner_name: str,
        *,
        phones: Iterable[str] = (),
        area_centi_m2: int = 0,
        occupancy: str = "unknown",
        notes: str = "",
        gender: str = "",
        tags: Iterable[str] = (),
        billing_code: str = "",
        other_phones: Iterable[Mapping[str, str]] = (),
        author: str = "system",
    ) -> str:
        """Add a home. The room code must be new.

        ``billing_code`` is the room as the billing system writes it, kept verbatim
        so that payments handed back carry the billing system's own code.
        ``phones`` are the owner's own numbers; ``other_phones`` ({number, role,
        name}) are a tenant's or an agent's, kept apart so no reminder about
        the debt ever goes to them.
        """
        code = room_code(room)
        household_id = new_id()
        payload = household_payload(
            code, owner_name, household_id=household_id, phones=phones, area_centi_m2=area_centi_m2, occupancy=occupancy,
            notes=notes, gender=gender, tags=tags, billing_code=billing_code, other_phones=other_phones,
        )
        with self.store.transaction():
            if self.store.query_one("SELECT 1 FROM households WHERE room = ?", (code,)) is not None:
                raise LedgerError(f"room {code} is already registered")
            self._append(K.HOUSEHOLD_REGISTERED, payload, author)
        return household_id

    def update_household(self, room: str, *, author: str, **fields: Any) -> None:
        """Change contact details, occupancy or notes (not money) with a new event."""
        payload = household_update_payload("", room, fields)
        household = self._ref(room)
        self._append(K.HOUSEHOLD_UPDATED, {**payload, "household_id": household.household_id}, author)

    # -- charges -------------------------------------------------------------------------------

    def add_charge(
        self,
        room: str,
        item: str,
        period_start: date,
        period_end: date,
        due_date: date,
        amount_fen: int,
        *,
        source: str = "",
        billing_item: str = "",
        author: str = "system",
    ) -> str:
        """Bill a household for one item and period.

        ``billing_item`` is the fee item's name as the billing system wrote it
        (物业管理费 where Knock says ``property_fee``), handed back on export.
        """
        check_charge(room, amount_fen, period_start, period_end)
        with self.store.transaction():
            household = self._ref(room)
            if self.has_charge(household.household_id, item, period_start, period_end):
                raise DuplicateCharge(f"room {household.room} already has {item} for {period_start}..{period_end}")
            charge_id = new_id()
            payload = charge_payload(
                room, household.household_id, item, period_start, period_end, due_date, amount_fen,
                charge_id=charge_id, source=source, billing_item=billing_item,
            )
            self._append(K.CHARGE_ADDED, payload, author)
        return charge_id

    def has_charge(self, household_id: str, item: str, period_start: date, period_end: date) -> bool:
        """True when the household already has a charge for ``item`` over exactly this period (reversed or not)."""
        return self.store.query_one(
            "SELECT 1 FROM charges WHERE household_id = ? AND item = ? AND period_start = ? AND period_end = ?",
            (household_id, item, period_start.isoformat(), period_end.isoformat()),
        ) is not None

    def reverse_charge(self, charge_id: str, reason: str, *, author: str) -> None:
        """Cancel a charge with a reason; the original stays in the log."""
        if not reason.strip():
            raise LedgerError("a reversal needs a reason")
        with self.store.transaction():
            if self.store.query_one("SELECT 1 FROM charges WHERE charge_id = ?", (charge_id,)) is None:
                raise NotFound(f"no charge {charge_id}")
            if self.store.query_one("SELECT 1 FROM charge_reversals WHERE charge_id = ?", (charge_id,)):
                raise LedgerError(f"charge {charge_id} is already reversed")
            self._append(K.CHARGE_REVERSED, {"charge_id": charge_id, "reason": reason.strip()}, author)

    # -- payments ------------------------------------------------------------------------------

    def household_version(self, household_id: str) -> str:
        """The last payment on this household that this ledger knows of (its event id, or "").

        Outcomes record it, so that a merge can tell "collected without knowing of the 12:03
        counter payment" from a collector who saw that payment and took more anyway.
        """
        row = self.store.query_one(
            "SELECT event_id FROM payments WHERE household_id = ? ORDER BY paid_at DESC, event_id DESC LIMIT 1", (household_id,)
        )
        return "" if row is None else str(row["event_id"])

    def next_receipt_seq(self) -> int:
        """The number the next receipt of this device will get (read inside the payment's transaction)."""
        last = self.store.scalar("SELECT MAX(receipt_seq) FROM payments WHERE device_id = ?", (self.device.device_id,))
        return int(last or 0) + 1

    def receipt_no(self, seq: int) -> str:
        """Receipt number text: device code and a six-digit sequence."""
        return f"{self.device.device_code}-{seq:06d}"

    def review_payment(self, room: str, amount_fen: int, *, at: datetime | None = None) -> PaymentReview:
        """What the payment rules (:mod:`knock.core.payment_rules`) say about taking ``amount_fen`` from ``room`` now."""
        household = self._ref(room)
        owed = account(self.store, household.household_id, self.today(), self.settings).owed_fen
        return self._review(household, owed, amount_fen, at or self.now())

    def _review(self, household: HouseholdRef, owed_fen: int, amount_fen: int, now: datetime) -> PaymentReview:
        from knock.core.payment_rules import review_payment

        return review_payment(amount_fen, owed_fen, self._recent(household, now), self.settings.payments, now)

    def _recent(self, household: HouseholdRef, now: datetime) -> list[RecentPayment]:
        from knock.core.payment_rules import RecentPayment

        return [
            RecentPayment(r["receipt_no"], int(r["amount_fen"]), datetime.fromisoformat(r["paid_at"]))
            for r in self.store.query(
                "SELECT receipt_no, amount_fen, paid_at FROM live_payments WHERE household_id = ? AND paid_at >= ?",
                (household.household_id, recent_since(now, self.settings)),
            )
        ]

    def record_payment(
        self,
        room: str,
        amount_fen: int,
        *,
        method: str,
        collector: str,
        at: datetime | None = None,
        overpay_confirmed: bool | None = None,
        again: bool | None = None,
        payer: str = "",
    ) -> PaymentResult:
        """Take a payment: allocate oldest first, number the receipt, all in one transaction.

        The payment rules apply here. Above ``payments.max_payment_yuan`` is
        refused whoever calls (:class:`PaymentRefused`). A surface where a person
        types the amount (the CLI, the field app) passes ``overpay_confirmed`` and
        ``again`` as booleans, and then the whole rule set holds: more than the
        settings' multiple of what is owed is refused, more than is owed needs
        ``overpay_confirmed`` and the same amount again within minutes needs
        ``again`` (:class:`PaymentNeedsConfirmation` otherwise), so the screen or
        command must have asked. Callers that only carry amounts already taken
        (sample history, sync, benchmarks) leave them ``None``. ``payer`` is who handed over the money (交款人)
        when it was not the owner; the receipt names them.
        """
        check_payment(amount_fen, method, payer)
        staff = self.staff(collector)
        paid_moment = at or self.now()
        with self.store.transaction():
            household = self._ref(room)
            seq = self.next_receipt_seq()
            facts = PaymentFacts(
                household=household,
                before=Balance.of(account(self.store, household.household_id, self.today(), self.settings)),
                recent=tuple(self._recent(household, paid_moment)),
                receipt_seq=seq,
                receipt_no=self.receipt_no(seq),
                seen_payment=self.household_version(household.household_id),
            )
            payload, result = payment_payload(
                facts, amount_fen, method=method, staff=staff, paid_moment=paid_moment, payment_id=new_id(), settings=self.settings,
                receipt_signer=self.receipt_signer, overpay_confirmed=overpay_confirmed, again=again, payer=payer,
            )
            self._append(K.PAYMENT_RECORDED, payload, staff.staff_id)
        return result

    def void_payment(self, receipt_no: str, reason: str, *, author: str) -> None:
        """Void a receipt: a reversing event with a reason. The receipt itself is never deleted."""
        if not reason.strip():
            raise LedgerError("voiding a receipt needs a reason")
        with self.store.transaction():
            row = self.store.query_one("SELECT payment_id FROM payments WHERE receipt_no = ?", (receipt_no,))
            if row is None:
                raise NotFound(f"no receipt {receipt_no}")
            if self.store.query_one("SELECT 1 FROM payment_voids WHERE payment_id = ?", (row["payment_id"],)):
                raise LedgerError(f"receipt {receipt_no} is already void")
            self._append(K.PAYMENT_VOIDED, {"payment_id": row["payment_id"], "receipt_no": receipt_no, "reason": reason.strip()}, author)

    def record_payment_export(
        self,
        facts: Iterable[str],
        *,
        lines: int,
        total_fen: int,
        file_name: str,
        range_from: date | None,
        range_to: date | None,
        since_last: bool,
        author: str,
    ) -> str:
        """Record that the payment and void events ``facts`` were handed to the billing system.

        ``knock export payments --since-last`` leaves out every fact an earlier
        export recorded, so each payment goes back exactly once.
        """
        export_id = new_id()
        self._append(
            K.PAYMENTS_EXPORTED,
            {
                "export_id": export_id,
                "facts": sorted(set(facts)),
                "lines": lines,
                "total_fen": total_fen,
                "file_name": file_name,
                "range_from": range_from.isoformat() if range_from else None,
                "range_to": range_to.isoformat() if range_to else None,
                "since_last": since_last,
            },
            author,
        )
        return export_id

    def record_receipt_print(self, receipt_no: str, *, author: str) -> bool:
        """Log that a receipt was printed; returns True when this is a reprint."""
        with self.store.transaction():
            if self.store.query_one("SELECT 1 FROM payments WHERE receipt_no = ?", (receipt_no,)) is None:
                raise NotFound(f"no receipt {receipt_no}")
            reprint = self.store.query_one("SELECT 1 FROM receipt_prints WHERE receipt_no = ?", (receipt_no,)) is not None
            self._append(K.RECEIPT_PRINTED, {"receipt_no": receipt_no, "reprint": reprint}, author)
        return reprint

    # -- contacts, promises, complaints, letters ---------------------------------------------------

    def contacts_today(self, household_id: str, day: date | None = None) -> int:
        """How many contacts of the household on ``day`` (default today) count toward the daily cap.

        The playbook's one rule (:func:`~knock.playbook.guardrails.count_toward_cap`),
        so the ledger enforces the number ``knock advise`` shows: letters
        count (once, however they were recorded), notes do not.
        """
        day = day or self.today()
        span = (household_id, *day_range(day))  # (household_id, at) ranges: the index serves all of it
        contacts = [
            (datetime.combine(day, datetime.min.time()), r["channel"], r["outcome"])
            for r in self.store.query("SELECT channel, outcome FROM contacts WHERE household_id = ? AND at >= ? AND at < ?", span)
        ]
        letters = [
            (datetime.combine(day, datetime.min.time()), r["step"])
            for r in self.store.query("SELECT step FROM escalations WHERE household_id = ? AND at >= ? AND at < ?", span)
        ]
        from knock.playbook.guardrails import count_toward_cap

        return count_toward_cap(day, contacts, letters)

    def contact_verdict(
        self,
        room: str,
        channel: str,
        *,
        outcome: str = "not_home",
        at: datetime | None = None,
        override: bool = False,
        quiet_override: bool = False,
    ) -> Verdict:
        """What the guardrails say about contacting ROOM now, before anyone acts.

        The screen shows it before the collector confirms, the CLI prints it
        (and puts it in ``--json``); :meth:`log_contact` applies the same
        verdict and refuses what it blocks. A note is not a contact and is
        never blocked.
        """
        from knock.playbook.guardrails import Verdict, contact_allowed

        _choice(channel, CHANNELS, "channel")
        when = at or self.now()
        household = self._ref(room)
        if outcome == "note":
            return Verdict(allowed=True)
        done = self.contacts_today(household.household_id, when.date())
        return contact_allowed(when, channel, done, self.settings, override=override, quiet_override=quiet_override)  # type: ignore[arg-type]

    def _approving_manager(self, override_by: str, what: str) -> str:
        approver = self.staff(override_by)
        if approver.role != "manager" or not approver.active:
            raise PermissionDenied(f"{approver.name} is not an active manager and cannot approve {what}")
        return approver.staff_id

    def log_contact(
        self,
        room: str,
        *,
        channel: str,
        outcome: str,
        collector: str,
        reason: str = "",
        note: str = "",
        override_by: str = "",
        override_reason: str = "",
        warnings: Iterable[str] = (),
        at: datetime | None = None,
    ) -> str:
        """Record a visit, call, SMS or letter and how it went.

        The guardrails are enforced here, not only in the screen. A visit,
        call or text in quiet hours is refused unless ``override_by`` names an
        active manager and ``override_reason`` says why (the owner asked to be
        seen at 22:15); a contact past the daily cap needs ``override_by``.
        Each override is its own ``guard.overridden`` event. The PIN is
        checked by the caller (screen or CLI) before it passes a manager's
        name. Sunday evening, meals and contacts outside the suggested
        windows warn; their codes are stored with the contact. The note and
        a free-text reason are scanned for forbidden content; a hit is kept
        as typed and flagged to the manager (``text.flagged``).
        """
        _choice(channel, CHANNELS, "channel")
        _choice(outcome, OUTCOMES, "outcome")
        staff = self.staff(collector)
        when = at or self.now()
        with self.store.transaction():
            household = self._ref(room)
            contact_id = new_id()
            payload, overrides = contact_payloads(
                household, channel=channel, outcome=outcome, staff=staff, when=when,
                done=self.contacts_today(household.household_id, when.date()), settings=self.settings, contact_id=contact_id,
                seen_payment=self.household_version(household.household_id), approve=self._approving_manager,
                reason=reason, note=note, override_by=override_by, override_reason=override_reason, warnings=warnings,
            )
            self._append(K.CONTACT_LOGGED, payload, staff.staff_id)
            for override in overrides:
                self._append(K.GUARD_OVERRIDDEN, override, staff.staff_id)
            self._flag_free_text(household.household_id, "contact_note", contact_id, note, staff.staff_id, when)
            if reason and not is_reason_key(reason):
                self._flag_free_text(household.household_id, "contact_reason", contact_id, reason, staff.staff_id, when)
        return contact_id

    def _flag_free_text(self, household_id: str, source: str, source_id: str, text: str, author: str, when: datetime | None = None) -> bool:
        """Flag ``text`` to the manager when the scanner finds forbidden content in it.

        Nothing is refused: the record matters and is kept as typed. The flag
        is a ``text.flagged`` event, projected into ``text_flags`` for the
        nightly summary. Returns True when flagged.
        """
        payload = text_flag_payload(household_id, source, source_id, text, when or self.now())
        if payload is None:
            return False
        if self.has_text_flag(household_id, payload):
            return False  # the same words saved twice in one step (a complaint and its visit's note) are one flag
        self._append(K.TEXT_FLAGGED, payload, author)
        return True

    def has_text_flag(self, household_id: str, payload: Mapping[str, Any]) -> bool:
        """True when the household already has a flag for the same excerpt in the same minute as ``payload``."""
        minute = payload["at"][:16]
        return self.store.query_one(  # the range lets the index on ``at`` find the minute instead of a scan of every flag
            "SELECT 1 FROM text_flags WHERE at >= ? AND at < ? AND substr(at, 1, 16) = ? AND household_id = ? AND excerpt = ? LIMIT 1",
            (minute, minute + "\U0010ffff", minute, household_id, payload["excerpt"]),
        ) is not None

    def text_flags(self, day: date | None = None) -> list[dict[str, Any]]:
        """Free text flagged on ``day`` (default: all), oldest first, for the manager and the summary."""
        sql = "SELECT f.*, h.room FROM text_flags f LEFT JOIN households h ON h.household_id = f.household_id"
        args: tuple[Any, ...] = ()
        if day is not None:
            sql += " WHERE f.at >= ? AND f.at < ?"
            args = day_range(day)
        return [dict(r) for r in self.store.query(sql + " ORDER BY f.at", args)]

    def record_message_sent(
        self,
        household_id: str,
        *,
        message_id: str,
        template: str,
        sender: str,
        at: datetime | None = None,
        note: str = "",
    ) -> bool:
        """Record that a text left for a household; False when this message is already on record.

        A message that already left is a fact: it is recorded even past the
        daily cap (the cap was applied when the batch was drawn up), with the
        cap's warning kept beside it. ``message_id`` makes it idempotent: the
        same batch sent or confirmed twice is one contact.
        """
        if not message_id or not template:
            raise LedgerError("a sent message needs its message id and template id")
        staff = self.staff(sender)
        when = at or self.now()
        with self.store.transaction():
            if self.store.query_one("SELECT 1 FROM contacts WHERE message_id = ?", (message_id,)) is not None:
                return False
            row = self.store.query_one("SELECT household_id FROM households WHERE household_id = ?", (household_id,))
            if row is None:
                raise NotFound(f"no household {household_id}")
            done = self.contacts_today(household_id, when.date())
            from knock.playbook.guardrails import contact_allowed

            verdict = contact_allowed(when, "sms", done, self.settings, override=done >= self.settings.contact.daily_cap)
            self._append(
                K.CONTACT_LOGGED,
                {
                    "contact_id": new_id(),
                    "household_id": household_id,
                    "channel": "sms",
                    "outcome": "sent",
                    "reason": "",
                    "note": note,
                    "collector_id": staff.staff_id,
                    "at": when.isoformat(timespec="seconds"),
                    "override_by": "",
                    "warnings": list(verdict.codes),
                    "template": template,
                    "message_id": message_id,
                },
                staff.staff_id,
            )
        return True

    def make_promise(
        self,
        room: str,
        *,
        due_date: date,
        window: str,
        collector: str,
        amount_fen: int | None = None,
        contact_id: str = "",
        at: datetime | None = None,
    ) -> str:
        """Record a promise to pay on a day and in a part of the day."""
        _choice(window, PROMISE_WINDOWS, "time window")
        if amount_fen is not None and (not isinstance(amount_fen, int) or amount_fen <= 0):
            raise LedgerError("a promised amount must be a positive number of fen")
        staff = self.staff(collector)
        made_at = at or self.now()
        promise_id = new_id()
        with self.store.transaction():
            household = self._ref(room)
            payload = promise_payload(
                household.household_id, due_date=due_date, window=window, staff=staff, made_at=made_at, promise_id=promise_id,
                amount_fen=amount_fen, contact_id=contact_id,
            )
            self._append(K.PROMISE_MADE, payload, staff.staff_id)
        return promise_id

    def open_complaint(self, room: str, *, category: str, text: str, author: str, staff_involved: str = "", at: datetime | None = None) -> str:
        """Log a complaint or repair request raised at the door (its text is scanned, see :meth:`log_contact`)."""
        if not text.strip():
            raise LedgerError("a complaint needs a description")
        with self.store.transaction():
            household = self._ref(room)
            complaint_id = new_id()
            payload = complaint_payload(
                household.household_id, complaint_id=complaint_id, category=category, text=text, staff_involved=staff_involved, at=at or self.now()
            )
            self._append(K.COMPLAINT_OPENED, payload, author)
            self._flag_free_text(household.household_id, "complaint", complaint_id, text, author, at)
        return complaint_id

    def close_complaint(self, complaint_id: str, *, resolution: str, author: str, at: datetime | None = None) -> None:
        """Close a complaint with what was done.

        A complaint about a staff member is never closed by that member: it holds the
        escalation ladder and keeps them away from the household, so closing it would
        be clearing one's own name.
        """
        with self.store.transaction():
            row = self.store.query_one("SELECT status, household_id, staff_involved FROM complaints WHERE complaint_id = ?", (complaint_id,))
            if row is None:
                raise NotFound(f"no complaint {complaint_id}")
            if row["status"] == "closed":
                raise LedgerError(f"complaint {complaint_id} is already closed")
            involved = row["staff_involved"]
            if involved:
                closer = self.store.query_one("SELECT staff_id, name FROM staff WHERE staff_id = ? OR name = ?", (author, author))
                if involved == author or (closer is not None and involved in (closer["name"], closer["staff_id"])):
                    raise PermissionDenied(f"complaint {complaint_id} is about {involved}: someone else must close it")
            self._append(
                K.COMPLAINT_CLOSED,
                {"complaint_id": complaint_id, "resolution": resolution, "at": (at or self.now()).isoformat(timespec="seconds")},
                author,
            )
            self._flag_free_text(row["household_id"], "complaint_resolution", complaint_id, resolution, author, at)

    def record_escalation(self, room: str, step: str, *, author: str, deadline: date | None = None, note: str = "", at: datetime | None = None) -> str:
        """Record a dunning letter, a lawyer's letter or the hand-over to legal."""
        _choice(step, ESCALATION_STEPS, "escalation step")
        with self.store.transaction():
            household = self._ref(room)
            escalation_id = new_id()
            payload = escalation_payload(household.household_id, step, escalation_id=escalation_id, at=at or self.now(), deadline=deadline, note=note)
            self._append(K.ESCALATION_RECORDED, payload, author)
        return escalation_id

    def reveal_phone(self, room: str, *, staff: str) -> tuple[str, ...]:
        """Show a household's phone numbers to a staff member, and log that they looked."""
        member = self.staff(staff)
        household = self.household(room)
        self._append(K.PHONE_REVEALED, {"household_id": household.household_id, "staff_id": member.staff_id}, member.staff_id)
        return household.phones

    # -- staff and assignment ------------------------------------------------------------------

    def register_staff(self, name: str, role: str, *, team: str = "", phone: str = "", active: bool = True, pin_hash: str = "", author: str = "system") -> str:
        """Add a staff member."""
        staff_id = new_id()
        payload = staff_payload(name, role, staff_id=staff_id, team=team, phone=phone, active=active, pin_hash=pin_hash)
        self._append(K.STAFF_REGISTERED, payload, author)
        return staff_id

    def update_staff(self, staff_id: str, *, author: str, **fields: Any) -> None:
        """Change a staff member's role, team, phone, PIN hash or active flag."""
        if "role" in fields:
            _choice(fields["role"], ROLES, "role")
        self.staff(staff_id)
        self._append(K.STAFF_UPDATED, {"staff_id": staff_id, "fields": fields}, author)

    def set_assignments(self, day: date, pairs: Mapping[str, str], *, author: str = "system") -> None:
        """Record the whole day's household -> collector assignment as one event."""
        self._append(
            K.ASSIGNMENTS_SET,
            {"day": day.isoformat(), "pairs": sorted([hid, sid] for hid, sid in pairs.items()), "replace_day": True},
            author,
        )
