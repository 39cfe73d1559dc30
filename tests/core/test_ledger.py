from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from knock.core.accounts import account
from knock.core.errors import ContactCapReached, DuplicateCharge, LedgerError, PermissionDenied, QuietHours
from knock.core.events import ChainError, Event, EventConflict, EventKind
from knock.core.household_facts import household_facts
from knock.core.journal import Journal, replay
from knock.core.store import Store
from knock.home import Home


def _setup(home: Home) -> str:
    led = home.ledger
    hid = led.register_household("3-2-501", "王建国", phones=["13800001111"], area_centi_m2=9850, gender="m")
    led.register_staff("李明", "guard")
    led.register_staff("张经理", "manager")
    for month in (6, 7, 8):
        led.add_charge("3-2-501", "property_fee", date(2026, month, 1), date(2026, month, 28), date(2026, month, 15), 24625)
    return hid


def test_payment_allocates_oldest_first_and_numbers_receipts(home: Home) -> None:
    hid = _setup(home)
    first = home.ledger.record_payment("3栋2单元501室", 30000, method="cash", collector="李明")
    second = home.ledger.record_payment("3-2-501", 50000, method="wechat", collector="李明", overpay_confirmed=True, again=True)  # minutes after the first
    code = home.ledger.device.device_code
    assert (first.receipt_no, second.receipt_no) == (f"{code}-000001", f"{code}-000002")
    assert [i["amount_fen"] for i in first.items] == [24625, 5375]
    assert first.items[0]["period_start"] == "2026-06-01"
    assert second.owed_after_fen == 0
    assert second.credit_after_fen == 80000 - 3 * 24625
    acct = account(home.store, hid, date(2026, 11, 23), home.settings)
    assert acct.owed_fen == 0 and acct.credit_fen == 6125


def test_void_is_a_reversing_entry_and_keeps_the_receipt(home: Home) -> None:
    hid = _setup(home)
    paid = home.ledger.record_payment("3-2-501", 24625, method="cash", collector="李明")
    home.ledger.void_payment(paid.receipt_no, "wrong household", author="张经理")
    assert account(home.store, hid, date(2026, 11, 23), home.settings).owed_fen == 3 * 24625
    assert home.store.scalar("SELECT COUNT(*) FROM payments") == 1
    assert home.store.scalar("SELECT reason FROM payment_voids") == "wrong household"
    with pytest.raises(LedgerError, match="already void"):
        home.ledger.void_payment(paid.receipt_no, "again", author="张经理")
    with pytest.raises(LedgerError, match="reason"):
        home.ledger.void_payment(paid.receipt_no, "  ", author="张经理")


def test_money_tables_refuse_update_and_delete(home: Home) -> None:
    _setup(home)
    home.ledger.record_payment("3-2-501", 100, method="cash", collector="李明")
    for sql in ("UPDATE payments SET amount_fen = 1", "DELETE FROM charges", "UPDATE events SET author = 'x'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            home.store.conn.execute(sql)


def test_a_failed_payment_changes_nothing_and_skips_no_receipt_number(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(home)
    events_before = home.store.scalar("SELECT COUNT(*) FROM events")

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("battery died between taking the number and the commit")

    monkeypatch.setattr("knock.core.journal.project", crash)
    with pytest.raises(OSError):
        home.ledger.record_payment("3-2-501", 100, method="cash", collector="李明")
    monkeypatch.undo()
    assert home.store.scalar("SELECT COUNT(*) FROM events") == events_before
    assert home.store.scalar("SELECT COUNT(*) FROM payments") == 0
    again = home.ledger.record_payment("3-2-501", 100, method="cash", collector="李明")
    assert again.receipt_no.endswith("-000001")


def test_duplicate_charge_is_refused(home: Home) -> None:
    _setup(home)
    with pytest.raises(DuplicateCharge):
        home.ledger.add_charge("3-2-501", "property_fee", date(2026, 6, 1), date(2026, 6, 28), date(2026, 6, 15), 24625)


def test_bad_amounts_are_refused(home: Home) -> None:
    _setup(home)
    for bad in (0, -5, 12.5):
        with pytest.raises(LedgerError):
            home.ledger.record_payment("3-2-501", bad, method="cash", collector="李明")  # type: ignore[arg-type]


def test_contact_cap_needs_a_manager_override(home: Home) -> None:
    _setup(home)
    for _ in range(3):
        home.ledger.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明")
    with pytest.raises(ContactCapReached, match="3 times"):
        home.ledger.log_contact("3-2-501", channel="phone", outcome="not_home", collector="李明")
    with pytest.raises(PermissionDenied):
        home.ledger.log_contact("3-2-501", channel="phone", outcome="not_home", collector="李明", override_by="李明")
    home.ledger.log_contact("3-2-501", channel="door", outcome="note", collector="李明", note="留了通知")  # a note is no contact
    home.ledger.log_contact("3-2-501", channel="phone", outcome="promised", collector="李明", override_by="张经理")
    manager = home.ledger.staff("张经理").staff_id
    assert home.store.scalar("SELECT override_by FROM contacts ORDER BY at DESC, rowid DESC LIMIT 1") == manager


def test_promise_kept_or_broken_is_derived_from_payments(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    hid = _setup(home)
    home.ledger.make_promise("3-2-501", due_date=date(2026, 11, 25), window="evening", collector="李明", amount_fen=24625)
    facts = household_facts(home.store, hid, date(2026, 11, 23), home.settings, zone=home.ledger.now().tzinfo)
    assert [p.status for p in facts.promises] == ["open"]
    assert household_facts(home.store, hid, date(2026, 11, 26), home.settings, zone=home.ledger.now().tzinfo).promises[0].status == "broken"
    clock.advance(days=1)
    home.ledger.record_payment("3-2-501", 24625, method="alipay", collector="李明")
    assert household_facts(home.store, hid, date(2026, 11, 26), home.settings, zone=home.ledger.now().tzinfo).promises[0].status == "kept"
    assert facts.months_owed == 3 and facts.owed_fen == 3 * 24625


def _event(journal: Journal, **overrides: object) -> Event:
    base = Event.create(event_id="01TESTEVENT0000000000000001", device_id="DOTHER", seq=1, author="x",
                        device_time="2026-11-23T10:00:00+08:00", kind=EventKind.STAFF_REGISTERED,
                        payload={"staff_id": "S1", "name": "赵六", "role": "cleaner"}, prev_hash="0" * 64)
    return replace(base, **overrides) if overrides else base


def test_the_same_event_twice_is_a_no_op_and_different_content_is_refused(home: Home) -> None:
    journal = home.ledger.journal
    event = _event(journal)
    assert journal.ingest(event) is True
    assert journal.ingest(event) is False
    assert home.store.scalar("SELECT COUNT(*) FROM staff WHERE name = '赵六'") == 1
    forged = Event.create(event_id=event.event_id, device_id="DOTHER", seq=1, author="x", device_time=event.device_time,
                          kind=event.kind, payload={"staff_id": "S1", "name": "赵七", "role": "cleaner"}, prev_hash="0" * 64)
    with pytest.raises(EventConflict):
        journal.ingest(forged)


def test_edited_or_out_of_chain_events_are_refused(home: Home) -> None:
    journal = home.ledger.journal
    event = _event(journal)
    with pytest.raises(ChainError, match="hash"):
        journal.ingest(replace(event, payload={**event.payload, "name": "改了"}))
    skipped = Event.create(event_id="01TESTEVENT0000000000000002", device_id="DOTHER", seq=2, author="x",
                           device_time=event.device_time, kind=event.kind, payload={"staff_id": "S2", "name": "钱八", "role": "guard"},
                           prev_hash=event.hash)
    with pytest.raises(ChainError, match="does not follow"):
        journal.ingest(skipped)


def test_state_is_derived_from_the_log_alone(home: Home) -> None:
    _setup(home)
    home.ledger.record_payment("3-2-501", 30000, method="cash", collector="李明")
    home.ledger.log_contact("3-2-501", channel="door", outcome="part_paid", collector="李明")
    copy = Store(":memory:")
    assert replay(home.store, copy) == home.store.scalar("SELECT COUNT(*) FROM events")
    for table in ("households", "charges", "payments", "payment_items", "contacts", "staff", "devices"):
        original = [tuple(r) for r in home.store.query(f"SELECT * FROM {table} ORDER BY 1")]
        rebuilt = [tuple(r) for r in copy.query(f"SELECT * FROM {table} ORDER BY 1")]
        assert original == rebuilt, table
    assert home.ledger.journal.verify_chain(home.ledger.device.device_id) == []


def test_penalty_follows_settings_and_caps(home: Home) -> None:
    from knock.settings import Penalty

    hid = _setup(home)
    on = home.settings.model_copy(update={"penalty": Penalty(enabled=True, daily_rate_per_mille=3, cap_percent_of_principal=10)})
    acct = account(home.store, hid, date(2026, 6, 25), on)
    june = acct.charges[0]
    assert june.penalty_fen == 739  # 10 days late at 3 per mille: 738.75 rounds half up
    assert account(home.store, hid, date(2026, 11, 23), on).charges[0].penalty_fen == 2463  # capped at 10 %
    assert account(home.store, hid, date(2026, 11, 23), home.settings).penalty_total_fen == 0  # off by default
    assert Penalty(enabled=True, daily_rate_per_mille=5).warnings()


def test_a_contact_in_quiet_hours_is_logged_with_its_warning(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta, timezone

    CST = timezone(timedelta(hours=8))

    _setup(home)
    clock.set(datetime(2026, 11, 23, 22, 0, tzinfo=CST))
    with pytest.raises(QuietHours, match="quiet hours"):
        home.ledger.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明")
    with pytest.raises(QuietHours, match="reason"):
        home.ledger.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明", override_by="张经理")
    with pytest.raises(PermissionDenied):
        home.ledger.log_contact("3-2-501", channel="phone", outcome="not_home", collector="李明", override_by="李明", override_reason="业主要求")
    assert home.store.scalar("SELECT COUNT(*) FROM contacts") == 0, "a refused contact leaves nothing behind"
    home.ledger.log_contact("3-2-501", channel="door", outcome="note", collector="李明", note="明天再来")
    contact_id = home.ledger.log_contact(
        "3-2-501", channel="door", outcome="paid", collector="李明", override_by="张经理", override_reason="业主约了22:15在家等我们"
    )
    clock.set(datetime(2026, 11, 23, 21, 59, tzinfo=CST))
    home.ledger.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明")
    rows = {r["outcome"]: r for r in home.store.query("SELECT * FROM contacts")}
    assert "quiet_override" in rows["paid"]["warnings"] and rows["paid"]["override_by"]
    assert "quiet_hours" not in rows["not_home"]["warnings"]
    [override] = home.store.query("SELECT * FROM guard_overrides")
    assert (override["contact_id"], override["rule"], override["reason"]) == (contact_id, "quiet_hours", "业主约了22:15在家等我们")
    assert home.ledger.contact_verdict("3-2-501", "door", at=datetime(2026, 11, 23, 23, 0, tzinfo=CST)).blocked_by == ("quiet_hours",)


def test_free_text_with_forbidden_content_is_kept_and_flagged(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta, timezone

    clock.set(datetime(2026, 11, 23, 19, 30, tzinfo=timezone(timedelta(hours=8))))
    _setup(home)
    led = home.ledger
    led.log_contact("3-2-501", channel="door", outcome="refused", collector="李明", reason="what_can_you_do", note="再不交就把他家的水停了")
    led.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明", note="门上留了通知,请业主回电")
    complaint = led.open_complaint("3-2-501", category="staff", text="保安说要在业主群里公布我家房号", author="李明")
    led.close_complaint(complaint, resolution="已当面道歉,我们绝不会公开任何人的欠费", author="李明")
    flags = led.text_flags()
    assert [(f["source"], f["room"]) for f in flags] == [("contact_note", "3-2-501"), ("complaint", "3-2-501")]
    assert "utilities" in flags[0]["categories"] and "shaming" in flags[1]["categories"]
    assert home.store.scalar("SELECT note FROM contacts WHERE outcome = 'refused'") == "再不交就把他家的水停了", "kept as typed"
    assert led.text_flags(datetime(2026, 11, 24).date()) == []


def test_the_ledger_and_advise_agree_on_contacts_today_letters_included(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta, timezone

    from knock.playbook.rules import advise

    clock.set(datetime(2026, 11, 23, 19, 30, tzinfo=timezone(timedelta(hours=8))))
    hid = _setup(home)
    led = home.ledger
    led.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明")
    led.log_contact("3-2-501", channel="door", outcome="note", collector="李明", note="没人")
    led.record_escalation("3-2-501", "dunning_letter", author="张经理")
    led.log_contact("3-2-501", channel="letter", outcome="not_home", collector="张经理")
    facts = household_facts(home.store, hid, led.today(), home.settings, zone=led.now().tzinfo)
    assert led.contacts_today(hid) == advise(facts, home.settings, led.now()).contacts_today == 2
    led.log_contact("3-2-501", channel="phone", outcome="not_home", collector="李明")
    with pytest.raises(ContactCapReached):
        led.log_contact("3-2-501", channel="door", outcome="not_home", collector="李明")


def test_contacts_count_toward_the_cap_on_their_own_day_and_a_flag_is_one_per_minute(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    """The day and minute tests are index ranges now (not substr): the edges stay where they were."""
    from datetime import datetime, timedelta, timezone

    zone = timezone(timedelta(hours=8))
    hid = _setup(home)
    led = home.ledger
    clock.set(datetime(2026, 11, 23, 23, 59, 59, tzinfo=zone))
    led.log_contact("3-2-501", channel="phone", outcome="not_home", collector="李明", override_by="张经理", override_reason="业主要求晚上打")
    clock.set(datetime(2026, 11, 24, 0, 0, 0, tzinfo=zone))
    assert (led.contacts_today(hid, date(2026, 11, 23)), led.contacts_today(hid, date(2026, 11, 24))) == (1, 0)
    payload = {"excerpt": "把他家的水停了", "at": "2026-11-24T10:30:59+08:00"}
    home.store.conn.execute(
        "INSERT INTO text_flags (event_id, household_id, source, author, categories, excerpt, at) VALUES ('e1', ?, 'contact_note', 'x', 'utilities', ?, ?)",
        (hid, payload["excerpt"], payload["at"]),
    )
    assert led.has_text_flag(hid, {**payload, "at": "2026-11-24T10:30:00+08:00"})
    assert not led.has_text_flag(hid, {**payload, "at": "2026-11-24T10:31:00+08:00"})
    assert not led.has_text_flag(hid, {**payload, "at": "2026-11-24T10:29:59+08:00"})
    assert not led.has_text_flag("other", payload)
    assert [f["event_id"] for f in led.text_flags(date(2026, 11, 24))] == ["e1"] and led.text_flags(date(2026, 11, 23)) == []
