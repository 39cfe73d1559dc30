"""What the screens call the ledger's keys and days, in the current language."""

from __future__ import annotations

from datetime import date

from field_app.i18n import N_, _, get_locale

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_text(day: object) -> str:
    """``6月14日 周五`` / ``Fri 14 Jun``."""
    assert isinstance(day, date)
    if get_locale() == "zh":
        return f"{day.month}月{day.day}日 周{WEEKDAYS_ZH[day.weekday()]}"
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {day.strftime('%b')}"


_WINDOW_LABELS = {"morning": N_("morning"), "afternoon": N_("afternoon"), "evening": N_("evening")}
_WINDOW_SHORT = {"morning": N_("AM"), "afternoon": N_("PM"), "evening": N_("Eve")}


def window_short(window: str) -> str:
    """A short form for narrow columns (上午 / AM)."""
    return _(_WINDOW_SHORT[window]) if window in _WINDOW_SHORT else window


def window_label(window: str) -> str:
    """Morning / afternoon / evening in the current language."""
    return _(_WINDOW_LABELS.get(window, window)) if window in _WINDOW_LABELS else window



_OUTCOME_LABELS = {
    "paid": N_("paid"),
    "part_paid": N_("part paid"),
    "promised": N_("promised"),
    "not_home": N_("not home"),
    "refused": N_("refused"),
    "complaint": N_("complaint"),
    "unreachable": N_("unreachable"),
    "wrong_number": N_("wrong number"),
    "note": N_("note"),
}
_CHANNEL_LABELS = {"door": N_("visit"), "phone": N_("call"), "sms": N_("SMS"), "letter": N_("letter")}
_STEP_LABELS = {"dunning_letter": N_("dunning letter"), "lawyer_letter": N_("lawyer's letter"), "legal": N_("legal department")}
_ITEM_LABELS = {"property_fee": N_("property fee"), "parking": N_("parking"), "shared_utilities": N_("shared utilities")}
METHOD_LABELS = {"cash": N_("cash"), "wechat": N_("WeChat"), "alipay": N_("Alipay"), "bank_transfer": N_("bank transfer"), "card": N_("card")}


def channel_label(key: str) -> str:
    """A contact channel in the current language (a door contact is a visit)."""
    return _(_CHANNEL_LABELS[key]) if key in _CHANNEL_LABELS else key


def step_label(key: str) -> str:
    """An escalation step in the current language."""
    return _(_STEP_LABELS[key]) if key in _STEP_LABELS else key


def outcome_label(key: str) -> str:
    """An outcome in the current language."""
    return _(_OUTCOME_LABELS[key]) if key in _OUTCOME_LABELS else key


def item_label(key: str) -> str:
    """A fee item in the current language (unknown items as imported)."""
    return _(_ITEM_LABELS[key]) if key in _ITEM_LABELS else key


def method_label(key: str) -> str:
    """A payment method in the current language."""
    return _(METHOD_LABELS[key]) if key in METHOD_LABELS else key
