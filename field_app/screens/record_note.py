"""A note only: anything worth remembering about the household."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from field_app.i18n import _
from field_app.outcomes import NoteOnly
from field_app.widgets.dialog import Dialog


class RecordNoteDialog(Dialog[NoteOnly | None]):
    """One line of text, Enter."""

    def __init__(self, room: str) -> None:
        super().__init__(_("Note · {room}").format(room=room))
        self.room = room

    def body(self) -> ComposeResult:
        yield Static(_("Write the note, then Enter:"))
        yield Input(placeholder=_("for example: owner works nights, visit after 19:00"), id="note")

    def on_mount(self) -> None:
        self.query_one("#note").focus()

    @on(Input.Submitted, "#note")
    def done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.show_error(_("The note is empty"))
            return
        self.dismiss(NoteOnly(self.room, event.value.strip()))
