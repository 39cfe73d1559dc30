"""Unreachable or wrong number: record it and, if known, the new number."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from field_app.i18n import _
from field_app.outcomes import Unreachable
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog


class RecordUnreachableDialog(Dialog[Unreachable | None]):
    """Which of the two, then an optional new phone number."""

    def __init__(self, room: str) -> None:
        super().__init__(_("Cannot reach · {room}").format(room=room))
        self.room = room
        self.outcome = ""

    def body(self) -> ComposeResult:
        yield Static(_("What happened?"))
        yield NumberedChoices([("unreachable", _("Nobody answers / phone off")), ("wrong_number", _("Wrong number"))], id="kinds")
        yield Static(_("New phone number if you have one (may be empty), then Enter:"))
        yield Input(placeholder=_("new phone number"), id="phone", restrict=r"[0-9+\- ]*")

    def on_mount(self) -> None:
        self.query_one("#kinds").focus()

    @on(OptionList.OptionSelected, "#kinds")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.outcome = str(event.option_id)
        self.query_one("#phone").focus()

    @on(Input.Submitted, "#phone")
    def done(self, event: Input.Submitted) -> None:
        if not self.outcome:
            self.show_error(_("Choose what happened first."))
            self.query_one("#kinds").focus()
            return
        self.dismiss(Unreachable(self.room, self.outcome, event.value.strip()))
