"""The ledger's bulk path: many actions in one transaction, appended with ``Journal.append_many``.

An import or the sample builder writes hundreds of thousands of events. Going through the
:class:`~knock.core.ledger.Ledger` methods one at a time costs a savepoint, several projection
reads (the account, recent payments, today's contacts) and a separate INSERT per event.
:class:`LedgerBatch` offers the same actions, checked by the same payload builders (the rules
live in :mod:`knock.core.ledger`, once), but it keeps what those builders need to know about
the households it registered itself in memory (their charges, what was paid, the last payment,
each day's contacts, the flags already raised) instead of reading it back, and hands the events
to ``append_many`` in chunks: ids, JSON and hashes computed once, rows written with
``executemany``.

For a household the batch did not register (or whose state it let go, see ``keep``), it first
writes what it holds and then reads the projections, exactly as the Ledger method would.

Everything happens in one transaction (a savepoint inside the caller's): leaving the ``with``
block by an exception writes nothing.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from knock.core.accounts import account
from knock.core.allocation import ChargeLine, settle
from knock.core.errors import DuplicateCharge, LedgerError, NotFound
from knock.core.events import EventKind as K
from knock.core.journal import new_id
from knock.core.ledger import (
    Balance,
    HouseholdRef,
    Ledger,
    OpenCharge,
    PaymentFacts,
    PaymentResult,
    Staff,
    charge_payload,
    check_charge,
    check_payment,
    complaint_payload,
    contact_payloads,
    escalation_payload,
    household_payload,
    household_update_payload,
    payment_payload,
    is_reason_key,
    promise_payload,
    recent_since,
    room_code,
    staff_payload,
    text_flag_payload,
)
from knock.core.payment_rules import RecentPayment
from knock.core.rooms import RoomError
from knock.playbook.guardrails import count_toward_cap

CHUNK = 5000
"""Events handed to ``append_many`` at a time."""

KEEP = 2000
"""Households registered by the batch whose state is kept in memory (the most recently touched)."""


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a bulk write runs (it is turned back on after, as it was).

    A bulk write keeps hundreds of thousands of small objects alive (the households in hand,
    the rooms and charges seen, the events waiting to be written), and the collector would walk
    them all again each time a few thousand more are made: a fifth of an import's CPU time, a
    tenth of a sample build's. A bulk write makes no reference cycles, so there is nothing for
    the collector to find; memory is freed by reference counting as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Fresh:
    """What the batch knows of a household it registered: everything the builders ask about."""

    ref: HouseholdRef
    charges: dict[tuple[str, str, str], None] = field(default_factory=dict)
    """(item, period start, period end) of every charge: the duplicate check."""
    lines: list[ChargeLine] = field(default_factory=list)
    dates: dict[str, tuple[date, date, date]] = field(default_factory=dict)
    """charge id -> (period start, period end, due date), as given (a payment needs them typed)."""
    paid_fen: int = 0
    payments: list[tuple[str, str, int]] = field(default_factory=list)
    """(paid_at, receipt_no, amount_fen) of its payments, for the double-submit rule."""
    last_payment: tuple[str, str] = ("", "")
    """(paid_at, event id) of the newest payment: :meth:`Ledger.household_version`."""
    days: dict[date, tuple[list[tuple[datetime, str, str]], list[tuple[datetime, str]]]] = field(default_factory=dict)
    """day -> (contacts, letters) as :func:`count_toward_cap` reads them."""
    flags: set[tuple[str, str]] = field(default_factory=set)
    """(excerpt, minute) of the text flags raised."""


class LedgerBatch:
    """Ledger actions written in bulk; use as ``with LedgerBatch(ledger) as batch: ...``."""

    def __init__(self, ledger: Ledger, *, chunk: int | None = None, keep: int | None = None) -> None:
        self.ledger = ledger
        self.store = ledger.store
        self.settings = ledger.settings
        self._chunk = chunk or CHUNK
        self._keep = keep or KEEP
        self._items: list[tuple[Any, ...]] = []
        self._fresh: OrderedDict[str, _Fresh] = OrderedDict()
        """room -> state of households this batch registered (the ``keep`` most recent)."""
        self._refs: dict[str, HouseholdRef] = {}
        """room -> id of every household this batch registered (to refuse a room twice)."""
        self._known: dict[str, HouseholdRef] = {}
        """Households the ledger had before the batch, looked up lately (at most ``keep``)."""
        self._codes: dict[str, str] = {}
        """Room as written -> canonical code, for the households in hand (reading a room code costs ~40 µs)."""
        self._rooms_before: set[str] | None = None
        self._staff: dict[str, Staff] = {}
        self._complaints: dict[str, tuple[str, str, bool]] = {}
        """complaint id -> (household id, room, closed) for complaints the batch opened or closed."""
        self._pending_charges: set[tuple[str, str, str, str]] = set()
        """(household id, item, period start, period end) of charges held back, for households not in ``_fresh``."""
        self._receipt_seq: int | None = None
        self._stack: ExitStack | None = None
        self.events = 0
        """Events written so far."""

    # -- the transaction ------------------------------------------------------------------------

    def __enter__(self) -> LedgerBatch:
        self._stack = ExitStack()
        self._stack.enter_context(self.store.transaction())
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool:
        stack, self._stack = self._stack, None
        assert stack is not None
        if kind is not None:  # the block failed: write nothing, roll the transaction back
            self._items.clear()
            return bool(stack.__exit__(kind, error, trace))
        with stack:  # commits, or rolls back when the last write fails
            self.flush()
        return False

    def flush(self) -> None:
        """Write the events gathered so far (inside the batch's transaction)."""
        if self._items:
            items, self._items = self._items, []
            self._pending_charges.clear()
            self.ledger.journal.append_many(items)
            self.events += len(items)

    def upcoming_receipt_seq(self) -> int:
        """The sequence number the batch's next receipt takes (read from the ledger once, then counted here)."""
        if self._receipt_seq is None:
            self.flush()
            self._receipt_seq = self.ledger.next_receipt_seq()
        return self._receipt_seq

    def _add(self, kind: str, payload: dict[str, Any], author: str, event_id: str | None = None) -> None:
        if self._stack is None:
            raise LedgerError("a LedgerBatch writes only inside its with-block")
        self._items.append((kind, payload, author) if event_id is None else (kind, payload, author, event_id))
        if len(self._items) >= self._chunk:
            self.flush()

    # -- what the builders need to know ---------------------------------------------------------

    def _home(self, room: str, household_id: str = "") -> _Fresh | HouseholdRef:
        """The batch's state of ``room`` (any spelling, or a billing-system code) when it holds it, else its id and room.

        ``household_id``, when the caller read it from the ledger inside this batch's transaction,
        is taken as is for a household the batch did not register (``room`` is then canonical)."""
        fresh = self._fresh.get(room)
        if fresh is not None:
            self._fresh.move_to_end(room)
            return fresh
        if household_id:
            return HouseholdRef(household_id, room)
        ref = self._refs.get(room) or self._known.get(room)
        if ref is not None:
            return ref
        # Not registered by this batch under this spelling. The projection holds rooms in their
        # canonical spelling only, so a room found as written needs no parsing.
        row = self.store.query_one("SELECT household_id, room FROM households WHERE room = ?", (room,))
        if row is None:
            code = self._room(room)
            if code == room:
                raise NotFound(f"no household in room {code}")
            return self._home(code)
        ref = HouseholdRef(row[0], row[1])
        if len(self._known) >= self._keep:
            self._known.clear()
        self._known[ref.room] = ref
        return ref

    def staff(self, name_or_id: str) -> Staff:
        """A staff member registered by the batch or in the ledger."""
        found = self._staff.get(name_or_id)
        if found is None:
            self.flush()
            found = self._staff[name_or_id] = self.ledger.staff(name_or_id)
        return found

    def _approve(self, override_by: str, what: str) -> str:
        approver = self.staff(override_by)
        if approver.role != "manager" or not approver.active:
            from knock.core.errors import PermissionDenied

            raise PermissionDenied(f"{approver.name} is not an active manager and cannot approve {what}")
        return approver.staff_id

    # -- actions --------------------------------------------------------------------------------

    def create_community(self, name: str, address: str = "", *, author: str = "system") -> str:
        """See :meth:`Ledger.create_community`."""
        community_id = new_id()
        self._add(K.COMMUNITY_CREATED, {"community_id": community_id, "name": name, "address": address}, author)
        return community_id

    def register_staff(self, name: str, role: str, *, team: str = "", phone: str = "", active: bool = True, pin_hash: str = "", author: str = "system") -> str:
        """See :meth:`Ledger.register_staff`."""
        staff_id = new_id()
        payload = staff_payload(name, role, staff_id=staff_id, team=team, phone=phone, active=active, pin_hash=pin_hash)
        self._add(K.STAFF_REGISTERED, payload, author)
        self._staff[staff_id] = Staff(staff_id, payload["name"], role, team, phone, active, pin_hash)
        return staff_id

    def register_household(
        self,
        room: str,
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
        """See :meth:`Ledger.register_household`."""
        code = self._code(room) if isinstance(room, str) else room_code(room)
        household_id = new_id()
        payload = household_payload(
            code, owner_name, household_id=household_id, phones=phones, area_centi_m2=area_centi_m2, occupancy=occupancy,
            notes=notes, gender=gender, tags=tags, billing_code=billing_code, other_phones=other_phones,
        )
        if self._rooms_before is None:
            self._rooms_before = {row[0] for row in self.store.iterate("SELECT room FROM households")}
        if code in self._rooms_before or code in self._refs or code in self._fresh:
            raise LedgerError(f"room {code} is already registered")
        self._add(K.HOUSEHOLD_REGISTERED, payload, author)
        ref = HouseholdRef(household_id, code)
        self._refs[code] = ref
        self._fresh[code] = _Fresh(ref)
        if len(self._fresh) > self._keep:
            self._fresh.popitem(last=False)
        return household_id

    def update_household(self, room: str, *, author: str, household_id: str = "", **fields: Any) -> None:
        """See :meth:`Ledger.update_household`. ``household_id``: see :meth:`add_charge`."""
        home = self._home(room, household_id)
        ref = home.ref if isinstance(home, _Fresh) else home
        self._add(K.HOUSEHOLD_UPDATED, household_update_payload(ref.household_id, room, fields), author)

    def _room(self, room: str) -> str:
        """The canonical room; a billing-system code is looked up in the ledger (after writing what is held)."""
        try:
            return self._code(room)
        except RoomError:
            self.flush()
            return self.ledger._canonical(room)

    def _code(self, room: str) -> str:
        """:func:`room_code`, remembered for the rooms in hand."""
        code = self._codes.get(room)
        if code is None:
            code = room_code(room)
            if len(self._codes) >= self._keep:
                self._codes.clear()
            self._codes[room] = code
        return code

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
        household_id: str = "",
        checked: bool = False,
    ) -> str:
        """See :meth:`Ledger.add_charge`.

        For a caller that has read the ledger inside this batch's transaction (an import reads its
        rooms and their charges by the thousand): ``household_id`` is the canonical ``room``'s id,
        taken without a look-up; ``checked`` says the ledger had no such charge, so only the
        batch's own charges are searched (the charges' unique key still refuses a duplicate).
        """
        check_charge(room, amount_fen, period_start, period_end)
        home = self._home(room, household_id)
        key = (item, period_start.isoformat(), period_end.isoformat())
        if isinstance(home, _Fresh):
            ref = home.ref
            duplicate = key in home.charges
        else:
            ref = home
            # What the batch holds back is in _pending_charges; what it wrote, the projection has.
            duplicate = (ref.household_id, *key) in self._pending_charges or (
                not checked and self.ledger.has_charge(ref.household_id, item, period_start, period_end)
            )
        if duplicate:
            raise DuplicateCharge(f"room {ref.room} already has {item} for {period_start}..{period_end}")
        charge_id = new_id()
        payload = charge_payload(
            room, ref.household_id, item, period_start, period_end, due_date, amount_fen, charge_id=charge_id, source=source, billing_item=billing_item
        )
        self._add(K.CHARGE_ADDED, payload, author)
        if not isinstance(home, _Fresh):
            self._pending_charges.add((ref.household_id, *key))
        else:
            home.charges[key] = None
            home.lines.append(ChargeLine(charge_id, amount_fen, payload["due_date"], payload["period_start"], item))
            home.dates[charge_id] = (period_start, period_end, due_date)
        return charge_id

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
        """See :meth:`Ledger.record_payment`."""
        check_payment(amount_fen, method, payer)
        staff = self.staff(collector)
        paid_moment = at or self.ledger.now()
        home = self._home(room)
        seq = self.upcoming_receipt_seq()
        if isinstance(home, _Fresh):
            open_amounts, credit = settle(home.lines, home.paid_fen)
            opened = tuple(
                OpenCharge(c.charge_id, c.item, *home.dates[c.charge_id], open_amounts[c.charge_id])
                for c in sorted(home.lines, key=lambda c: c.order_key)
                if open_amounts[c.charge_id] > 0
            )
            since = recent_since(paid_moment, self.settings)
            facts = PaymentFacts(
                household=home.ref,
                before=Balance(opened, sum(open_amounts.values()), credit),
                recent=tuple(RecentPayment(no, fen, datetime.fromisoformat(when)) for when, no, fen in home.payments if when >= since),
                receipt_seq=seq,
                receipt_no=self.ledger.receipt_no(seq),
                seen_payment=home.last_payment[1],
            )
        else:
            self.flush()
            facts = PaymentFacts(
                household=home,
                before=Balance.of(account(self.store, home.household_id, self.ledger.today(), self.settings)),
                recent=tuple(self.ledger._recent(home, paid_moment)),
                receipt_seq=seq,
                receipt_no=self.ledger.receipt_no(seq),
                seen_payment=self.ledger.household_version(home.household_id),
            )
        event_id = new_id()
        payload, result = payment_payload(
            facts, amount_fen, method=method, staff=staff, paid_moment=paid_moment, payment_id=new_id(), settings=self.settings,
            receipt_signer=self.ledger.receipt_signer, overpay_confirmed=overpay_confirmed, again=again, payer=payer,
        )
        self._add(K.PAYMENT_RECORDED, payload, staff.staff_id, event_id)
        self._receipt_seq = seq + 1
        if isinstance(home, _Fresh):
            home.paid_fen += amount_fen
            home.payments.append((result.paid_at, result.receipt_no, amount_fen))
            home.last_payment = max(home.last_payment, (result.paid_at, event_id))
        return result

    def _day(self, home: _Fresh, day: date) -> tuple[list[tuple[datetime, str, str]], list[tuple[datetime, str]]]:
        found = home.days.get(day)
        if found is None:
            found = home.days[day] = ([], [])
        return found

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
        """See :meth:`Ledger.log_contact`."""
        staff = self.staff(collector)
        when = at or self.ledger.now()
        home = self._home(room)
        if isinstance(home, _Fresh):
            ref, contacts, letters = home.ref, *self._day(home, when.date())
            done = count_toward_cap(when.date(), contacts, letters)
            seen = home.last_payment[1]
        else:
            self.flush()
            ref, done, seen = home, self.ledger.contacts_today(home.household_id, when.date()), self.ledger.household_version(home.household_id)
        contact_id = new_id()
        payload, overrides = contact_payloads(
            ref, channel=channel, outcome=outcome, staff=staff, when=when, done=done, settings=self.settings, contact_id=contact_id,
            seen_payment=seen, approve=self._approve, reason=reason, note=note, override_by=override_by,
            override_reason=override_reason, warnings=warnings,
        )
        self._add(K.CONTACT_LOGGED, payload, staff.staff_id)
        for override in overrides:
            self._add(K.GUARD_OVERRIDDEN, override, staff.staff_id)
        if isinstance(home, _Fresh):
            contacts.append((datetime.combine(when.date(), datetime.min.time()), channel, outcome))
        self._flag(home, "contact_note", contact_id, note, staff.staff_id, when)
        if reason and not is_reason_key(reason):
            self._flag(home, "contact_reason", contact_id, reason, staff.staff_id, when)
        return contact_id

    def _flag(self, home: _Fresh | HouseholdRef, source: str, source_id: str, text: str, author: str, when: datetime) -> None:
        ref = home.ref if isinstance(home, _Fresh) else home
        payload = text_flag_payload(ref.household_id, source, source_id, text, when)
        if payload is None:
            return
        key = (payload["excerpt"], payload["at"][:16])
        if isinstance(home, _Fresh):
            if key in home.flags:
                return
            home.flags.add(key)
        else:
            self.flush()
            if self.ledger.has_text_flag(ref.household_id, payload):
                return
        self._add(K.TEXT_FLAGGED, payload, author)

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
        """See :meth:`Ledger.make_promise`."""
        staff = self.staff(collector)
        home = self._home(room)
        ref = home.ref if isinstance(home, _Fresh) else home
        promise_id = new_id()
        payload = promise_payload(
            ref.household_id, due_date=due_date, window=window, staff=staff, made_at=at or self.ledger.now(), promise_id=promise_id,
            amount_fen=amount_fen, contact_id=contact_id,
        )
        self._add(K.PROMISE_MADE, payload, staff.staff_id)
        return promise_id

    def open_complaint(self, room: str, *, category: str, text: str, author: str, staff_involved: str = "", at: datetime | None = None) -> str:
        """See :meth:`Ledger.open_complaint`."""
        home = self._home(room)
        ref = home.ref if isinstance(home, _Fresh) else home
        complaint_id = new_id()
        when = at or self.ledger.now()
        payload = complaint_payload(ref.household_id, complaint_id=complaint_id, category=category, text=text, staff_involved=staff_involved, at=when)
        self._add(K.COMPLAINT_OPENED, payload, author)
        self._complaints[complaint_id] = (ref.household_id, ref.room, False)
        self._flag(home, "complaint", complaint_id, text, author, when)
        return complaint_id

    def close_complaint(self, complaint_id: str, *, resolution: str, author: str, at: datetime | None = None) -> None:
        """See :meth:`Ledger.close_complaint`."""
        known = self._complaints.get(complaint_id)
        if known is None:
            self.flush()
            row = self.store.query_one("SELECT status, household_id FROM complaints WHERE complaint_id = ?", (complaint_id,))
            if row is None:
                raise NotFound(f"no complaint {complaint_id}")
            known = (row["household_id"], "", row["status"] == "closed")
        household_id, room, closed = known
        if closed:
            raise LedgerError(f"complaint {complaint_id} is already closed")
        when = at or self.ledger.now()
        self._add(K.COMPLAINT_CLOSED, {"complaint_id": complaint_id, "resolution": resolution, "at": when.isoformat(timespec="seconds")}, author)
        self._complaints[complaint_id] = (household_id, room, True)
        fresh = self._fresh.get(room)
        home = fresh if fresh is not None and fresh.ref.household_id == household_id else HouseholdRef(household_id, room)
        self._flag(home, "complaint_resolution", complaint_id, resolution, author, when)

    def record_escalation(self, room: str, step: str, *, author: str, deadline: date | None = None, note: str = "", at: datetime | None = None) -> str:
        """See :meth:`Ledger.record_escalation`."""
        home = self._home(room)
        ref = home.ref if isinstance(home, _Fresh) else home
        escalation_id = new_id()
        when = at or self.ledger.now()
        payload = escalation_payload(ref.household_id, step, escalation_id=escalation_id, at=when, deadline=deadline, note=note)
        self._add(K.ESCALATION_RECORDED, payload, author)
        if isinstance(home, _Fresh):
            self._day(home, when.date())[1].append((datetime.combine(when.date(), datetime.min.time()), step))
        return escalation_id
