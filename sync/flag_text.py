"""The sentences of merge flags and set-aside reasons, in Chinese (the default) and English.

The words live in the vocabulary (``sync_flag_text`` in ``knock/templates/vocabulary.yaml``), one
template per sentence with ``{placeholders}``. A merge renders each flag in both locales: the
ledger keeps the Chinese sentence as the flag's message and the English one in its detail
(``message_en``), so every screen and report can show the reader's language without a merge
knowing who reads it.
"""

from __future__ import annotations

from typing import Any

from knock.vocabulary import label

LOCALES = ("zh", "en")


class Text:
    """A sentence not yet in a language: a template key and its values (values may be Texts too)."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params

    def render(self, locale: str = "zh") -> str:
        """The sentence in ``locale`` (``zh`` or ``en``)."""
        values = {name: _render(value, locale) for name, value in self.params.items()}
        return label("sync_flag_text", self.key, locale).format(**values)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.params!r})"


class Joined:
    """Texts joined by the locale's separator (the template ``separator``; None: one after the other)."""

    __slots__ = ("parts", "separator")

    def __init__(self, parts: list[Any], separator: str | None = "entry_separator") -> None:
        self.parts = parts
        self.separator = separator

    def render(self, locale: str = "zh") -> str:
        """The parts in ``locale``, separated."""
        between = "" if self.separator is None else label("sync_flag_text", self.separator, locale)
        return between.join(_render(p, locale) for p in self.parts)


class Reason(str):
    """Why an event is set aside: English text (what the log and the ledger's precheck protocol
    carry, as before), with its :class:`Text` kept for the flag's sentence in every locale."""

    text: Text

    def __new__(cls, key: str, **params: Any) -> Reason:
        text = Text(key, **params)
        reason = super().__new__(cls, text.render("en"))
        reason.text = text
        return reason


def _render(value: Any, locale: str) -> str:
    if isinstance(value, Reason):
        return value.text.render(locale)
    if isinstance(value, (Text, Joined)):
        return value.render(locale)
    return str(value)


def both(text: Text | Reason | str) -> dict[str, str]:
    """``{"zh": ..., "en": ...}`` for a sentence (a plain string stays as it is in both)."""
    return {locale: _render(text, locale) for locale in LOCALES}


def flag_message(message: str, detail: dict[str, Any] | None, locale: str = "zh") -> str:
    """A stored flag's sentence in ``locale``: the message (Chinese) or its English twin.

    Flags raised before the sentences were localised carry only an English message; it is shown
    as it is.
    """
    if locale == "en" and detail and isinstance(detail.get("message_en"), str):
        return str(detail["message_en"])
    return message
