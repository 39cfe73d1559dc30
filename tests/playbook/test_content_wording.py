"""The content fixes a supervisor and a compliance officer asked for, held by a wording scan.

Each overclaim or collector's promise that only a manager can keep is banned
from every text of the playbook, and each missing seed item is required.
"""

from __future__ import annotations

import re

import pytest

from knock.playbook.content import MESSAGE_KEYS, load_playbook

BOOK = load_playbook()
ALL_ZH = [(where, t.zh) for where, t in BOOK.texts()]
ALL_EN = [(where, t.en) for where, t in BOOK.texts()]

BANNED_ZH = {
    "空置房也要缴": "article 944 says nothing of vacant homes; vacancy discounts follow the contract and local rules",
    "书面催告,给": "article 944 says 催告, not necessarily in writing",
    "收支情况公示": "a public account of income and spending holds only for a 酬金制 contract; say what article 943 makes public",
    "归开发商保修": "the developer repairs defects within the warranty period (保修期内), not forever",
    "供水是自来水公司负责": "the building's pumps and tanks (二次供水) are often the property company's job",
    "换其他同事来": "only a manager can assign another colleague",
    "可以分期": "only a manager can grant instalments",
    "可以商量分期": "only a manager can grant instalments",
    "都记着": "reads as a threat",
    "本期的物业费账单": "wrong for a household owing many months",
    "查购房": "only the company's own records may be checked",
}


@pytest.mark.parametrize("phrase", sorted(BANNED_ZH))
def test_no_overclaim_or_manager_only_promise(phrase: str) -> None:
    hits = [where for where, text in ALL_ZH if phrase in text]
    assert not hits, f"{phrase!r} ({BANNED_ZH[phrase]}) in {hits}"


def test_944_wording_on_vacant_homes_and_demands() -> None:
    answer = " ".join(line.zh for line in BOOK.objections["not_living_here"].answer)
    assert "不能以没住、没用上服务为由不缴" in answer and "按合同和本地规定" in answer
    fact = BOOK.objections["not_living_here"].basis[0].fact
    assert "不一定是书面" in fact.zh and "need not be in writing" in fact.en
    assert "空置" not in fact.zh.split("催告")[0]


def test_943_says_what_is_public() -> None:
    answer = " ".join(line.zh for line in BOOK.objections["what_is_fee_for"].answer)
    assert "收费标准" in answer and "维修资金" in answer and "公开" in answer


def test_pumps_and_tanks_and_the_warranty_period() -> None:
    water = " ".join(line.zh for line in BOOK.objections["water_outages"].answer)
    assert "水泵" in water and "水箱" in water
    cracks = " ".join(line.zh for line in BOOK.objections["wall_cracks"].answer)
    assert "保修期内" in cracks


def test_instalments_and_another_colleague_go_through_the_manager() -> None:
    afford = " ".join(line.zh for line in BOOK.objections["cant_afford"].answer)
    rude = " ".join(line.zh for line in BOOK.objections["staff_rude"].answer)
    assert "经理" in afford and "申请" in afford
    assert "报给经理" in rude
    assert any("报经理" in line.zh for c in BOOK.types["wilful_refusal"].cards for line in c.say)


PHONE_CARDS = [("not_yet_paid", "phone_reminder"), ("vacant", "vacant_call"), ("busy_away", "short_call"), ("busy_away", "landlord_call")]


@pytest.mark.parametrize(("type_key", "card_key"), PHONE_CARDS)
def test_phone_cards_ask_whether_it_is_a_good_time(type_key: str, card_key: str) -> None:
    card = next(c for c in BOOK.types[type_key].cards if c.key == card_key)
    assert any("方便吗" in line.zh and "good time" in line.en for line in card.say[:3]), card.key


@pytest.mark.parametrize("key", MESSAGE_KEYS)
def test_every_phone_script_asks_whether_it_is_a_good_time(key: str) -> None:
    phone = BOOK.messages[key].phone
    assert any("方便吗" in line.zh for line in phone[:3]), key


def test_unreachable_tactics_use_the_companys_own_records_and_spread_attempts() -> None:
    tactics = " ".join(t.zh for t in BOOK.types["unreachable"].tactics)
    assert "公司自己" in tactics and "只查本公司" in tactics
    assert "不同" in tactics or "分几天" in tactics


def test_the_missing_seed_items_are_there() -> None:
    assert {"service_quality", "power_outages", "shared_utilities"} <= set(BOOK.objections)
    assert "电梯" in BOOK.objections["service_quality"].says.zh
    assert "公摊" in BOOK.objections["shared_utilities"].says.zh
    assert {"monthly_reminder", "prepaid_renewal", "holiday_greeting"} <= set(BOOK.messages)
    greeting = BOOK.messages["holiday_greeting"].sms
    assert "{amount}" not in greeting.zh and "物业费" not in greeting.zh, "a greeting is only a greeting"
    assert "预缴" in BOOK.messages["prepaid_renewal"].sms.zh and "这个月" in BOOK.messages["monthly_reminder"].sms.zh
    leader = next(c for c in BOOK.types["not_yet_paid"].cards if c.key == "opinion_leader")
    text = " ".join(line.zh for line in leader.say)
    assert "不会请您去劝谁" in text and "不会说任何一户" in text


def test_english_has_no_collector_promise_of_instalments() -> None:
    pattern = re.compile(r"\bwe can (split|agree) (it into )?instalments\b", re.IGNORECASE)
    assert not [where for where, text in ALL_EN if pattern.search(text)]
