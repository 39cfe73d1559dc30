"""The gate lookup: is this room paid up?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knock.core.accounts import account, household_by_room
from knock.core.rooms import RoomError, parse_room
from knock.home import Home

from field_app.data.household import is_assigned
from field_app.data.today import normalise_query
from field_app.i18n import _
from field_app.names import owner_title


@dataclass(frozen=True)
class GateAnswer:
    """What the gate lookup shows about a room."""

    room: str
    found: bool
    paid_up: bool = False
    reminder: str = ""
    owed_fen: int | None = None
    """Only for the collectors assigned to the household today."""


def gate_lookup(home: Home, text: str, staff_id: str, today: date) -> GateAnswer:
    """Is this room paid up? The amount is shown only to its assigned collector."""
    try:
        code = parse_room(normalise_query(text) or text).code
    except RoomError:
        return GateAnswer(text.strip(), False)
    household = household_by_room(home.store, code)
    if household is None:
        return GateAnswer(code, False)
    acct = account(home.store, household.household_id, today, home.settings)
    if acct.overdue_fen <= 0:
        return GateAnswer(code, True, True)
    owner = owner_title(household.owner_name, household.gender)
    reminder = _("{owner}, hello! A gentle reminder that this home's property fee is not yet settled; you can pay at the service centre or by the QR code on the notice. Thank you!").format(owner=owner)
    shown = acct.overdue_fen if is_assigned(home, household.household_id, staff_id, today) else None
    return GateAnswer(code, True, False, reminder, shown)
