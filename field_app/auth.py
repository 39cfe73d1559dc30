"""Signing in on a shared laptop: PIN hashes, lockout after wrong tries, idle lock.

The PIN hash is a staff fact and goes through :meth:`Ledger.update_staff`, so a
collector can sign in on any laptop after a sync. Wrong tries and lockouts are
this laptop's own business: they are kept in a small JSON file in the home
folder (written atomically and fsynced), never in the append-only event log,
and they survive a restart of the app.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from functools import cache

from knock.core.errors import LedgerError
from knock.core.ledger import Ledger, Staff
from knock.settings import Security

PIN_PATTERN = re.compile(r"^\d{4,8}$")
"""A PIN is four to eight digits: easy to type on any keyboard."""

LOCKOUT_FILE = "signin_lockout.json"
"""File in the home folder that remembers wrong tries per staff member."""


@cache
def _hasher() -> Any:
    """argon2id with a random salt per hash (argon2-cffi's defaults: slow on purpose).

    Imported on the first PIN: the first screen does not need it.
    """
    from argon2 import PasswordHasher

    return PasswordHasher()


class PinError(LedgerError):
    """A PIN that cannot be set or checked; the message says why."""


def hash_pin(pin: str) -> str:
    """The salted argon2id hash of ``pin`` (checks the PIN's shape first)."""
    if not PIN_PATTERN.match(pin):
        raise PinError("a PIN is 4 to 8 digits")
    return _hasher().hash(pin)


def pin_matches(pin_hash: str, pin: str) -> bool:
    """True when ``pin`` is the PIN behind ``pin_hash`` (False for an empty or broken hash)."""
    if not pin_hash or not pin:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def set_pin(ledger: Ledger, staff_name_or_id: str, pin: str, *, author: str = "") -> Staff:
    """Hash ``pin`` and record it for the staff member (through the ledger)."""
    staff = ledger.staff(staff_name_or_id)
    ledger.update_staff(staff.staff_id, author=author or staff.staff_id, pin_hash=hash_pin(pin))
    return staff


@dataclass(frozen=True)
class Attempt:
    """What a sign-in try came to."""

    ok: bool
    locked_until: datetime | None = None
    """Set when the member is locked out (now or by this try)."""
    tries_left: int = 0
    no_pin: bool = False
    """The member has no PIN yet: the office must set one (``knock set-pin``)."""


class Lockouts:
    """Wrong PIN counts and lockouts, per staff member, in a file that survives restarts."""

    def __init__(self, path: Path, security: Security) -> None:
        self.path = path
        self.security = security
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # A damaged file must not lock everyone out for ever; start counting again.
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict[str, object]]) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def locked_until(self, staff_id: str, now: datetime) -> datetime | None:
        """When the member's lockout ends, or None when they may try."""
        with self._lock:
            entry = self._read().get(staff_id, {})
        until = entry.get("locked_until")
        if not until:
            return None
        end = datetime.fromisoformat(str(until))
        return end if end > now else None

    def failures(self, staff_id: str) -> int:
        """Wrong tries since the last success or lockout."""
        with self._lock:
            return int(self._read().get(staff_id, {}).get("failures", 0))  # type: ignore[call-overload]

    def record_failure(self, staff_id: str, now: datetime) -> Attempt:
        """Count a wrong PIN; the last allowed one starts a lockout."""
        with self._lock:
            data = self._read()
            entry = data.get(staff_id, {})
            failures = int(entry.get("failures", 0)) + 1  # type: ignore[call-overload]
            if failures >= self.security.pin_max_tries:
                until = now + timedelta(minutes=self.security.lockout_minutes)
                data[staff_id] = {"failures": 0, "locked_until": until.isoformat()}
                self._write(data)
                return Attempt(False, locked_until=until)
            data[staff_id] = {"failures": failures, "locked_until": ""}
            self._write(data)
            return Attempt(False, tries_left=self.security.pin_max_tries - failures)

    def clear(self, staff_id: str) -> None:
        """Forget wrong tries after a good PIN."""
        with self._lock:
            data = self._read()
            if staff_id in data:
                del data[staff_id]
                self._write(data)


def check_pin(ledger: Ledger, lockouts: Lockouts, staff_id: str, pin: str, now: datetime) -> Attempt:
    """Try ``pin`` for the member, honouring and updating the lockout."""
    until = lockouts.locked_until(staff_id, now)
    if until is not None:
        return Attempt(False, locked_until=until)
    staff = ledger.staff(staff_id)
    if not staff.pin_hash:
        return Attempt(False, no_pin=True)
    if pin_matches(staff.pin_hash, pin):
        lockouts.clear(staff_id)
        return Attempt(True)
    return lockouts.record_failure(staff_id, now)


class IdleTimer:
    """Tells when the laptop has been left alone long enough to lock it."""

    def __init__(self, minutes: float, monotonic: object = None) -> None:
        import time

        self.seconds = minutes * 60
        self._now = monotonic or time.monotonic
        self.last = self._now()  # type: ignore[operator]

    def touch(self) -> None:
        """Someone pressed a key or moved the mouse."""
        self.last = self._now()  # type: ignore[operator]

    def expired(self) -> bool:
        """True when nobody touched the laptop for the idle time (0 minutes: never)."""
        return self.seconds > 0 and self._now() - self.last >= self.seconds  # type: ignore[operator]
