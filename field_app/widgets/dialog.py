"""The base of every dialog: a box in the middle, a title, Esc to go back."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from field_app.widgets.common import TranslatedBindings

T = TypeVar("T")


class Dialog(TranslatedBindings, ModalScreen[T]):
    """A modal box; subclasses yield their widgets from :meth:`body`."""

    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, title: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(self.title_text, classes="title")
            yield from self.body()
            yield Static("", classes="message hidden", id="dialog-message")
        yield Footer()

    def body(self) -> ComposeResult:
        """The dialog's own widgets."""
        return iter(())

    def show_error(self, text: str) -> None:
        """A red line under the form."""
        message = self.query_one("#dialog-message", Static)
        message.update(text)
        message.add_class("error")
        message.remove_class("hidden")

    def hide_error(self) -> None:
        """Take the red line away (the collector fixed what it said)."""
        self.query_one("#dialog-message", Static).add_class("hidden")

    def action_cancel(self) -> None:
        self.dismiss(None)
