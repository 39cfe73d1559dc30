"""Filling the playbook's templates with a household's values.

Templates use ``{name}`` placeholders (the set is :data:`PLACEHOLDERS`). A
value that is missing is an error naming the template and the placeholder,
never a text sent with ``{amount}`` in it. :func:`values_for` builds the
values the ledger knows about a household, so callers only add the few that
depend on the moment (the collector, a date, a window).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from knock.core.money import format_yuan
from knock.playbook.content import PLACEHOLDERS, Locale, Playbook, load_playbook, placeholders_in
from knock.playbook.facts import HouseholdFacts
from knock.playbook.surnames import surname_for, surname_of
from knock.settings import Settings

__all__ = [
    "MessageError",
    "PLACEHOLDERS",
    "fill",
    "render_message",
    "render_notice",
    "values_for",
    "surname_of",
    "surname_for",
    "title_for",
    "period_text",
    "format_day",
    "reminder_for",
]


class MessageError(ValueError):
    """A template that cannot be filled; the message names the template and the placeholder."""


def fill(template: str, values: Mapping[str, object], *, name: str = "template") -> str:
    """``template`` with every ``{placeholder}`` replaced from ``values``.

    Raises :class:`MessageError` listing every placeholder that has no value
    (or an empty one), so a text is never sent half-filled.
    """
    wanted = placeholders_in(template)
    missing = sorted(k for k in wanted if k not in values or values[k] is None or str(values[k]) == "")
    if missing:
        raise MessageError(f"{name}: no value for {', '.join('{' + k + '}' for k in missing)}")
    return template.format_map({k: str(values[k]) for k in wanted})


def render_message(
    key: str,
    channel: Literal["sms", "phone"],
    locale: Locale,
    values: Mapping[str, object],
    playbook: Playbook | None = None,
) -> str:
    """An SMS (one text) or a phone script (one line per sentence) for ``key``."""
    book = playbook or load_playbook()
    try:
        template = book.messages[key]
    except KeyError:
        raise MessageError(f"no message template {key!r}; known: {', '.join(sorted(book.messages))}") from None
    if channel == "sms":
        return fill(template.sms.get(locale), values, name=f"messages.{key}.sms.{locale}")
    return "\n".join(
        fill(line.get(locale), values, name=f"messages.{key}.phone[{i}].{locale}") for i, line in enumerate(template.phone)
    )


def render_notice(
    key: str,
    side: Literal["outside", "inside"],
    locale: Locale,
    values: Mapping[str, object],
    playbook: Playbook | None = None,
) -> str:
    """One side of a door notice. The outside never carries an amount (the content test checks)."""
    book = playbook or load_playbook()
    try:
        notice = book.notices[key]
    except KeyError:
        raise MessageError(f"no notice template {key!r}") from None
    text = notice.outside if side == "outside" else notice.inside
    return fill(text.get(locale), values, name=f"notices.{key}.{side}.{locale}")


REMINDER_DAYS: dict[int, str] = {-7: "before_due", 0: "due_today", 3: "overdue_3_days"}
"""Days from the due date (negative: before it) on which a reminder template is due."""


def reminder_for(due_date: date, today: date) -> str | None:
    """Which reminder template, if any, is due today for a charge due on ``due_date``."""
    return REMINDER_DAYS.get((today - due_date).days)


def title_for(gender: str, locale: Locale) -> str:
    """先生/女士 or Mr/Ms; both when the ledger does not know (the collector picks one aloud)."""
    titles = {"zh": {"m": "先生", "f": "女士", "": "先生/女士"}, "en": {"m": "Mr", "f": "Ms", "": "Mr/Ms"}}
    return titles[locale].get(gender, titles[locale][""])


_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date, locale: Locale, *, weekday: bool = True) -> str:
    """6月8日（周六） / Sat 8 Jun: what a collector says aloud, no year."""
    if locale == "en":
        text = f"{day.day} {_MONTHS_EN[day.month - 1]}"
        return f"{_WEEKDAYS['en'][day.weekday()]} {text}" if weekday else text
    text = f"{day.month}月{day.day}日"
    return f"{text}（周{_WEEKDAYS['zh'][day.weekday()]}）" if weekday else text


def period_text(facts: HouseholdFacts, locale: Locale) -> str:
    """The months owed, plainly: 2024年1月起共6个月 / 6 months since Jan 2024."""
    months = facts.months_owed
    if facts.oldest_due is None or months <= 0:
        return "无欠费" if locale == "zh" else "nothing owed"
    d = facts.oldest_due
    if locale == "en":
        return f"{months} month{'s' if months != 1 else ''} since {_MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.year}年{d.month}月起共{months}个月"


def values_for(
    facts: HouseholdFacts,
    settings: Settings,
    locale: Locale,
    **extra: object,
) -> dict[str, str]:
    """Placeholder values the ledger knows for ``facts``; ``extra`` adds or overrides.

    Values that depend on the moment ({collector}, {date}, {window},
    {choice_a}, {choice_b}, {repair}, {pay_link}) are only present when given
    in ``extra``; :func:`fill` reports any a template needs and did not get.
    """
    values: dict[str, str] = {
        "surname": surname_for(facts.owner_name, locale),
        "title": title_for(facts.owner_gender, locale),
        "room": facts.room,
        "amount": format_yuan(facts.owed_fen),
        "period": period_text(facts, locale),
        "months": str(facts.months_owed),
        "company": settings.company.name if locale == "zh" else settings.company.name_en,
        "service_phone": settings.company.phone,
    }
    values.update({k: str(v) for k, v in extra.items() if v is not None})
    return values
