"""Not home: record it, and offer to leave a notice with the payment QR."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static

from field_app.i18n import _
from field_app.outcomes import NotHome
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog


class RecordNotHomeDialog(Dialog[NotHome | None]):
    """Leave a notice or not."""

    def __init__(self, room: str) -> None:
        super().__init__(_("Nobody home · {room}").format(room=room))
        self.room = room

    def body(self) -> ComposeResult:
        yield Static(_("Leave a notice at the door? It has the amount and a QR code to pay."))
        yield NumberedChoices([("notice", _("Yes, print a notice to leave")), ("none", _("No notice"))], id="notice")

    def on_mount(self) -> None:
        self.query_one("#notice").focus()

    @on(OptionList.OptionSelected, "#notice")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(NotHome(self.room, event.option_id == "notice"))
