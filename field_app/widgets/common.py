"""Small pieces every screen uses: translated key hints, numbered choices, friendly errors."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from textual import events
from textual.dom import DOMNode
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from knock.core.errors import LedgerError
from knock.core.money import MoneyError
from knock.core.payqr import PayloadError
from knock.core.rooms import RoomError
from knock.core.store import StoreError

from field_app.i18n import _


def translate_bindings(node: DOMNode) -> None:
    """Give ``node``'s key bindings their descriptions in the current language.

    Bindings are declared once on the class in English (the msgids); the footer
    shows ``binding.description``, so each instance gets translated copies.
    (This reaches into ``DOMNode._bindings``: Textual has no public hook for it.)
    """
    source = type(node)._merged_bindings
    if source is None:
        return
    table = node._bindings.key_to_bindings
    for key, bindings in source.key_to_bindings.items():
        table[key] = [replace(b, description=_(b.description)) if b.description else b for b in bindings]


def friendly_error(exc: BaseException) -> str:
    """What to tell the collector when something could not be done."""
    if isinstance(exc, (LedgerError, MoneyError, RoomError, PayloadError)):
        return str(exc)
    if isinstance(exc, (sqlite3.Error, StoreError, OSError)):
        return _("The ledger file could not be used: {error}").format(error=exc)
    return _("Something went wrong: {error}").format(error=exc)


class NumberedChoices(OptionList):
    """A list where each choice has a number: press the digit, or click, or use arrows and Enter."""

    DEFAULT_CSS = """
    NumberedChoices { height: auto; max-height: 12; border: none; padding: 0 1; }
    NumberedChoices > .option-list--option { padding: 0 1; }
    """

    def __init__(self, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        self.keys = [key for key, _label in choices]
        options = [Option(f"{i + 1 if i < 9 else ' '}  {label}", id=key) for i, (key, label) in enumerate(choices)]
        super().__init__(*options, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self.keys):
                event.stop()
                event.prevent_default()
                self.highlighted = index
                self.action_select()
                return
        await super()._on_key(event)
