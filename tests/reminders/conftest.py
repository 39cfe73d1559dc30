"""Hand-built households for the reminder tests, on a home whose clock the test controls.

Monday 2026-11-23 19:30 in Hangzhou (the shared ``clock`` fixture): inside the
default SMS window (09:00-20:00), after the month's reminder day (the 6th).
Each household owes a property fee due 2026-11-15 unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import pytest

from knock.home import Home


@pytest.fixture
def office(home: Home) -> Home:
    """The home with an office sender (customer service) and a manager."""
    home.ledger.register_staff("王晓芳", "customer_service")
    home.ledger.register_staff("李经理", "manager")
    home.ledger.register_staff("张建军", "guard")
    return home


AddHousehold = Callable[..., str]


@pytest.fixture
def add_household(office: Home) -> AddHousehold:
    """add_household(room, owner, phones=(mobile,), months=1, ...) -> household id."""

    def add(
        room: str,
        owner: str = "王芳",
        *,
        phones: Iterable[str] = ("13800001111",),
        other_phones: Iterable[dict[str, str]] = (),
        months: int = 1,
        gender: str = "f",
        occupancy: str = "occupied",
        tags: Iterable[str] = (),
        fen: int = 22_000,
        due: date = date(2026, 11, 15),
    ) -> str:
        hid = office.ledger.register_household(
            room, owner, phones=phones, other_phones=other_phones, gender=gender, occupancy=occupancy, tags=tags
        )
        for i in range(months):
            month = due.month - i
            year = due.year + (month - 1) // 12
            month = (month - 1) % 12 + 1
            start = date(year, month, 1)
            end = date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1
            office.ledger.add_charge(room, "property_fee", start, date.fromordinal(end), date(year, month, due.day), fen)
        return hid

    return add
