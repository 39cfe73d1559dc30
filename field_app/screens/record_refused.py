"""Refused: which objection the owner gave, and a note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from knock.advice import ObjectionView

from field_app.i18n import _
from field_app.outcomes import Refused
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog


class RecordRefusedDialog(Dialog[Refused | None]):
    """Pick the objection, add a note, Enter."""

    def __init__(self, room: str, objections: tuple[ObjectionView, ...], preselected: str = "") -> None:
        super().__init__(_("Refused to pay · {room}").format(room=room))
        self.room = room
        self.objections = objections
        self.objection = preselected

    def body(self) -> ComposeResult:
        yield Static(_("What reason did the owner give?"))
        yield NumberedChoices([(o.key, o.says) for o in self.objections], id="objections")
        yield Static(_("Note (optional), then Enter:"))
        yield Input(placeholder=_("what was said"), id="note")

    def on_mount(self) -> None:
        if self.objection:
            self.query_one("#note").focus()
        else:
            self.query_one("#objections").focus()

    @on(OptionList.OptionSelected, "#objections")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.objection = str(event.option_id)
        self.query_one("#note").focus()

    @on(Input.Submitted, "#note")
    def done(self, event: Input.Submitted) -> None:
        if not self.objection:
            self.show_error(_("Choose the reason first."))
            self.query_one("#objections").focus()
            return
        self.dismiss(Refused(self.room, self.objection, event.value.strip()))
