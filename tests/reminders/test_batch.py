"""The day's SMS batch: the playbook's choices, each guardrail with its reason, the wording per payer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from knock.core.household_facts import facts_for
from knock.core.accounts import household_by_room
from knock.home import Home, open_home
from knock.playbook.rules import triage
from knock.reminders.batch import Batch, BatchError, build_batch, message_id_for
from knock.reminders.recipients import owner_mobile
from knock.sample import build_sample
from knock.settings import Settings, Window
from tests.conftest import CST, FakeClock
from tests.reminders.conftest import AddHousehold


def _batch(home: Home, **kwargs: Any) -> Batch:
    settings = kwargs.pop("settings", home.settings)
    return build_batch(home.store, settings, home.ledger.now(), **kwargs)


def _left(batch: Batch) -> dict[str, str]:
    return {x.room: x.reason for x in batch.left_out}


def _changed(settings: Settings, section: str, **fields: Any) -> Settings:
    return settings.model_copy(update={section: getattr(settings, section).model_copy(update=fields)})


# --------------------------------------------------------------------------- the playbook's choice


def test_the_playbook_batch_is_the_households_whose_next_action_is_a_text(office: Home, add_household: AddHousehold, clock: FakeClock) -> None:
    add_household("1-1-101", "王芳")
    add_household("1-1-102", "李强", gender="m", months=3)
    hid = add_household("1-1-103", "赵敏")
    # a text went out five days ago and nobody answered: the playbook now says call, not another text
    assert office.ledger.record_message_sent(hid, message_id="old", template="overdue.monthly", sender="王晓芳", at=clock() - timedelta(days=5))
    batch = _batch(office)
    assert [m.room for m in batch.messages] == ["1-1-101", "1-1-102"]
    assert {m.kind for m in batch.messages} == {"overdue"}
    first = batch.messages[0]
    assert first.text.startswith("【安居物业服务有限公司】王女士您好，1-1-101物业费")
    assert "220.00元" in first.text and "0571-8888 6666" in first.text
    assert first.message_id == message_id_for(date(2026, 11, 23), "overdue", first.household_id)
    assert batch.left_out == ()
    assert batch.cost.segments == sum(m.segments for m in batch.messages)


def test_the_sample_community_batch_matches_the_playbook(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=CST)
    home = open_home(tmp_path / "sample", clock=lambda: now)
    try:
        build_sample(home, seed=7, households=300, arrears=100, staff=20)
        batch = build_batch(home.store, home.settings, now)
        in_batch = {m.room for m in batch.messages}
        left = {x.room: x.reason for x in batch.left_out}
        wanted: set[str] = set()
        for row in home.store.query("SELECT room FROM households"):
            household = household_by_room(home.store, row["room"])
            assert household is not None
            facts = facts_for(home.store, household, now.date(), home.settings, zone=now.tzinfo)
            if facts.owed_fen <= 0:
                continue
            action = triage(facts, home.settings, now).next_action
            if action.key == "sms" and action.not_before.date() <= now.date():
                wanted.add(household.room)
                if owner_mobile(household).phone is None:
                    assert left[household.room] == "no_owner_mobile"
        assert in_batch, "the sample has households the playbook would text today"
        assert in_batch | {r for r in left if r in wanted} == wanted
        assert in_batch.isdisjoint(left)
        assert {m.template_id.split(".")[0] for m in batch.messages} <= {"overdue", "appointment"}
        assert all(m.segments >= 1 and m.phone.startswith("1") and len(m.phone) == 11 for m in batch.messages)
    finally:
        home.close()


# --------------------------------------------------------------------------- guardrails


def test_only_the_owners_own_mobile_gets_the_text(office: Home, add_household: AddHousehold) -> None:
    add_household("2-1-101", phones=("13900002222",), other_phones=[{"number": "139 0000 2222", "role": "tenant"}])
    add_household("2-1-102", phones=("0571-88886666",))
    add_household("2-1-103", phones=())
    add_household("2-1-104", phones=("+86 139-0000-4444", "13800003333"), other_phones=[{"number": "13900004444", "role": "agent"}])
    batch = _batch(office, kind="overdue")  # with no phone at all the playbook itself would not text
    assert _left(batch) == {"2-1-101": "no_owner_mobile", "2-1-102": "no_owner_mobile", "2-1-103": "no_owner_mobile"}
    details = {x.room: x.detail.zh for x in batch.left_out}
    assert "租户或中介" in details["2-1-101"] and "固定电话" in details["2-1-102"] and "没有登记电话" in details["2-1-103"]
    assert [(m.room, m.phone) for m in batch.messages] == [("2-1-104", "13800003333")]


def test_no_text_outside_the_sms_window(office: Home, add_household: AddHousehold) -> None:
    add_household("3-1-101")
    weekdays_only = _changed(office.settings, "contact", sms_windows=[Window(weekdays=[0, 1, 2, 3, 4], start="09:00", end="20:00")])
    batch = _batch(office, settings=weekdays_only, day=date(2026, 11, 29), kind="overdue")  # a Sunday
    assert batch.messages == () and _left(batch) == {"3-1-101": "outside_sms_window"}
    assert "sms_windows" in batch.left_out[0].detail.en
    # today after 20:00 there is no time left either, but tomorrow there is
    late = _changed(office.settings, "contact", sms_windows=[Window(start="09:00", end="19:00")])
    assert _left(_batch(office, settings=late)) == {"3-1-101": "outside_sms_window"}
    assert [m.room for m in _batch(office, settings=late, day=date(2026, 11, 24)).messages] == ["3-1-101"]


def test_the_daily_contact_cap_leaves_a_household_out(office: Home, add_household: AddHousehold) -> None:
    add_household("3-1-201")
    add_household("3-1-202")
    for _ in range(3):
        office.ledger.log_contact("3-1-201", channel="door", outcome="refused", collector="张建军")
    batch = _batch(office, kind="overdue")
    assert _left(batch) == {"3-1-201": "daily_cap"}
    assert "上限3次" in batch.left_out[0].detail.zh
    assert [m.room for m in batch.messages] == ["3-1-202"]


def test_no_second_text_of_the_same_kind_within_the_setting(office: Home, add_household: AddHousehold, clock: FakeClock) -> None:
    recent = add_household("3-2-101")
    older = add_household("3-2-102")
    other_kind = add_household("3-2-103")
    office.ledger.record_message_sent(recent, message_id="a", template="overdue.monthly", sender="王晓芳", at=clock() - timedelta(days=3))
    office.ledger.record_message_sent(older, message_id="b", template="overdue.prepaid", sender="王晓芳", at=clock() - timedelta(days=8))
    office.ledger.record_message_sent(other_kind, message_id="c", template="holiday", sender="王晓芳", at=clock() - timedelta(days=1))
    batch = _batch(office, kind="overdue")
    assert _left(batch) == {"3-2-101": "repeat_kind"}
    assert "2026-11-20" in batch.left_out[0].detail.zh and "7天内不重复" in batch.left_out[0].detail.zh
    assert [m.room for m in batch.messages] == ["3-2-102", "3-2-103"]
    fortnight = _changed(office.settings, "reminders", repeat_days=14)
    assert _left(_batch(office, kind="overdue", settings=fortnight)) == {"3-2-101": "repeat_kind", "3-2-102": "repeat_kind"}


def test_an_open_complaint_about_what_is_charged_holds_the_text_unless_the_office_clears_it(office: Home, add_household: AddHousehold) -> None:
    add_household("4-1-101")
    add_household("4-1-102")
    add_household("4-1-103")
    office.ledger.open_complaint("4-1-101", category="service", text="楼道一周没打扫", author="张建军")
    office.ledger.open_complaint("4-1-102", category="noise", text="楼上装修吵", author="张建军")
    office.ledger.open_complaint("4-1-103", category="parking", text="车位被占", author="张建军")  # charged no parking
    batch = _batch(office, kind="overdue")
    assert _left(batch) == {"4-1-101": "open_complaint"}
    assert "楼道一周没打扫" in batch.left_out[0].detail.zh and "--allow-complaint" in batch.left_out[0].detail.en
    cleared = _batch(office, kind="overdue", allow_complaint={"4-1-101"})
    assert _left(cleared) == {}
    assert [(m.room, m.allowed_by_office) for m in cleared.messages] == [("4-1-101", True), ("4-1-102", False), ("4-1-103", False)]


def test_a_household_the_playbook_holds_gets_no_text_of_any_kind(office: Home, add_household: AddHousehold, clock: FakeClock) -> None:
    add_household("4-2-101", months=4)
    office.ledger.record_escalation("4-2-101", "dunning_letter", author="李经理", at=clock() - timedelta(days=1))
    batch = _batch(office, kind="overdue")
    assert _left(batch) == {"4-2-101": "playbook_hold"}
    assert "函件" in batch.left_out[0].detail.zh


# --------------------------------------------------------------------------- wording and kinds


def test_prepaid_and_monthly_payers_are_worded_apart(office: Home, add_household: AddHousehold) -> None:
    add_household("5-1-101", "陈刚", gender="m", months=2)
    office.ledger.register_household("5-1-102", "周丽", phones=("13800005555",), gender="f")
    office.ledger.add_charge("5-1-102", "property_fee", date(2026, 7, 1), date(2026, 9, 30), date(2026, 7, 15), 66_000)
    office.ledger.record_payment("5-1-102", 66_000, method="wechat", collector="张建军", at=datetime(2026, 7, 10, 10, 0, tzinfo=CST))
    for month in (10, 11):
        office.ledger.add_charge("5-1-102", "property_fee", date(2026, month, 1), date(2026, month, 28), date(2026, month, 15), 22_000)
    by_room = {m.room: m for m in _batch(office, kind="overdue").messages}
    monthly, prepaid = by_room["5-1-101"], by_room["5-1-102"]
    assert (monthly.template_id, prepaid.template_id) == ("overdue.monthly", "overdue.prepaid")
    assert "陈先生" in monthly.text and "预交" not in monthly.text
    assert "周女士" in prepaid.text and "预交的物业费已于2026年9月用完" in prepaid.text and "440.00元" in prepaid.text
    english = {m.room: m for m in _batch(office, kind="overdue", locale="en").messages}
    assert "paid ahead" in english["5-1-102"].text and "Dear Ms Zhou" in english["5-1-102"].text  # one surname rule: romanised in English


def test_before_due_texts_go_to_households_with_a_bill_falling_due_soon(office: Home, add_household: AddHousehold) -> None:
    add_household("5-2-101", due=date(2026, 11, 27))  # not yet due, in four days
    add_household("5-2-102", due=date(2026, 12, 15))  # too far off
    add_household("5-2-103")  # already overdue: the overdue texts speak to it
    batch = _batch(office, kind="before_due")
    assert [(m.room, m.template_id) for m in batch.messages] == [("5-2-101", "before_due.monthly")]
    assert "11月27日到期" in batch.messages[0].text and "220.00元" in batch.messages[0].text


def test_contract_end_and_holiday_kinds_need_their_settings(office: Home, add_household: AddHousehold) -> None:
    add_household("5-3-101")
    with pytest.raises(BatchError, match=r"\[reminders\] contract_end"):
        _batch(office, kind="contract_end")
    ending = _changed(office.settings, "reminders", contract_end=date(2026, 12, 20))
    texts = _batch(office, kind="contract_end", settings=ending).messages
    assert [m.template_id for m in texts] == ["contract_end"] and "12月20日结束" in texts[0].text
    far = _changed(office.settings, "reminders", contract_end=date(2027, 6, 30))
    with pytest.raises(BatchError, match="30 days before it"):
        _batch(office, kind="contract_end", settings=far)
    with pytest.raises(BatchError, match="no holiday within 3 days"):
        _batch(office, kind="holiday")
    greeting = _batch(office, kind="holiday", day=date(2026, 12, 30)).messages
    assert [m.template_id for m in greeting] == ["holiday"]
    assert "元旦将至" in greeting[0].text and "220" not in greeting[0].text and "元" in greeting[0].text


def test_a_payment_link_is_put_in_when_configured(office: Home, add_household: AddHousehold) -> None:
    add_household("5-4-101")
    linked = _changed(office.settings, "reminders", pay_link="https://pay.example.cn/r/{room}")
    text = _batch(office, kind="overdue", settings=linked).messages[0].text
    assert "可点击https://pay.example.cn/r/5-4-101缴纳" in text
    assert "扫描账单" in _batch(office, kind="overdue").messages[0].text


def test_the_eve_of_a_promised_day_gets_the_appointment_text_without_the_amount(office: Home, add_household: AddHousehold, clock: FakeClock) -> None:
    add_household("5-5-101", "陈刚", gender="m", months=2)
    office.ledger.make_promise("5-5-101", due_date=date(2026, 11, 24), window="evening", collector="张建军", at=clock() - timedelta(days=2))
    batch = _batch(office)
    assert [(m.room, m.template_id, m.kind) for m in batch.messages] == [("5-5-101", "appointment", "appointment")]
    text = batch.messages[0].text
    assert "明天（11月24日（周二））晚上约好办理5-5-101的物业费" in text and "元" not in text.replace("0571", "")
