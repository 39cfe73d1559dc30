"""SMS length as Chinese billing counts it, and the reviewed templates' rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from knock.playbook.guardrails import scan_text
from knock.reminders.segments import billed_length, cost_of, segments
from knock.reminders.templates import AMOUNT_KINDS, TemplateError, load_templates, parse_templates


@pytest.mark.parametrize(
    ("text", "chars", "count"),
    [
        ("", 0, 0),
        ("物" * 70, 70, 1),
        ("物" * 71, 71, 2),
        ("物" * 134, 134, 2),
        ("物" * 135, 135, 3),
        ("a" * 70, 70, 1),  # Latin letters count one each, like Chinese (no 160-character GSM rule)
        ("a" * 71, 71, 2),
        ("【安居物业】王先生您好,3-2-501物业费¥1,234.50元,请于6月15日前缴纳。", 44, 1),
        ("【安居物业】Hi 王先生 😀", 15, 1),  # an emoji takes two, as in UCS-2
    ],
)
def test_segments_count_like_chinese_billing(text: str, chars: int, count: int) -> None:
    assert billed_length(text) == chars
    assert segments(text) == count


def test_a_mixed_text_is_split_at_67(text: str = "【安居物业服务有限公司】" + "Mr Wang 您好," * 10) -> None:
    n = billed_length(text)
    assert n == 12 + 11 * 10
    assert segments(text) == -(-n // 67) == 2


@given(st.text(max_size=400))
def test_segments_are_enough_for_the_text_and_never_one_too_many(text: str) -> None:
    n, count = billed_length(text), segments(text)
    if n <= 70:
        assert count == (1 if n else 0)
    else:
        assert (count - 1) * 67 < n <= count * 67


def test_cost_is_integer_fen_rounded_up() -> None:
    cost = cost_of(["物" * 70, "物" * 71, "物" * 140], 450)
    assert (cost.messages, cost.segments, cost.fen) == (3, 6, 27)
    assert cost_of(["物"], 450).fen == 5  # 4.5 fen is billed as 5
    assert isinstance(cost.fen, int)


def test_the_shipped_templates_are_lawful_and_signed() -> None:
    book = load_templates()
    assert {t.kind for t in book.templates.values()} == {"before_due", "overdue", "contract_end", "holiday", "appointment"}
    assert book.choose("overdue", "prepaid").template_id == "overdue.prepaid"
    assert book.choose("overdue", "monthly").template_id == "overdue.monthly"
    assert book.choose("holiday", "prepaid").template_id == "holiday"
    for t in book.templates.values():
        for text in (t.zh, t.en):
            assert scan_text(text) == [], (t.template_id, text)
            assert "{company}" in text and "{service_phone}" in text
            assert ("{amount}" in text) <= (t.kind in AMOUNT_KINDS)
    for text in (*book.pay_with_link.values(), *book.pay_without_link.values()):
        assert scan_text(text) == []


_GOOD_PAY = 'pay: {with_link: {zh: "点{pay_link}", en: "via {pay_link}"}, without_link: {zh: "来中心", en: "at the office"}}\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('templates:\n  h: {kind: holiday, zh: "【{company}】{amount}元{service_phone}", en: "[{company}] {amount} {service_phone}"}', "may not state the amount"),
        ('templates:\n  o: {kind: overdue, zh: "【{company}】{amount}{service_phone}", en: "[{company}] {service_phone}"}', "different placeholders"),
        ('templates:\n  o: {kind: overdue, zh: "【{company}】{debt}{service_phone}", en: "[{company}] {debt}{service_phone}"}', "unknown placeholder {debt}"),
        ('templates:\n  o: {kind: overdue, zh: "{amount}", en: "{amount}"}', "signed {company}"),
        ('templates:\n  o: {kind: threat, zh: "x", en: "x"}', "is not one of"),
        ('templates:\n  o: {kind: overdue, zh: "x"}', "needs a zh and an en"),
        ("templates: [", "not valid YAML"),
    ],
)
def test_a_broken_template_file_is_refused_naming_the_template(body: str, message: str) -> None:
    with pytest.raises(TemplateError, match="sms.yaml") as caught:
        parse_templates(_GOOD_PAY + body, Path("sms.yaml"))
    assert message in str(caught.value)
