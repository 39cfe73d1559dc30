"""How the app greets an owner: surname and title (王先生, 王女士, 王业主 / Mr Wang)."""

from __future__ import annotations

from field_app.i18n import _, get_locale
from knock.playbook.surnames import surname_for, surname_of


def surname(owner_name: str) -> str:
    """The surname for a greeting (one rule for the app, the cards and printed documents)."""
    return surname_of(owner_name)


def owner_title(owner_name: str, gender: str, locale: str | None = None) -> str:
    """Surname and title in the current language: 王先生 / 王女士 / 王业主, Mr Wang / Ms Wang / Owner Wang."""
    locale = locale or get_locale()
    family = surname(owner_name)
    if locale == "zh":
        return family + {"m": "先生", "f": "女士"}.get(gender, "业主")
    latin = surname_for(owner_name, "en")
    return {"m": "Mr ", "f": "Ms "}.get(gender, "Owner ") + latin


def mask_phone(phone: str) -> str:
    """A phone number with its middle hidden: 138****5678."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 8 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


__all__ = ["owner_title", "surname", "mask_phone"]
