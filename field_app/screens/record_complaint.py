"""Complaint or repair request: a category, then a short phrase or a few typed words.

The common complaint takes one key for the kind and one for the phrase
(with the Enter that opens the household and the Enter that confirms: five
keys from the list). Typing stays possible: the last choice, or Tab, reaches
the text field; typed words are saved after the phrase.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from field_app.i18n import _
from field_app.labels import category_label
from field_app.outcomes import COMPLAINT_CATEGORIES, COMPLAINT_PHRASES, Complaint
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog

CATEGORIES = COMPLAINT_CATEGORIES
"""The complaint categories offered, in vocabulary order."""
WRITE_IT = "write"
"""The last phrase choice: type what is wrong."""


class RecordComplaintDialog(Dialog[Complaint | None]):
    """Kind (a digit), what is wrong (a digit, or typed), done."""

    def __init__(self, room: str, preselected: str = "") -> None:
        super().__init__(_("Complaint or repair · {room}").format(room=room))
        self.room = room
        self.category = preselected

    def body(self) -> ComposeResult:
        yield Static(_("What kind?"))
        yield NumberedChoices([(k, category_label(k)) for k in CATEGORIES], id="categories")
        yield Static(_("What is wrong?"), id="phrases-title")
        yield NumberedChoices(self.phrase_choices(), id="phrases")
        yield Input(placeholder=_("or type it: ceiling leaks in the bathroom"), id="text")

    def phrase_choices(self) -> list[tuple[str, str]]:
        phrases = COMPLAINT_PHRASES.get(self.category, ()) if self.category else ()
        return [(str(i), _(p)) for i, p in enumerate(phrases)] + [(WRITE_IT, _("Something else: type it"))]

    def on_mount(self) -> None:
        self.query_one("#phrases" if self.category else "#categories").focus()

    @on(OptionList.OptionSelected, "#categories")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.category = str(event.option_id)
        self.hide_error()
        phrases = self.query_one("#phrases", NumberedChoices)
        phrases.set_choices(self.phrase_choices())
        if len(phrases.keys) == 1:
            self.query_one("#text").focus()
        else:
            phrases.focus()

    @on(OptionList.OptionSelected, "#phrases")
    def phrase_chosen(self, event: OptionList.OptionSelected) -> None:
        if not self.category:
            self.show_error(_("Choose the kind first."))
            self.query_one("#categories").focus()
            return
        if event.option_id == WRITE_IT:
            self.query_one("#text").focus()
            return
        phrase = _(COMPLAINT_PHRASES[self.category][int(str(event.option_id))])
        typed = self.query_one("#text", Input).value.strip()
        self.dismiss(Complaint(self.room, self.category, f"{phrase}: {typed}" if typed else phrase))

    @on(Input.Submitted, "#text")
    def done(self, event: Input.Submitted) -> None:
        if not self.category:
            self.show_error(_("Choose the kind first."))
            self.query_one("#categories").focus()
            return
        if not event.value.strip():
            self.show_error(_("Pick a phrase above, or write a few words about the problem."))
            return
        self.dismiss(Complaint(self.room, self.category, event.value.strip()))
