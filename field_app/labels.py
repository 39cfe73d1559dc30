"""What the screens call the ledger's keys and days, in the current language.

Every key's label comes from :mod:`knock.vocabulary` (``knock/templates/vocabulary.yaml``),
the same words the receipt, the letters and the nightly summary use; nothing
here keeps a table of its own.
"""

from __future__ import annotations

from datetime import date

from knock.vocabulary import label

from field_app.i18n import get_locale

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_text(day: object) -> str:
    """``6月14日 周五`` / ``Fri 14 Jun``."""
    assert isinstance(day, date)
    if get_locale() == "zh":
        return f"{day.month}月{day.day}日 周{WEEKDAYS_ZH[day.weekday()]}"
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {day.strftime('%b')}"


def window_label(window: str) -> str:
    """Morning / afternoon / evening in the current language."""
    return label("promise_windows", window, get_locale())


def window_short(window: str) -> str:
    """A short form for narrow columns (上午 / AM); no window, no words (most rows of the day's list)."""
    return label("promise_windows_short", window, get_locale()) if window else ""


def channel_label(key: str) -> str:
    """A contact channel in the current language."""
    return label("channels", key, get_locale())


def step_label(key: str) -> str:
    """An escalation step in the current language."""
    return label("escalation_steps", key, get_locale())


def outcome_label(key: str) -> str:
    """An outcome in the current language."""
    return label("outcomes", key, get_locale())


def item_label(key: str) -> str:
    """A fee item in the current language (unknown items as imported)."""
    return label("fee_items", key, get_locale())


def method_label(key: str) -> str:
    """A payment method in the current language."""
    return label("payment_methods", key, get_locale())


def category_label(key: str) -> str:
    """A complaint category in the current language."""
    return label("complaint_categories", key, get_locale())
