"""Complaint or repair request: a category and what is wrong; the office sees it the same day."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from field_app.i18n import _
from field_app.labels import category_label
from field_app.outcomes import COMPLAINT_CATEGORIES, Complaint
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog

CATEGORIES = COMPLAINT_CATEGORIES
"""The complaint categories offered, in vocabulary order."""


class RecordComplaintDialog(Dialog[Complaint | None]):
    """Category, then text, then Enter."""

    def __init__(self, room: str, preselected: str = "") -> None:
        super().__init__(_("Complaint or repair · {room}").format(room=room))
        self.room = room
        self.category = preselected

    def body(self) -> ComposeResult:
        yield Static(_("What kind?"))
        yield NumberedChoices([(k, category_label(k)) for k in CATEGORIES], id="categories")
        yield Static(_("What is wrong? Then Enter:"))
        yield Input(placeholder=_("for example: ceiling leaks in the bathroom"), id="text")

    def on_mount(self) -> None:
        self.query_one("#text" if self.category else "#categories").focus()

    @on(OptionList.OptionSelected, "#categories")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.category = str(event.option_id)
        self.query_one("#text").focus()

    @on(Input.Submitted, "#text")
    def done(self, event: Input.Submitted) -> None:
        if not self.category:
            self.show_error(_("Choose the kind first."))
            self.query_one("#categories").focus()
            return
        if not event.value.strip():
            self.show_error(_("Write a few words about the problem."))
            return
        self.dismiss(Complaint(self.room, self.category, event.value.strip()))
