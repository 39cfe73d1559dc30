"""The playbook's words: complete, in both locales, and free of forbidden suggestions."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from knock.playbook.content import (
    DEBTOR_TYPES,
    FOLLOW_UPS,
    LOCALES,
    MESSAGE_KEYS,
    ContentError,
    Text,
    load_playbook,
    playbook_dir,
    read_playbook,
)
from knock.playbook.guardrails import scan_text

BOOK = load_playbook()

REQUIRED_OBJECTIONS = {
    "not_living_here": "I don't live here",
    "wall_cracks": "wall cracks and nobody fixes them",
    "car_scratched": "car was scratched in the car park",
    "water_outages": "water keeps going off",
    "staff_rude": "staff were rude",
    "start_date": "never agreed to the start date",
    "clubhouse_promise": "developer promised a clubhouse",
    "what_can_you_do": "what can you do to me",
    "pay_next_week": "I'll pay next week",
    "neighbours_first": "I pay when my neighbours pay",
    "tenant": "I'm a tenant, ask the owner",
    "cant_afford": "I can't afford it now",
}

# Words that tell a listener money is owed. Third parties and the outside of a
# door notice must contain none of them.
DEBT_WORDS_ZH = re.compile(r"欠|费|元|钱|缴|交款|催|账|¥")
DEBT_WORDS_EN = re.compile(r"\b(owe\w*|debt\w*|fees?|arrears|pay\w*|amount|yuan|overdue|bill\w*|money)\b|¥", re.IGNORECASE)
DEBT_PLACEHOLDERS = re.compile(r"\{(amount|period|months|pay_link)\}")


def _speakable(text: str) -> int:
    """Characters a collector actually says: placeholders count as two."""
    return len(re.sub(r"\{\w+\}", "XX", text))


# --------------------------------------------------------------------------- debtor types


def test_all_eight_types_with_their_groups() -> None:
    assert tuple(BOOK.types) == DEBTOR_TYPES
    assert {t.group for t in BOOK.types.values()} == {"ordinary", "undecided", "hard"}
    assert BOOK.types["wilful_refusal"].group == "hard"
    assert BOOK.types["not_yet_paid"].group == "ordinary"


@pytest.mark.parametrize("key", DEBTOR_TYPES)
def test_each_type_has_signs_goal_tactics_and_three_cards_in_both_locales(key: str) -> None:
    t = BOOK.types[key]
    assert t.recognise and t.goal and len(t.tactics) >= 2
    assert len(t.cards) >= 3
    for text in [t.name, t.goal, *t.recognise, *t.tactics, *(line for c in t.cards for line in (c.title, *c.say))]:
        for loc in LOCALES:
            assert text.get(loc).strip()


@pytest.mark.parametrize("key", DEBTOR_TYPES)
def test_cards_follow_the_shape_of_a_good_visit(key: str) -> None:
    """Greeting by surname and title; one card per type states amount and period and offers a choice of time."""
    owner_cards = [c for c in BOOK.types[key].cards if c.audience == "owner"]
    assert owner_cards
    for card in owner_cards:
        first = card.say[0]
        assert "{surname}{title}" in first.zh, (key, card.key)
        assert "{title} {surname}" in first.en, (key, card.key)
    full = [
        c
        for c in owner_cards
        if all(
            any(p in line.zh for line in c.say) for p in ("{amount}", "{period}", "{choice_a}", "{choice_b}")
        )
    ]
    assert full, f"{key}: no card states amount and period and offers two choices"


def test_no_card_asks_when_are_you_free() -> None:
    for t in BOOK.types.values():
        for c in t.cards:
            for line in c.say:
                assert "什么时候有空" not in line.zh and "when are you free" not in line.en.lower()


def test_lines_are_short_enough_to_say() -> None:
    for where, text in BOOK.texts():
        if ".say[" in where or ".answer[" in where or ".phone[" in where:
            assert _speakable(text.zh) <= 40, (where, text.zh)


# --------------------------------------------------------------------------- objections


def test_at_least_twelve_objections_including_the_issues_list() -> None:
    assert len(BOOK.objections) >= 12
    missing = set(REQUIRED_OBJECTIONS) - set(BOOK.objections)
    assert not missing


@pytest.mark.parametrize("key", sorted(BOOK.objections))
def test_every_objection_has_an_answer_in_both_locales_and_a_known_follow_up(key: str) -> None:
    o = BOOK.objections[key]
    assert o.says.zh and o.says.en
    assert len(o.answer) >= 2
    for line in o.answer:
        assert line.zh.strip() and line.en.strip()
    assert o.follow_up in FOLLOW_UPS
    assert set(o.types) <= set(DEBTOR_TYPES)


@pytest.mark.parametrize(
    ("key", "basis", "follow_up"),
    [
        ("not_living_here", "civil_code_944", None),
        ("what_can_you_do", "civil_code_944", None),
        ("what_can_you_do", "property_regulations", None),
        ("wall_cracks", "purchase_contract", "repair_ticket"),
        ("clubhouse_promise", "purchase_contract", None),
        ("start_date", "service_contract", None),
        ("too_old", "limitation_3y", None),
        ("cant_afford", None, "instalment_plan"),
        ("pay_next_week", None, "appointment"),
        ("staff_rude", None, "complaint"),
    ],
)
def test_legal_basis_and_follow_up_where_they_apply(key: str, basis: str | None, follow_up: str | None) -> None:
    o = BOOK.objections[key]
    if basis:
        assert basis in {b.key for b in o.basis}
    if follow_up:
        assert o.follow_up == follow_up


def test_the_three_legal_facts_are_stated() -> None:
    assert "944" in BOOK.bases["civil_code_944"].name.en
    assert "三年" in BOOK.bases["limitation_3y"].fact.zh
    assert "Regulations" in BOOK.bases["property_regulations"].name.en


# --------------------------------------------------------------------------- third parties and notices


def _third_party_texts() -> list[tuple[str, Text]]:
    found = [
        (f"{t.key}.{c.key}", line) for t in BOOK.types.values() for c in t.cards if c.audience == "third_party" for line in c.say
    ]
    found += [(o.key, line) for o in BOOK.objections.values() if o.third_party for line in o.answer]
    return found


def test_there_are_scripts_for_neighbours_agents_relatives_and_tenants() -> None:
    cards = {c.key for c in BOOK.types["unreachable"].cards if c.audience == "third_party"}
    assert {"ask_neighbour", "ask_agent", "ask_relative"} <= cards
    assert BOOK.objections["tenant"].third_party


@pytest.mark.parametrize(("where", "text"), _third_party_texts(), ids=lambda x: x if isinstance(x, str) else "")
def test_third_party_scripts_never_mention_the_debt(where: str, text: Text) -> None:
    assert not DEBT_PLACEHOLDERS.search(text.zh) and not DEBT_PLACEHOLDERS.search(text.en)
    assert not DEBT_WORDS_ZH.search(text.zh), text.zh
    assert not DEBT_WORDS_EN.search(text.en), text.en


def test_third_party_scripts_ask_for_a_call_back() -> None:
    for key in ("ask_neighbour", "ask_agent", "ask_relative"):
        card = next(c for c in BOOK.types["unreachable"].cards if c.key == key)
        assert any("回个电话" in line.zh for line in card.say)
        assert any("call" in line.en.lower() for line in card.say)


@pytest.mark.parametrize("key", sorted(BOOK.notices))
def test_the_outside_of_a_notice_shows_no_amount(key: str) -> None:
    outside = BOOK.notices[key].outside
    for loc, words in (("zh", DEBT_WORDS_ZH), ("en", DEBT_WORDS_EN)):
        text = outside.get(loc)
        assert not DEBT_PLACEHOLDERS.search(text) and "{surname}" not in text
        assert not words.search(text), text
    assert "{amount}" in BOOK.notices[key].inside.zh


def test_the_debt_word_check_would_catch_a_leak() -> None:
    assert DEBT_WORDS_ZH.search("请转告业主他欠了物业费")
    assert DEBT_WORDS_EN.search("Tell him he owes us money")


# --------------------------------------------------------------------------- messages and never list


def test_every_message_the_issue_asks_for_has_sms_and_phone_in_both_locales() -> None:
    assert set(MESSAGE_KEYS) <= set(BOOK.messages)
    for m in BOOK.messages.values():
        assert m.sms.zh and m.sms.en and m.phone
        assert "{service_phone}" in m.sms.zh or "{pay_link}" in m.sms.zh


def test_never_list_covers_the_essentials() -> None:
    text = " ".join(x.en for x in (*BOOK.never.say, *BOOK.never.do))
    for needle in ("threaten", "disclose a debt", "water, power", "22:00", "three contacts", "no amount"):
        assert needle in text


# --------------------------------------------------------------------------- forbidden content


def test_no_content_suggests_anything_forbidden() -> None:
    """Every text of every file, in both locales (the never list passes because each rule is a prohibition)."""
    problems = [
        f"{where} [{loc}] {v.category}: {v.match!r} in {text.get(loc)!r}"
        for where, text in BOOK.texts()
        for loc in LOCALES
        for v in scan_text(text.get(loc))
    ]
    assert not problems, "\n".join(problems)


PLANTED = [
    ("如果您再不交,我们就停您家的水。", "utilities"),
    ("今晚先给他断电,看他交不交。", "utilities"),
    ("把他的门禁卡停了。", "lockout"),
    ("欠费名单明天贴到公告栏上。", "shaming"),
    ("在业主群里公开他的名字。", "shaming"),
    ("不交的话,后果自负。", "threat"),
    ("再不交会影响您的征信。", "threat"),
    ("我们会去您单位找领导谈谈。", "third_party_pressure"),
    ("让他父母劝他把钱交了。", "third_party_pressure"),
    ("敲门时就说是来查水表的。", "deception"),
    ("一天打三个电话给他,直到交为止。", "harassment"),
    ("If you don't pay, we will cut off your water.", "utilities"),
    ("Your power will be shut off tomorrow.", "utilities"),
    ("We can deactivate your access card.", "lockout"),
    ("We'll post your name on the notice board.", "shaming"),
    ("Pay up or else.", "threat"),
    ("This will go on your credit record.", "threat"),
    ("We'll call your employer about this.", "third_party_pressure"),
    ("Pretend you are there to read the meter.", "deception"),
    ("Keep calling until he answers.", "harassment"),
]


@pytest.mark.parametrize(("sentence", "category"), PLANTED)
def test_the_scanner_catches_a_planted_bad_sentence(sentence: str, category: str) -> None:
    assert category in {v.category for v in scan_text(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "绝不以中断供水、供电的方式催费。",
        "绝不威胁业主。",
        "Never threaten anyone.",
        "The provider may not use interruption of water supply to collect.",
        "楼里水压低,我登记维修。",
        "If it's low pressure in the building, I'll log it.",
        "I'm out of town this month.",
    ],
)
def test_the_scanner_lets_prohibitions_and_plain_words_through(sentence: str) -> None:
    assert scan_text(sentence) == []


def test_a_soft_negation_does_not_excuse_a_threat() -> None:
    assert scan_text("你不交,我们就不让你停车。")
    assert scan_text("你不交，我们就不让你停车。")  # full-width, as the content is written (13w)
    assert scan_text("Don't make us cut off the water.")


@pytest.mark.parametrize(
    "sentence",
    ["停电确实耽误事，给您添麻烦了。", "温馨提醒：这条记录已保存，经理会看一下。欠费是业主的隐私，绝不在群里、电梯里或公告栏上公开。"],
)
def test_a_full_width_comma_ends_a_clause_as_a_half_width_one_does(sentence: str) -> None:
    """The clause splitter once listed ，；！？： as ASCII twice over, so full-width text was one long clause (13w)."""
    half = sentence.translate(str.maketrans("，：", ",:"))
    assert scan_text(sentence) == scan_text(half) == []


def test_a_bad_sentence_planted_in_a_copy_of_the_content_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "playbook"
    shutil.copytree(playbook_dir(), copy)
    path = copy / "debtor_types.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("打扰您一分钟，给您送物业费账单。", "再不交就给您家停水。"),
        encoding="utf-8",
    )
    book = read_playbook(copy)
    hits = [where for where, text in book.texts() if scan_text(text.zh)]
    assert hits == ["debtor_types.yaml: types.not_yet_paid.cards.door_bill.say[1]"]


# --------------------------------------------------------------------------- loading errors


def _broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    copy = tmp_path / "playbook"
    shutil.copytree(playbook_dir(), copy)
    path = copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "debtor_types.yaml",
            '    name: {zh: "尚未缴费", en: "Not yet paid"}',
            '    name: {zh: "尚未缴费"}',
            "debtor_types.yaml: types.not_yet_paid.name: missing text for locale en",
        ),
        (
            "objections.yaml",
            "    follow_up: repair_ticket\n    basis: [purchase_contract, service_contract]",
            "    follow_up: shout\n    basis: [purchase_contract, service_contract]",
            "objections.yaml: objections.wall_cracks.follow_up: 'shout' is not one of",
        ),
        (
            "messages.yaml",
            "本期物业费{amount}元将于{date}到期",
            "本期物业费{amout}元将于{date}到期",
            "messages.yaml: messages.before_due.sms.zh: unknown placeholder {amout}",
        ),
        (
            "messages.yaml",
            "今天（{date}）到期",
            "今天到期",
            "messages.yaml: messages.due_today.sms: zh and en use different placeholders",
        ),
        (
            "objections.yaml",
            "    basis: [limitation_3y]",
            "    basis: [limitation_5y]",
            "objections.yaml: objections.too_old.basis: 'limitation_5y' is not one of",
        ),
        ("debtor_types.yaml", "  vacant:\n", "  vacancy:\n", "debtor_types.yaml: types: missing debtor type vacant"),
    ],
)
def test_bad_content_names_the_file_and_the_key(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    with pytest.raises(ContentError) as err:
        read_playbook(_broken_copy(tmp_path, file, old, new))
    assert message in str(err.value)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path, "never.yaml", "say:\n", "say: [\n")
    with pytest.raises(ContentError, match=r"never\.yaml: not valid YAML"):
        read_playbook(copy)


def test_loading_is_cached() -> None:
    assert load_playbook() is load_playbook()
