"""PINs and the sign-in lockout: who may act in whose name.

The PIN hash is a staff fact (``staff.updated``), so a collector can sign in on
any laptop after a sync. Every PIN try, right or wrong, is an event too
(``signin.attempted``), and a manager's unlock is ``signin.unlocked``: the
lockout is derived from these append-only facts, so deleting a file cannot
clear it and the ledger's hash chain shows who tried what and when.

The field app's sign-in and manager-approval screens and the command line's
``--override-by``, ``set-pin`` and ``unlock`` all go through this module: the
command line is not a way around the PIN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from knock.core.errors import LedgerError, PermissionDenied
from knock.core.events import EventKind as K
from knock.core.ledger import Ledger, Staff

PIN_PATTERN = re.compile(r"[0-9]{4,8}")
"""A PIN is four to eight digits: easy to type on any keyboard."""


@cache
def _hasher() -> Any:
    """argon2id with a random salt per hash (argon2-cffi's defaults: slow on purpose).

    Imported on the first PIN: the first screen does not need it.
    """
    from argon2 import PasswordHasher

    return PasswordHasher()


class PinError(LedgerError):
    """A PIN that cannot be set or checked; the message says why."""


def check_pin_shape(pin: str) -> str:
    """``pin`` when it is 4 to 8 digits; PinError otherwise (before anyone is asked to approve it)."""
    if not PIN_PATTERN.fullmatch(pin):
        raise PinError("a PIN is 4 to 8 digits")
    return pin


def hash_pin(pin: str) -> str:
    """The salted argon2id hash of ``pin`` (checks the PIN's shape first)."""
    return str(_hasher().hash(check_pin_shape(pin)))


def pin_matches(pin_hash: str, pin: str) -> bool:
    """True when ``pin`` is the PIN behind ``pin_hash`` (False for an empty or broken hash)."""
    if not pin_hash or not pin:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(pin_hash, pin))
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Attempt:
    """What a sign-in try came to."""

    ok: bool
    locked_until: datetime | None = None
    """Set when the member is locked out (now or by this try)."""
    tries_left: int = 0
    no_pin: bool = False
    """The member has no PIN yet: the office must set one (``knock set-pin``)."""


@dataclass(frozen=True)
class LockState:
    """Wrong tries since the last good PIN or unlock, and the lockout they caused."""

    failures: int
    locked_until: datetime | None


def lock_state(ledger: Ledger, staff_id: str, now: datetime) -> LockState:
    """The member's lockout as of ``now``, replayed from their sign-in facts.

    Only the facts since the last good PIN or manager unlock count. Each run of
    ``pin_max_tries`` wrong PINs locks for ``lockout_minutes``; after a lockout
    ends the count starts again.
    """
    security = ledger.settings.security
    rows = ledger.store.query(
        "SELECT at FROM signin_attempts WHERE staff_id = ? AND outcome = 'wrong' AND rowid > "
        "(SELECT COALESCE(MAX(rowid), 0) FROM signin_attempts WHERE staff_id = ? AND outcome != 'wrong') ORDER BY rowid",
        (staff_id, staff_id),
    )
    failures = 0
    locked_until: datetime | None = None
    for row in rows:
        at = datetime.fromisoformat(row["at"])
        if locked_until is not None:
            if at < locked_until:
                continue
            locked_until = None
        failures += 1
        if failures >= security.pin_max_tries:
            locked_until = at + timedelta(minutes=security.lockout_minutes)
            failures = 0
    if locked_until is not None and locked_until <= now:
        locked_until = None
    return LockState(failures, locked_until)


def check_pin(ledger: Ledger, staff_id: str, pin: str, now: datetime) -> Attempt:
    """Try ``pin`` for the member, honouring the lockout and recording the try in the ledger."""
    staff = ledger.staff(staff_id)
    state = lock_state(ledger, staff.staff_id, now)
    if state.locked_until is not None:
        return Attempt(False, locked_until=state.locked_until)
    if not staff.pin_hash:
        return Attempt(False, no_pin=True)
    ok = pin_matches(staff.pin_hash, pin)
    at = now.isoformat(timespec="seconds")
    with ledger.store.transaction():
        ledger.journal.append(K.SIGNIN_ATTEMPTED, {"staff_id": staff.staff_id, "at": at, "ok": ok}, author=staff.staff_id)
    if ok:
        return Attempt(True)
    after = lock_state(ledger, staff.staff_id, now)
    if after.locked_until is not None:
        return Attempt(False, locked_until=after.locked_until)
    return Attempt(False, tries_left=ledger.settings.security.pin_max_tries - after.failures)


def refusal(name: str, attempt: Attempt) -> str:
    """Why a PIN try did not go through, in one line."""
    if attempt.no_pin:
        return f"{name} has no PIN yet (knock set-pin {name})"
    if attempt.locked_until is not None:
        return f"too many wrong PINs for {name}: locked until {attempt.locked_until:%H:%M} (a manager can unlock: knock unlock {name})"
    return f"wrong PIN for {name} ({attempt.tries_left} tries left)"


def authorise_member(ledger: Ledger, name_or_id: str, pin: str, now: datetime) -> Staff:
    """The active staff member ``name_or_id``, once their own PIN checks out; PermissionDenied otherwise."""
    member = ledger.staff(name_or_id)
    if not member.active:
        raise PermissionDenied(f"{member.name} is not active")
    attempt = check_pin(ledger, member.staff_id, pin, now)
    if not attempt.ok:
        raise PermissionDenied(refusal(member.name, attempt))
    return member


def authorise_manager(ledger: Ledger, name_or_id: str, pin: str, now: datetime) -> Staff:
    """The active manager ``name_or_id``, once their PIN checks out; PermissionDenied otherwise."""
    manager = ledger.staff(name_or_id)
    if manager.role != "manager" or not manager.active:
        raise PermissionDenied(f"{manager.name} is not an active manager")
    attempt = check_pin(ledger, manager.staff_id, pin, now)
    if not attempt.ok:
        raise PermissionDenied(refusal(manager.name, attempt))
    return manager


def set_pin(ledger: Ledger, staff_name_or_id: str, pin: str, *, author: str = "") -> Staff:
    """Hash ``pin`` and record it for the staff member (through the ledger).

    Callers decide who may do this: the command line asks a manager's PIN when
    the member already has one.
    """
    staff = ledger.staff(staff_name_or_id)
    ledger.update_staff(staff.staff_id, author=author or staff.staff_id, pin_hash=hash_pin(pin))
    return staff


def unlock(ledger: Ledger, staff_name_or_id: str, *, manager: Staff, now: datetime) -> Staff:
    """Lift a member's lockout, logged with the approving manager (who must already be authorised)."""
    staff = ledger.staff(staff_name_or_id)
    if manager.role != "manager" or not manager.active:
        raise PermissionDenied(f"{manager.name} is not an active manager")
    with ledger.store.transaction():
        ledger.journal.append(
            K.SIGNIN_UNLOCKED,
            {"staff_id": staff.staff_id, "at": now.isoformat(timespec="seconds"), "by": manager.staff_id},
            author=manager.staff_id,
        )
    return staff
