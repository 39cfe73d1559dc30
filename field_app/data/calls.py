"""What the call mode screen reads and writes (run in worker threads, never on the event loop).

The list is the domain's (:func:`knock.reminders.calls.build_call_list`); a
number is read only through :meth:`knock.core.ledger.Ledger.reveal_phone`,
which logs who looked and when; each call's outcome is one contact on the
phone channel (with its promise, in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from knock.home import Home
from knock.playbook.guardrails import in_quiet_hours, in_windows
from knock.reminders.calls import CallList, build_call_list, dialable


@dataclass(frozen=True)
class CallPromise:
    """A promise made on the call: the day, the part of the day, an optional amount."""

    due_date: date
    window: str
    amount_fen: int | None


def load_calls(home: Home, staff_id: str, now: datetime, locale: str) -> CallList:
    """This staff member's call list for the next call day (today, if its window is still open)."""
    return build_call_list(home.store, home.settings, now, caller=home.ledger.staff(staff_id), locale=locale)


def may_call_now(home: Home, now: datetime) -> bool:
    """Inside the company's call windows and outside quiet hours and no-collection times."""
    s = home.settings
    return in_windows(now, s.contact.call_windows) and not in_quiet_hours(now, s) and not in_windows(now, s.contact.no_collection)


def reveal(home: Home, room: str, staff_id: str) -> tuple[str, ...]:
    """The owner's own numbers for the call, logged as seen by ``staff_id``."""
    home.ledger.reveal_phone(room, staff=staff_id)
    return dialable(home.ledger.household(room))


def record_call(home: Home, room: str, staff_id: str, outcome: str, now: datetime, promise: CallPromise | None = None) -> str:
    """The call's outcome as a phone contact (and the promise made on it), all or nothing."""
    ledger = home.ledger
    with home.store.transaction():
        contact_id = ledger.log_contact(room, channel="phone", outcome=outcome, collector=staff_id, at=now)
        if promise is not None:
            ledger.make_promise(
                room, due_date=promise.due_date, window=promise.window, amount_fen=promise.amount_fen, collector=staff_id, contact_id=contact_id, at=now
            )
    return contact_id
