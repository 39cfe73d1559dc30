"""Small pieces every screen uses: translated key hints, numbered choices, friendly errors."""

from __future__ import annotations

import sqlite3
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from knock.core.errors import LedgerError
from knock.core.money import MoneyError
from knock.core.rooms import RoomError
from knock.core.store import StoreError

from field_app.i18n import _, get_locale


class TranslatedBindings:
    """Mixin for a screen: its key hints (the footer's ``binding.description``) in the current language.

    Bindings are declared once on the class in English (the msgids). Each instance is
    made from a subclass for the current language whose ``BINDINGS`` are translated
    copies (:func:`in_language`): plain subclassing, which Textual merges as it does
    any ``BINDINGS``, so nothing reaches into Textual's private binding tables. A
    screen made after the language changes speaks the new one.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        target = cls if "_bindings_locale" in cls.__dict__ else in_language(cls, get_locale())
        return super().__new__(target)


_IN_LANGUAGE: dict[tuple[type, str], type] = {}


def in_language(cls: type, locale: str) -> type:
    """``cls`` with the key bindings its Knock classes declare translated into ``locale`` (made once, then kept).

    Textual merges ``BINDINGS`` down the class hierarchy, a subclass replacing a key's
    bindings; the subclass made here declares every key that Knock's own classes bind
    (with the same replacing rule), so each of them ends up translated, and Textual's
    own bindings stay as they are.
    """
    made = _IN_LANGUAGE.get((cls, locale))
    if made is not None:
        return made
    keys: dict[str, list[Binding]] = {}
    for base in reversed(cls.__mro__):
        declared = base.__dict__.get("BINDINGS")
        if declared and base.__module__.startswith("field_app."):
            own: dict[str, list[Binding]] = {}
            for binding in Binding.make_bindings(declared):
                own.setdefault(binding.key, []).append(_translated(binding))
            keys.update(own)
    namespace = {"BINDINGS": [b for bindings in keys.values() for b in bindings], "_bindings_locale": locale, "__module__": cls.__module__}
    made = types.new_class(cls.__name__, (cls,), exec_body=lambda ns: ns.update(namespace))
    made.__qualname__ = cls.__qualname__
    made.__doc__ = cls.__doc__
    _IN_LANGUAGE[(cls, locale)] = made
    return made


def _translated(binding: Binding) -> Binding:
    """A binding with its description (and its footer group's) in the current language."""
    if binding.group is not None:
        binding = replace(binding, group=replace(binding.group, description=_(binding.group.description)))
    return replace(binding, description=_(binding.description)) if binding.description else binding


def friendly_error(exc: BaseException) -> str:
    """What to tell the collector when something could not be done."""
    from knock.core.payqr import PayloadError  # the QR code's module: not needed until something failed

    if isinstance(exc, (LedgerError, MoneyError, RoomError, PayloadError)):
        return str(exc)
    if isinstance(exc, (sqlite3.Error, StoreError, OSError)):
        return _("The ledger file could not be used: {error}").format(error=exc)
    return _("Something went wrong: {error}").format(error=exc)


class NumberedChoices(OptionList):
    """A list where each choice has a number: press the digit, or click, or use arrows and Enter."""

    DEFAULT_CSS = """
    NumberedChoices { height: auto; max-height: 12; border: none; padding: 0 1; }
    NumberedChoices:focus { border: none; border-left: thick $accent; padding: 0 1 0 0; }
    NumberedChoices > .option-list--option { padding: 0 1; }
    """

    def __init__(self, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        self.keys = [key for key, _label in choices]
        super().__init__(*self.options_for(choices), **kwargs)

    @staticmethod
    def options_for(choices: list[tuple[str, str]]) -> list[Option]:
        return [Option(f"{i + 1 if i < 9 else ' '}  {label}", id=key) for i, (key, label) in enumerate(choices)]

    def set_choices(self, choices: list[tuple[str, str]]) -> None:
        """Show other choices (numbered from 1 again)."""
        self.keys = [key for key, _label in choices]
        self.clear_options()
        self.add_options(self.options_for(choices))
        if choices:
            self.highlighted = 0

    def pick_digit(self, digit: str) -> bool:
        """Select the choice numbered ``digit``; False when there is none."""
        index = int(digit) - 1 if digit.isdigit() and digit != "0" else -1
        if not 0 <= index < min(len(self.keys), 9):
            return False
        self.highlighted = index
        self.action_select()
        return True

    def on_key(self, event: events.Key) -> None:
        """A digit picks its choice; any other key goes on to the list's own handling."""
        if event.character and event.character.isdigit() and self.pick_digit(event.character):
            event.stop()
            event.prevent_default()  # the list's own key handling (Textual's, further up the class tree) is skipped


class StatusLine(Static):
    """A line for what just happened ("Saved", "Printing…", an error), in its own place on the screen.

    Toasts float over the bottom right, on top of the outcome keys and the key
    bar, and cut wide (Chinese) text where they wrap; this line takes its own
    row above the keys, wraps at word and character boundaries, and never
    covers anything. A message stays until the next one or ``timeout`` seconds.
    """

    DEFAULT_CSS = """
    StatusLine { height: auto; max-height: 3; padding: 0 1; }
    StatusLine.-empty { display: none; }
    StatusLine.-error { color: $error; text-style: bold; }
    StatusLine.-warning { color: $warning; text-style: bold; }
    StatusLine.-information { color: $success; text-style: bold; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", classes="-empty", **kwargs)
        self.timer: Timer | None = None
        self.text = ""
        """What the line says now (for tests and the key-count measurements)."""

    def say(self, text: str, *, title: str = "", severity: str = "information", timeout: float = 10.0) -> None:
        """Show ``text`` (after ``title``) until the next message or ``timeout`` seconds."""
        self.text = f"{title}：{text}" if title and get_locale() == "zh" else (f"{title}: {text}" if title else text)
        self.update(Text(self.text))
        for kind in ("-error", "-warning", "-information", "-empty"):
            self.remove_class(kind)
        self.add_class(f"-{severity}")
        if self.timer is not None:
            self.timer.stop()
        self.timer = self.set_timer(timeout, self.clear) if timeout else None

    def clear(self) -> None:
        """Say nothing (the line takes no room)."""
        self.text = ""
        self.update("")
        self.add_class("-empty")


def short_path(path: object, home: Path | None = None, width: int = 40) -> str:
    """A file's path as a person reads it: relative to the Knock folder or ``~``, at most ``width`` cells.

    ``/home/guard/.local/share/knock/output/receipt-A-000123.pdf`` becomes
    ``output/receipt-A-000123.pdf``; a path still too long keeps its last parts
    after ``…/`` so the file name is always whole.
    """
    target = Path(str(path))
    text = str(target)
    if home is not None and target.resolve().is_relative_to(Path(home).resolve()):
        text = str(target.resolve().relative_to(Path(home).resolve()))
    if text == str(target) and target.is_relative_to(Path.home()):
        text = "~/" + str(target.relative_to(Path.home()))
    if len(text) <= width:
        return text
    parts = Path(text).parts
    kept = parts[-1]
    for part in reversed(parts[:-1]):
        if len(part) + 1 + len(kept) + 2 > width:
            break
        kept = f"{part}/{kept}"
    return f"…/{kept}"
