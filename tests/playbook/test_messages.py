"""Filling SMS, phone and notice templates from a household's values."""

from __future__ import annotations

from datetime import date

import pytest

from knock.playbook.content import MESSAGE_KEYS, load_playbook
from knock.playbook.messages import (
    MessageError,
    fill,
    format_day,
    period_text,
    reminder_for,
    render_message,
    render_notice,
    surname_of,
    title_for,
    values_for,
)
from knock.settings import Settings

from .cases import household

MOMENT = {
    "collector": "李明",
    "date": "9月27日",
    "window": "19:00-21:30",
    "repair": "厨房漏水",
    "pay_link": "https://pay.example.cn/knock",
}


def test_fill_replaces_every_placeholder() -> None:
    assert fill("{surname}{title},您好", {"surname": "王", "title": "女士"}) == "王女士,您好"


def test_a_missing_placeholder_is_an_error_naming_template_and_placeholder() -> None:
    with pytest.raises(MessageError) as err:
        fill("{room}的物业费{amount}元", {"room": "3-2-501"}, name="messages.before_due.sms.zh")
    assert "messages.before_due.sms.zh" in str(err.value)
    assert "{amount}" in str(err.value)
    assert "{room}" not in str(err.value)


def test_an_empty_value_counts_as_missing() -> None:
    with pytest.raises(MessageError, match=r"\{collector\}"):
        fill("我是{collector}", {"collector": ""})


def test_extra_values_are_ignored() -> None:
    assert fill("{room}", {"room": "1-1-101", "amount": "1.00"}) == "1-1-101"


@pytest.mark.parametrize("key", MESSAGE_KEYS)
@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("channel", ["sms", "phone"])
def test_every_message_fills_from_the_ledger_values(key: str, locale: str, channel: str) -> None:
    facts = household(owed_fen=123_450, months_owed=3, oldest_due=date(2024, 7, 15))
    values = values_for(facts, Settings(), locale, **MOMENT)  # type: ignore[arg-type]
    text = render_message(key, channel, locale, values)  # type: ignore[arg-type]
    assert "{" not in text and "}" not in text
    template = load_playbook().messages[key]
    raw = template.sms.get(locale) if channel == "sms" else "".join(x.get(locale) for x in template.phone)  # type: ignore[arg-type]
    if "{amount}" in raw:
        assert "1,234.50" in text


def test_an_sms_states_amount_room_and_company() -> None:
    facts = household(owed_fen=123_450, months_owed=3, oldest_due=date(2024, 7, 15))
    sms = render_message("overdue_3_days", "sms", "zh", values_for(facts, Settings(), "zh", **MOMENT))
    assert "1,234.50元" in sms and "3-2-501" in sms and "安居物业" in sms and "王女士" in sms
    assert "2024年7月起共3个月" in sms


def test_render_message_without_the_moment_values_fails_clearly() -> None:
    values = values_for(household(), Settings(), "en")
    with pytest.raises(MessageError, match=r"messages\.appointment_tomorrow\.sms\.en: no value for \{date\}, \{window\}"):
        render_message("appointment_tomorrow", "sms", "en", values)


def test_unknown_template_is_an_error() -> None:
    with pytest.raises(MessageError, match="no message template 'birthday'"):
        render_message("birthday", "sms", "zh", {})


def test_the_notice_outside_needs_no_amount_and_shows_none() -> None:
    facts = household(owed_fen=99_900)
    values = values_for(facts, Settings(), "zh")
    outside = render_notice("door_notice", "outside", "zh", values)
    inside = render_notice("door_notice", "inside", "zh", values)
    assert "999.00" not in outside and "王" not in outside
    assert "999.00" in inside


@pytest.mark.parametrize(
    ("name", "surname"),
    [("王芳", "王"), ("欧阳娜娜", "欧阳"), ("司马光", "司马"), ("Wang Fang", "Wang"), ("", "")],
)
def test_surname(name: str, surname: str) -> None:
    assert surname_of(name) == surname


def test_titles_in_both_locales() -> None:
    assert [title_for(g, "zh") for g in ("m", "f", "")] == ["先生", "女士", "先生/女士"]
    assert [title_for(g, "en") for g in ("m", "f", "")] == ["Mr", "Ms", "Mr/Ms"]


def test_period_and_day_wording() -> None:
    facts = household(months_owed=6, oldest_due=date(2024, 1, 15))
    assert period_text(facts, "zh") == "2024年1月起共6个月"
    assert period_text(facts, "en") == "6 months since Jan 2024"
    assert period_text(household(months_owed=1, oldest_due=date(2024, 9, 15)), "en") == "1 month since Sep 2024"
    assert format_day(date(2024, 9, 21), "zh") == "9月21日（周六）"
    assert format_day(date(2024, 9, 21), "en") == "Sat 21 Sep"


def test_values_for_uses_settings_and_integer_fen() -> None:
    values = values_for(household(owed_fen=5), Settings(), "en", collector="Li")
    assert values["amount"] == "0.05"
    assert values["company"] == Settings().company.name_en
    assert values["service_phone"] == Settings().company.phone
    assert values["collector"] == "Li"


def test_reminders_fall_seven_days_before_on_the_day_and_three_days_after() -> None:
    due = date(2024, 9, 15)
    assert reminder_for(due, date(2024, 9, 8)) == "before_due"
    assert reminder_for(due, date(2024, 9, 15)) == "due_today"
    assert reminder_for(due, date(2024, 9, 18)) == "overdue_3_days"
    assert [reminder_for(due, date(2024, 9, d)) for d in (7, 9, 14, 16, 17, 19)] == [None] * 6
