"""The playbook's facts as the ledger gives them (knock/core/household_facts.py): a payment is an answer.

``last_paid_at`` was never set from the ledger (13q), so the rules that read it were blind to
payments made without a contact (at the office, by QR, in quiet hours): a letter looked unanswered
and the ladder went on to the lawyer's letter; a hardship said a year ago still held.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from knock.advice import advise
from knock.core.household_facts import household_facts
from knock.home import Home

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 19, 30, tzinfo=CST)
ROOM = "1-1-101"


def _owing_and_refusing(home: Home, reason: str = "") -> tuple[str, str]:
    ledger = home.ledger
    guard = ledger.register_staff("张保安", "guard")
    manager = ledger.register_staff("赵经理", "manager")
    ledger.register_household(ROOM, "王某某", phones=["13800000001"])
    for month in range(5, 11):
        ledger.add_charge(ROOM, "property_fee", date(2026, month, 1), date(2026, month, 28), date(2026, month, 15), 30000)
    for days, channel in ((40, "door"), (38, "phone"), (36, "door")):
        ledger.log_contact(ROOM, channel=channel, outcome="refused", reason=reason, collector=guard, at=(NOW - timedelta(days=days)).replace(hour=19))
    return guard, manager


def test_the_last_payment_is_in_the_facts_and_a_void_is_not(home: Home) -> None:
    guard, manager = _owing_and_refusing(home)
    ledger = home.ledger
    first = ledger.record_payment(ROOM, 10000, method="cash", collector=guard, at=NOW - timedelta(days=10))
    last = ledger.record_payment(ROOM, 10000, method="wechat", collector=guard, at=NOW - timedelta(days=3))
    ledger.void_payment(last.receipt_no, "wrong room", author=manager)
    facts = household_facts(home.store, ledger.household(ROOM).household_id, NOW.date(), home.settings, zone=CST)
    assert facts.last_paid_at == NOW - timedelta(days=10) and facts.last_paid_at.tzinfo == CST
    assert first.receipt_no


def test_a_payment_at_the_office_after_the_letters_stops_the_ladder(home: Home) -> None:
    guard, manager = _owing_and_refusing(home)
    ledger = home.ledger
    for days in (30, 16):
        ledger.record_escalation(ROOM, "dunning_letter", author=manager, at=NOW - timedelta(days=days))
    before = advise(home, ROOM, locale="en", now=NOW)
    assert before.ladder.step == "lawyer_letter"  # two letters, no answer: the lawyer's letter is due
    ledger.record_payment(ROOM, 30000, method="cash", collector=manager, at=NOW - timedelta(days=8))  # paid at the desk: no contact
    after = advise(home, ROOM, locale="en", now=NOW)
    assert after.ladder.step is None
    assert "wilful_refusal" not in {t.key for t in after.types}


def test_a_payment_after_hardship_ends_it(home: Home) -> None:
    guard, _manager = _owing_and_refusing(home, reason="cant_afford")
    assert "hardship" in {t.key for t in advise(home, ROOM, locale="en", now=NOW).types}
    home.ledger.record_payment(ROOM, 30000, method="cash", collector=guard, at=NOW - timedelta(days=10))
    assert "hardship" not in {t.key for t in advise(home, ROOM, locale="en", now=NOW).types}
