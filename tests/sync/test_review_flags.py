"""What needs a person is accepted, flagged and kept until resolved with a reason."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from knock.core.errors import LedgerError, PermissionDenied
from knock.core.events import EventKind as K
from sync.report import collector_reports, report_text
from sync.review import count_cash, resolve_flag
from sync.flag_text import flag_message
from sync.status import Flag, cash_counts, open_flags
from tests.conftest import CST
from tests.sync.conftest import DAY, World


def en(flag: Flag) -> str:
    """A flag's sentence in English (the ledger keeps Chinese, the default, as its message)."""
    return flag_message(flag.message, flag.detail, "en")


def _kinds(world: World) -> list[str]:
    return sorted(f.kind for f in open_flags(world.office.store))


def test_two_laptops_paying_the_same_household_both_land_and_are_flagged(world: World) -> None:
    world.a07.ledger.record_payment("1-1-101", 120000, method="cash", collector="张伟")
    world.b02_clock.advance(minutes=20)
    world.b02.ledger.record_payment("1-1-101", 120000, method="wechat", collector="李娜")
    world.merge(world.export(world.a07), world.export(world.b02))
    assert world.office.store.scalar("SELECT COUNT(*) FROM payments WHERE household_id = (SELECT household_id FROM households WHERE room = '1-1-101')") == 2
    flags = [f for f in open_flags(world.office.store) if f.kind == "double_payment"]
    assert len(flags) == 1
    assert "2 payments on 2026-11-23: ¥1,200.00 by 张伟 at 19:30" in en(flags[0])
    assert "¥1,200.00 by 李娜 at 19:50" in en(flags[0]) and "credit" in en(flags[0])
    # The ledger's own sentence is Chinese (the default locale), from the vocabulary's templates.
    assert "房号 1-1-101：2026-11-23 共收款 2 笔：19:30 张伟 收 ¥1,200.00" in flags[0].message and "预存款" in flags[0].message
    account = world.office.ledger.household("1-1-101")
    from knock.core.accounts import account as acct

    assert acct(world.office.store, account.household_id, DAY, world.office.settings).credit_fen == 120000


def test_counter_payment_then_door_payment_says_the_collector_did_not_know(world: World) -> None:
    world.office_clock.set(datetime(2026, 11, 23, 12, 3, tzinfo=CST))
    world.office.ledger.record_payment("1-1-102", 50000, method="alipay", collector="王组长")
    world.a07.ledger.record_payment("1-1-102", 50000, method="cash", collector="张伟")
    world.office_clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=CST))
    world.merge(world.export(world.a07))
    (flag,) = [f for f in open_flags(world.office.store) if f.kind == "counter_same_day"]
    assert "at the counter at 12:03" in en(flag)
    assert "collected without knowing of the 12:03 payment" in en(flag)


def test_reassigned_household_is_accepted_and_flagged(world: World) -> None:
    households = {r["room"]: r["household_id"] for r in world.office.store.query("SELECT room, household_id FROM households")}
    pairs = {h: world.zhang for h in households.values()}
    pairs[households["1-1-201"]] = world.li
    world.office.ledger.set_assignments(DAY, pairs)  # after the laptop's view of the day
    world.a07.ledger.log_contact("1-1-201", channel="door", outcome="not_home", collector="张伟")
    world.a07.ledger.record_payment("1-1-201", 10000, method="cash", collector="张伟")
    world.merge(world.export(world.a07))
    flags = [f for f in open_flags(world.office.store) if f.kind == "reassigned"]
    assert len(flags) == 2 and all("assigned to 李娜" in en(f) for f in flags)
    assert world.office.store.scalar("SELECT COUNT(*) FROM payments WHERE collector_id = ?", (world.zhang,)) == 1


def test_missing_receipt_number_is_flagged_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    led = world.a07.ledger
    led.record_payment("1-1-101", 10000, method="cash", collector="张伟")
    original = type(led).next_receipt_seq
    monkeypatch.setattr(type(led), "next_receipt_seq", lambda self: original(self) + 1)
    led.record_payment("1-1-102", 10000, method="cash", collector="张伟")
    path = world.export(world.a07)
    world.merge(path)
    world.merge(path)
    (flag,) = [f for f in open_flags(world.office.store) if f.kind == "receipt_gap"]
    code = led.device.device_code
    assert f"receipt number {code}-000002 missing" in en(flag) and "cash not handed in" in en(flag)


def test_laptop_clock_three_days_wrong_is_flagged_and_the_event_keeps_its_time(world: World) -> None:
    world.a07_clock.set(datetime(2026, 11, 20, 19, 30, tzinfo=CST))
    world.a07.ledger.log_contact("1-1-101", channel="door", outcome="not_home", collector="张伟")
    world.office_clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=CST))
    world.merge(world.export(world.a07))
    (flag,) = [f for f in open_flags(world.office.store) if f.kind == "clock_skew"]
    assert "3 days earlier" in en(flag) and "2026-11-20 19:30" in en(flag) and "2026-11-23 20:00" in en(flag)
    assert "时钟偏慢" in flag.message and "早 3 天" in flag.message and "2026-11-20 19:30" in flag.message
    assert world.office.store.scalar("SELECT at FROM contacts") == "2026-11-20T19:30:00+08:00"
    world.a07_clock.set(datetime(2026, 11, 26, 19, 30, tzinfo=CST))
    world.a07.ledger.log_contact("1-1-102", channel="door", outcome="not_home", collector="张伟")
    world.merge(world.export(world.a07))
    assert any("clock ahead" in en(f) for f in open_flags(world.office.store))


def test_each_event_is_checked_against_the_merge_time_not_only_the_file(world: World) -> None:
    """A clock set ahead for part of the day and back before the export: the file's own time looks
    right, the events written meanwhile are flagged once, with their device time beside the merge's."""
    world.a07_clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=CST))
    world.a07.ledger.log_contact("1-1-101", channel="door", outcome="not_home", collector="张伟")  # 09:00, right
    world.a07_clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=CST))  # six hours ahead for two visits
    world.a07.ledger.log_contact("1-1-102", channel="door", outcome="not_home", collector="张伟")
    world.a07_clock.advance(minutes=5)
    world.a07.ledger.log_contact("1-1-101", channel="door", outcome="promised", collector="张伟")
    world.a07_clock.set(datetime(2026, 11, 24, 9, 8, tzinfo=CST))  # put right before the export
    world.office_clock.set(datetime(2026, 11, 24, 9, 10, tzinfo=CST))
    path = world.export(world.a07)
    (dry,) = world.merge(path, dry_run=True).verdicts
    assert len(dry.flags) == 1 and dry.flags[0].startswith("（将检查）") and "时钟偏快" in dry.flags[0]
    world.merge(path)
    (flag,) = [f for f in open_flags(world.office.store) if f.kind == "clock_skew"]
    assert "clock ahead: 2 events" in en(flag) and "2026-11-24 15:05" in en(flag) and "merged 2026-11-24 09:10" in en(flag)
    assert "5 hours ahead" in en(flag) and "时钟偏快" in flag.message and "2 条记录" in flag.message
    assert world.office.store.scalar("SELECT MAX(at) FROM contacts") == "2026-11-24T15:05:00+08:00"  # the event keeps its time


def test_event_for_a_household_unknown_at_the_office_is_set_aside_then_applied(world: World) -> None:
    # The laptop knows a household the office has not registered (e.g. the office's registering file came later).
    hid = world.a07.ledger.register_household("3-1-101", "新业主", author=world.zhang)
    world.a07.ledger.add_charge("3-1-101", "property_fee", DAY.replace(month=1, day=1), DAY.replace(month=6, day=30), DAY.replace(month=1, day=15), 5000)
    world.office.ledger.register_household("3-1-101", "别的业主")  # the office took the room for someone else
    world.a07.ledger.record_payment("3-1-101", 5000, method="cash", collector="张伟")
    world.a07.ledger.log_contact("1-1-101", channel="door", outcome="not_home", collector="张伟")
    run = world.merge(world.export(world.a07))
    (verdict,) = run.verdicts
    assert verdict.status == "merge" and len(verdict.parked) == 3
    assert world.office.store.scalar("SELECT COUNT(*) FROM contacts") == 1  # the rest of the file landed
    assert world.office.store.scalar("SELECT COUNT(*) FROM sync_parked WHERE applied_at IS NULL") == 3
    assert world.office.store.scalar("SELECT COUNT(*) FROM events WHERE json_extract(payload, '$.household_id') = ?", (hid,)) >= 3
    assert "unapplied" in _kinds(world)
    from knock.core.integrity import full_check, quick_check

    assert quick_check(world.office.store) == [] and full_check(world.office.store) == []  # parked is not tampered


def test_resolving_a_flag_needs_a_reason_and_a_lead_and_is_an_event(world: World) -> None:
    world.a07.ledger.record_payment("1-1-101", 120000, method="cash", collector="张伟")
    world.b02.ledger.record_payment("1-1-101", 120000, method="cash", collector="李娜")
    world.merge(world.export(world.a07), world.export(world.b02))
    (flag,) = [f for f in open_flags(world.office.store) if f.kind == "double_payment"]
    with pytest.raises(LedgerError):
        resolve_flag(world.office.ledger, flag.flag_id[-8:], resolution="  ", by="王组长")
    with pytest.raises(PermissionDenied):
        resolve_flag(world.office.ledger, flag.flag_id[-8:], resolution="refund", by="张伟")
    done = resolve_flag(world.office.ledger, flag.flag_id[-8:], resolution="refund ¥1,200 to the owner", by="王组长")
    assert done.status == "resolved" and done.resolved_by == world.lead
    assert [f.kind for f in open_flags(world.office.store)] == ["reassigned"]
    assert world.office.store.scalar("SELECT COUNT(*) FROM events WHERE kind = ?", (K.SYNC_FLAG_RESOLVED,)) == 1


def test_cash_count_difference_is_an_event_a_flag_and_in_the_report(world: World) -> None:
    world.a07.ledger.record_payment("1-1-101", 30000, method="cash", collector="张伟")
    world.a07.ledger.record_payment("1-1-102", 20000, method="cash", collector="张伟")
    world.a07.ledger.record_payment("1-1-201", 15000, method="wechat", collector="张伟")
    world.a07.ledger.void_payment(world.a07.ledger.receipt_no(2), "wrong room", author=world.zhang)
    world.a07.ledger.log_contact("1-1-202", channel="door", outcome="not_home", collector="张伟")
    world.merge(world.export(world.a07))
    count = count_cash(world.office.ledger, "张伟", 29000, by="王组长", day=DAY)
    assert (count.expected_fen, count.difference_fen) == (30000, -1000)
    assert [c.collector_name for c in cash_counts(world.office.store, DAY)] == ["张伟"]
    assert "cash_difference" in _kinds(world)
    (report,) = collector_reports(world.office.store, DAY, only={world.zhang})
    assert report.assigned == 4 and report.visited == 3 and report.total_fen == 45000  # two live payments and one contact (the voided receipt is no visit)
    assert {m.method: (m.count, m.amount_fen) for m in report.money} == {"cash": (1, 30000), "wechat": (1, 15000)}
    assert report.voids[0]["reason"] == "wrong room"
    assert report.cash_difference_fen == -1000
    text = report_text([report])
    assert "difference -¥10.00" in text and "visited 3/4" in text
    (flag,) = [f for f in report.flags if f["kind"] == "cash_difference"]
    assert flag["message"] != flag["message_en"]
    assert flag["message"] in text and flag["message_en"] not in text
    english = report_text([report], "en")
    assert flag["message_en"] in english and flag["message"] not in english
    json.dumps(report.to_dict(), ensure_ascii=False)


def test_cash_needs_a_lead(world: World) -> None:
    with pytest.raises(PermissionDenied):
        count_cash(world.office.ledger, "张伟", 100, by="李娜", day=DAY)
    assert world.office.store.scalar("SELECT COUNT(*) FROM cash_counts") == 0


def test_merge_run_in_dry_run_changes_nothing(world: World) -> None:
    world.a07.ledger.record_payment("1-1-101", 30000, method="cash", collector="张伟")
    path = world.export(world.a07)
    before = world.office.store.scalar("SELECT COUNT(*) FROM events")
    run = world.merge(path, dry_run=True)
    assert run.verdicts[0].status == "merge" and run.verdicts[0].new_events > 0
    assert world.office.store.scalar("SELECT COUNT(*) FROM events") == before
    _ = timedelta


def test_set_aside_payment_lands_when_the_file_that_explains_it_is_merged(world: World) -> None:
    from knock.core.events import Event

    world.b02.ledger.register_household("3-1-102", "新业主", author=world.li)
    world.b02.ledger.add_charge("3-1-102", "property_fee", DAY.replace(month=1, day=1), DAY.replace(month=6, day=30), DAY.replace(month=1, day=15), 8000)
    b02_id = world.b02.ledger.device.device_id
    rows = world.b02.store.query("SELECT * FROM events WHERE device_id = ? ORDER BY seq", (b02_id,))
    world.a07.ledger.journal.ingest_many([Event.from_row(r) for r in rows])
    world.a07.ledger.record_payment("3-1-102", 8000, method="cash", collector="张伟")
    first = world.merge(world.export(world.a07))
    assert len(first.verdicts[0].parked) == 1
    assert world.office.store.scalar("SELECT COUNT(*) FROM payments") == 0
    second = world.merge(world.export(world.b02))
    assert second.unparked == 1
    assert world.office.store.scalar("SELECT amount_fen FROM payments") == 8000
    assert "unapplied" not in _kinds(world)
    assert world.office.store.scalar("SELECT COUNT(*) FROM sync_parked WHERE applied_at IS NOT NULL") == 1
    from knock.core.integrity import full_check, quick_check

    assert quick_check(world.office.store) == [] and full_check(world.office.store) == []  # replayed in the order applied
