"""Ask where to write (or read) sync files when no USB drive is mounted."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from field_app.i18n import _
from field_app.widgets.dialog import Dialog


class FolderDialog(Dialog[Path]):
    """A folder path, typed (prefilled with the usual place); Enter to confirm, Esc to cancel."""

    def __init__(self, title: str, hint: str, default: str) -> None:
        super().__init__(title)
        self.hint = hint
        self.default = default

    def body(self) -> ComposeResult:
        yield Static(self.hint)
        yield Input(value=self.default, id="folder")

    def on_mount(self) -> None:
        self.query_one("#folder", Input).focus()

    @on(Input.Submitted, "#folder")
    def chosen(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.show_error(_("Type a folder, for example /media/usb"))
            return
        self.dismiss(Path(text).expanduser())
