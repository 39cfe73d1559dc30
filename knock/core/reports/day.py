"""One collector's day: what the field app's list counts and what its end-of-day screen shows."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Set
from dataclasses import dataclass
from datetime import date

from knock.core.reports.collected import ReceiptLine, by_method, day_range, receipts_on
from knock.core.store import Store


def pending_sync_count(store: Store, device_id: str) -> int:
    """Events of this laptop the office has not acknowledged yet (the cursor a loaded pack moves: ``sync_marks``).

    A laptop numbers its own events 1, 2, 3, ... without a gap (each links to
    the one before; ``knock check`` proves it), so the answer is its newest
    number less the acknowledged one: two index lookups, not a count over a
    million events.
    """
    done = store.scalar("SELECT seq FROM sync_marks WHERE device_id = ?", (device_id,)) or 0
    newest = store.scalar("SELECT MAX(seq) FROM events WHERE device_id = ?", (device_id,)) or 0
    return max(0, int(newest) - int(done))


def door_payments_filter(store: Store) -> str:
    """A SQL condition on ``device_id`` that keeps the payments taken at a door, not at the office counter.

    Which device is the counter depends on where this ledger is: on a laptop enrolled with an
    office, the office's device (what a pack brings from the office was paid there); at an office
    that has enrolled laptops, every device that is not one of them; a home on its own (the demo,
    a single laptop) has no counter, every payment is a collector's.
    """
    pinned = store.scalar("SELECT office_device_id FROM office_pin WHERE id = 1")
    if pinned is not None:
        return f"device_id != '{str(pinned).replace(chr(39), '')}'"
    if store.query_one("SELECT 1 FROM device_enrolments LIMIT 1") is not None:
        return "device_id IN (SELECT device_id FROM device_enrolments)"
    return "1"


def paid_on(store: Store, day: date, collector_id: str | None = None) -> set[str]:
    """Households that paid at the door on ``day`` (to ``collector_id`` when given), voided receipts left out.

    Why a payment counts as a visit: the money was handed over at the door, so the
    visit happened, even when no contact was logged with it (the owner paid the guard
    in quiet hours, or after the day's contact cap). Quiet hours and the cap limit
    what WE start; they never stop a resident paying, and the Today line and the
    summaries should not say 0 visited after a payment. A payment is not a contact:
    it does not count toward the cap, and nothing here lets a contact be logged.
    A voided receipt is left out (most are the wrong room or a double entry), and so is
    a payment at the office counter (:func:`door_payments_filter`): nobody went to a door.
    """
    return set(door_payment_outcomes(store, day, collector_id))


def door_payment_outcomes(store: Store, day: date, collector_id: str | None = None) -> dict[str, str]:
    """household_id -> ``paid`` or ``part_paid`` for the households of :func:`paid_on`.

    Why from ``owed_after_fen`` of the day's last door payment: that is what the field app
    decides at the door (``paid`` when the money settles everything), so a part payment is
    never shown to the office as settled.
    """
    start, end = day_range(day)
    sql = (
        "SELECT household_id, owed_after_fen FROM live_payments"
        f" WHERE paid_at >= ? AND paid_at < ? AND {door_payments_filter(store)}"
    )
    params: tuple[str, ...] = (start, end)
    if collector_id is not None:
        sql, params = sql + " AND collector_id = ?", (*params, collector_id)
    return {r["household_id"]: door_outcome(int(r["owed_after_fen"])) for r in store.query(sql + " ORDER BY paid_at, receipt_seq", params)}


def door_outcome(owed_after_fen: int) -> str:
    """The outcome a door payment stands for: ``paid`` when it left nothing owed, else ``part_paid``."""
    return "paid" if owed_after_fen <= 0 else "part_paid"


def with_door_payments(outcomes: Mapping[str, int], contacted: Set[str], paid: Mapping[str, str]) -> dict[str, int]:
    """Contacts by outcome, plus one ``paid`` or ``part_paid`` for each household visited only by paying at the door.

    Why: the visited figure counts a door payment with no contact (:func:`paid_on`), and an
    outcome table next to it should say what happened at that door, or the household would
    look visited with nothing to show. ``contacted`` is the set the same report's visited
    figure unites with ``paid`` (from :func:`door_payment_outcomes`), so each household is
    added once and only when no logged contact already tells its outcome. The number of
    contacts is left alone: a payment is not a contact.
    """
    out = dict(outcomes)
    for household_id, outcome in paid.items():
        if household_id not in contacted:
            out[outcome] = out.get(outcome, 0) + 1
    return out


def visited_on(store: Store, day: date) -> set[str]:
    """Households anyone contacted, or that paid, on ``day`` (see :func:`paid_on`)."""
    contacted = {r["household_id"] for r in store.query("SELECT DISTINCT household_id FROM contacts WHERE at >= ? AND at < ?", day_range(day))}
    return contacted | paid_on(store, day)


def promises_due_on(store: Store, day: date, households: Collection[str] | None = None) -> dict[str, str]:
    """household_id -> the window (morning/afternoon/evening) of a promise to pay due on ``day``.

    ``households`` asks about those only (a collector's list): one lookup each in the promises'
    household index, instead of reading every promise the community ever made.
    """
    if households is None:
        rows = store.query("SELECT household_id, window FROM promises WHERE due_date = ?", (day.isoformat(),))
    else:
        rows = store.query(
            "SELECT household_id, window FROM promises WHERE due_date = ? AND household_id IN (SELECT value FROM json_each(?))",
            (day.isoformat(), json.dumps(list(households))),
        )
    return {r["household_id"]: r["window"] for r in rows}


@dataclass(frozen=True)
class CollectorDay:
    """What one collector did on a day and the cash to hand over."""

    contacts_by_outcome: dict[str, int]
    """Contacts by outcome, plus ``paid``/``part_paid`` for a door payment with no contact (:func:`with_door_payments`)."""
    households_visited: int
    """Households contacted or that paid (:func:`paid_on`)."""
    promises: int
    complaints: int
    receipts: tuple[ReceiptLine, ...]
    by_method_fen: dict[str, int]
    total_fen: int
    pending_sync: int


def collector_day(store: Store, staff_id: str, day: date, device_id: str) -> CollectorDay:
    """The collector's day: contacts by outcome, receipts, money by payment method, sync backlog."""
    start, end = day_range(day)
    outcomes = {
        r["outcome"]: int(r["n"])
        for r in store.query("SELECT outcome, COUNT(*) AS n FROM contacts WHERE collector_id = ? AND at >= ? AND at < ? GROUP BY outcome", (staff_id, start, end))
    }
    contacted = {r["household_id"] for r in store.query("SELECT DISTINCT household_id FROM contacts WHERE collector_id = ? AND at >= ? AND at < ?", (staff_id, start, end))}
    paid = door_payment_outcomes(store, day, staff_id)
    visited = len(contacted | paid.keys())
    outcomes = with_door_payments(outcomes, contacted, paid)
    promises = int(store.scalar("SELECT COUNT(*) FROM promises WHERE collector_id = ? AND made_at >= ? AND made_at < ?", (staff_id, start, end)))
    complaints = int(store.scalar("SELECT COUNT(*) FROM complaints WHERE opened_by = ? AND opened_at >= ? AND opened_at < ?", (staff_id, start, end)))
    receipts = receipts_on(store, day, staff_id)
    methods = by_method(receipts)
    return CollectorDay(outcomes, visited, promises, complaints, receipts, methods, sum(methods.values()), pending_sync_count(store, device_id))
