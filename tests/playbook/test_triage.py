"""triage() is advise() without the cards: it must decide exactly the same."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from knock.playbook.rules import advise, triage
from knock.settings import Settings

from .cases import NOW, complaint, contact, household, letter, promise

CASES = {
    "fresh": household(),
    "no_show": household(promises=(promise(20, -15, "broken"), promise(12, -8, "broken"), promise(5, -1, "broken"))),
    "unreachable": household(contacts=(contact(9, "not_home"), contact(6, "unreachable", "phone"), contact(2, "not_home"))),
    "defect": household(complaints=(complaint(30, "defect"),)),
    "refuser": household(
        months_owed=8,
        owed_fen=400000,
        contacts=(contact(40, "refused", reason="what_can_you_do"), contact(30, "refused"), contact(20, "refused")),
        escalations=(letter(25), letter(12)),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("zone", [None, timezone(timedelta(hours=8))])
def test_triage_decides_what_advise_decides(name: str, zone: timezone | None) -> None:
    facts = CASES[name]
    now = NOW if zone is None else NOW.replace(tzinfo=zone)
    full = advise(facts, Settings(), now)
    quick = triage(facts, Settings(), now)
    assert quick.types == full.types
    assert quick.group == full.group
    assert quick.next_action == full.next_action
    assert quick.ladder == full.ladder
    assert quick.contacts_today == full.contacts_today
