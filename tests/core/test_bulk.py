"""The bulk path (LedgerBatch) writes what the Ledger methods write and keeps their rules."""

from __future__ import annotations

import json
import sqlite3
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from knock.core.bulk import LedgerBatch
from knock.core.errors import ContactCapReached, DuplicateCharge, LedgerError, NotFound, QuietHours
from knock.core.payment_rules import PaymentRefused
from knock.home import Home, open_home

from tests.conftest import CST, FakeClock

_ULID = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{26}\b")


def _script(actor: Any) -> list[Any]:
    """A small history, written through ``actor`` (a Ledger or a LedgerBatch): the same calls either way."""
    out: list[Any] = []
    guard = actor.register_staff("王芳", "guard")
    actor.register_staff("李经理", "manager")
    actor.create_community("安居花园", "杭州")
    actor.register_household("3-2-501", "周婷", phones=["13800003501"], area_centi_m2=8950, occupancy="rented",
                             other_phones=[{"number": "13900000001", "role": "tenant"}], billing_code="AJHY-03-02-0501")
    actor.register_household("3栋2单元502", "郑秀英", tags=["away", "away"])
    for month in (9, 10, 11):
        actor.add_charge("3-2-501", "property_fee", date(2026, month, 1), date(2026, month, 28), date(2026, month, 15), 22375, source="t")
    actor.add_charge("AJHY-03-02-0501", "parking", date(2026, 9, 1), date(2026, 11, 30), date(2026, 9, 15), 45000)
    actor.add_charge("3-2-502", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 10000)
    out.append(actor.record_payment("3-2-501", 30000, method="cash", collector=guard, at=datetime(2026, 11, 20, 19, 0, tzinfo=CST)))
    out.append(actor.record_payment("3-2-501", 80000, method="wechat", collector=guard, at=datetime(2026, 11, 21, 19, 0, tzinfo=CST),
                                    overpay_confirmed=True, again=True, payer="周先生"))
    out.append(actor.record_payment("3-2-502", 12000, method="alipay", collector=guard, at=datetime(2026, 11, 21, 19, 5, tzinfo=CST),
                                    overpay_confirmed=True))
    day = datetime(2026, 11, 22, 19, 0, tzinfo=CST)
    complaint = actor.open_complaint("3-2-502", category="service", text="保安说不交钱就给你家停水", author=guard, at=day)
    actor.close_complaint(complaint, resolution="已道歉", author=guard, at=day)
    contact = actor.log_contact("3-2-502", channel="door", outcome="promised", collector=guard, reason="pay_next_week", note="下周交", at=day)
    actor.make_promise("3-2-502", due_date=date(2026, 11, 25), window="evening", collector=guard, contact_id=contact, at=day)
    actor.log_contact("3-2-502", channel="door", outcome="note", collector=guard, note="不交就停水", at=day)
    actor.log_contact("3-2-502", channel="phone", outcome="refused", collector=guard, reason="说话太难听", at=day)
    actor.record_escalation("3-2-502", "dunning_letter", author=guard, deadline=date(2026, 12, 6), note="催费函", at=day)
    return out


def _events(home: Home) -> list[str]:
    ids: dict[str, int] = {}
    rows = []
    for r in home.store.query("SELECT kind, author, payload FROM events WHERE kind != 'device.registered' ORDER BY seq"):
        payload = json.loads(r["payload"])
        for key in ("qr_text", "receipt_sig"):
            if key in payload:
                payload[key] = bool(payload[key])
        text = json.dumps([r["kind"], r["author"], payload], sort_keys=True, ensure_ascii=False)
        text = _ULID.sub(lambda m: f"#{ids.setdefault(m.group(0), len(ids))}", text)
        rows.append(text.replace(home.ledger.device.device_code, "DEVICE"))
    return rows


def _other_home(tmp_path: Path, clock: FakeClock) -> Home:
    return open_home(tmp_path / "other", clock=clock)


def test_the_bulk_path_writes_the_same_events_as_the_ledger_methods(home: Home, tmp_path: Path, clock: FakeClock) -> None:
    one_by_one = _script(home.ledger)
    other = _other_home(tmp_path, clock)
    with LedgerBatch(other.ledger) as batch:
        in_bulk = _script(batch)
    assert _events(other) == _events(home)
    def seen(results: list[Any]) -> list[Any]:
        return [(p.amount_fen, [(i["item"], i["period_start"], i["amount_fen"]) for i in p.items], p.owed_after_fen, p.credit_after_fen,
                 p.receipt_no[-6:]) for p in results]

    assert seen(in_bulk) == seen(one_by_one)
    assert any(e.startswith('["text.flagged"') for e in _events(home))  # the script does reach the text scanner
    other.close()


def test_the_bulk_path_remembers_only_a_few_households_and_reads_the_rest_back(home: Home, tmp_path: Path, clock: FakeClock) -> None:
    _script(home.ledger)
    other = _other_home(tmp_path, clock)
    with LedgerBatch(other.ledger, keep=1, chunk=3) as batch:  # every household but the last is read back from the ledger
        _script(batch)
    assert _events(other) == _events(home)
    other.close()


def test_households_written_before_the_batch_are_read_from_the_ledger(home: Home) -> None:
    led = home.ledger
    guard = led.register_staff("王芳", "guard")
    led.register_household("3-2-501", "周婷")
    led.add_charge("3-2-501", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 22375)
    led.record_payment("3-2-501", 10000, method="cash", collector=guard, at=datetime(2026, 11, 20, 19, 0, tzinfo=CST))
    with LedgerBatch(led) as batch:
        with pytest.raises(DuplicateCharge):
            batch.add_charge("3-2-501", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 22375)
        batch.add_charge("3-2-501", "parking", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 5000)
        with pytest.raises(DuplicateCharge):  # held back, not written yet: still a duplicate
            batch.add_charge("3-2-501", "parking", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 5000)
        paid = batch.record_payment("3-2-501", 17375, method="cash", collector=guard, at=datetime(2026, 11, 21, 19, 0, tzinfo=CST))
        with pytest.raises(LedgerError, match="already registered"):
            batch.register_household("3-2-501", "周婷")
        with pytest.raises(NotFound):
            batch.add_charge("9-9-909", "parking", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 5000)
    assert paid.owed_after_fen == 0 and paid.receipt_no.endswith("-000002")
    # Payments settle the oldest charges first, recomputed from all of them: parking (same due date, sorted first) took
    # 5,000 of the earlier 10,000, so 17,375 is open on the property fee - the batch read that from the ledger.
    assert [(i["item"], i["amount_fen"]) for i in paid.items] == [("property_fee", 17375)]
    assert led.household_version(led.household("3-2-501").household_id) != ""


def test_the_bulk_path_keeps_the_guardrails(home: Home) -> None:
    with LedgerBatch(home.ledger) as batch:
        guard = batch.register_staff("王芳", "guard")
        batch.register_household("3-2-501", "周婷")
        batch.add_charge("3-2-501", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 22375)
        with pytest.raises(QuietHours):
            batch.log_contact("3-2-501", channel="door", outcome="not_home", collector=guard, at=datetime(2026, 11, 22, 22, 30, tzinfo=CST))
        day = datetime(2026, 11, 22, 19, 0, tzinfo=CST)
        for _ in range(home.settings.contact.daily_cap):
            batch.log_contact("3-2-501", channel="door", outcome="not_home", collector=guard, at=day)
        with pytest.raises(ContactCapReached):
            batch.log_contact("3-2-501", channel="phone", outcome="unreachable", collector=guard, at=day)
        batch.log_contact("3-2-501", channel="door", outcome="note", collector=guard, note="门口贴了通知", at=day)  # a note is no contact
        with pytest.raises(PaymentRefused):
            batch.record_payment("3-2-501", 9_000_000_000, method="cash", collector=guard)
        with pytest.raises(LedgerError, match="due in the past"):
            batch.make_promise("3-2-501", due_date=date(2026, 11, 1), window="evening", collector=guard, at=day)


def test_a_failure_inside_the_batch_writes_nothing(home: Home) -> None:
    before = home.store.scalar("SELECT COUNT(*) FROM events")
    with pytest.raises(RuntimeError):
        with LedgerBatch(home.ledger, chunk=2) as batch:  # some chunks are already written when it fails
            for n in range(1, 8):
                batch.register_household(f"3-2-{n}01", "业主")
            raise RuntimeError("the disk is gone")
    assert home.store.scalar("SELECT COUNT(*) FROM events") == before
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 0
    with pytest.raises(LedgerError, match="with-block"):
        batch.register_household("9-9-901", "业主")


def test_a_caller_that_read_the_ledger_hands_over_ids_and_checked_charges(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    # An import reads its rooms' ids and charges inside the batch's transaction; it hands them over
    # so that the batch does not look each one up again. The events are the same as without.
    led = home.ledger
    for room in ("3-2-501", "3-2-502"):
        led.register_household(room, "周婷")
    led.add_charge("3-2-501", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 22375)
    ids = {r[0]: r[1] for r in home.store.query("SELECT room, household_id FROM households")}
    looked_up: list[str] = []
    real = type(led).has_charge
    monkeypatch.setattr(type(led), "has_charge", lambda self, *a: looked_up.append(a[0]) or real(self, *a))
    with LedgerBatch(led) as batch:
        batch.update_household("3-2-502", billing_code="3栋2单元502", author="import", household_id=ids["3-2-502"])
        batch.add_charge("3-2-502", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 10000,
                         household_id=ids["3-2-502"], checked=True)
        with pytest.raises(DuplicateCharge):  # the batch's own charges are still searched
            batch.add_charge("3-2-502", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 10000,
                             household_id=ids["3-2-502"], checked=True)
    assert looked_up == []
    assert led.household("3-2-502").billing_code == "3栋2单元502"
    assert [(r[0], r[1]) for r in home.store.query("SELECT household_id, amount_fen FROM charges ORDER BY amount_fen")] == [
        (ids["3-2-502"], 10000), (ids["3-2-501"], 22375)]
    # A caller that claims a charge is new when the ledger has it is stopped by the charges' unique key: nothing is written.
    before = home.store.scalar("SELECT COUNT(*) FROM events")
    with pytest.raises(sqlite3.IntegrityError):
        with LedgerBatch(led) as batch:
            batch.add_charge("3-2-501", "property_fee", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15), 22375,
                             household_id=ids["3-2-501"], checked=True)
    assert home.store.scalar("SELECT COUNT(*) FROM events") == before
