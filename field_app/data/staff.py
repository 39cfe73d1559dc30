"""The sign-in list and the managers who may approve an extra contact."""

from __future__ import annotations

from dataclasses import dataclass

from knock.home import Home


@dataclass(frozen=True)
class StaffChoice:
    """A name on the sign-in list."""

    staff_id: str
    name: str
    role: str
    has_pin: bool


def staff_for_sign_in(home: Home) -> list[StaffChoice]:
    """Active staff of this laptop, collectors first, by name."""
    rows = home.store.query("SELECT staff_id, name, role, pin_hash FROM staff WHERE active = 1 ORDER BY role = 'manager', name")
    return [StaffChoice(r["staff_id"], r["name"], r["role"], bool(r["pin_hash"])) for r in rows]


def managers(home: Home) -> list[StaffChoice]:
    """Active managers (who may approve an extra contact)."""
    return [s for s in staff_for_sign_in(home) if s.role == "manager"]
