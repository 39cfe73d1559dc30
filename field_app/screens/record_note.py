"""A note only: anything worth remembering about the household.

When the playbook's next step is one of the ways to reach an owner that
leaves no contact behind (asking the tenant or agent to pass on a call-back
request, checking the company's own records), the dialog offers to record
that step as done, so the advice moves on to the next way.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from field_app.i18n import N_, _
from field_app.outcomes import NoteOnly
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog

WALK_STEPS: dict[str, str] = {
    "ask_call_back": N_("Done: asked the tenant or agent to have the owner call back (nothing said about fees)"),
    "check_records": N_("Done: checked the company's own move-in and rental records"),
}
"""Next actions a note can record as done (the reason key is the step's own name in the ledger)."""
STEP_REASON: dict[str, str] = {"ask_call_back": "asked_call_back", "check_records": "records_checked"}


class RecordNoteDialog(Dialog[NoteOnly | None]):
    """One line of text, Enter; or, for a ways-to-reach step, one key."""

    def __init__(self, room: str, step: str = "") -> None:
        super().__init__(_("Note · {room}").format(room=room))
        self.room = room
        self.step = step if step in WALK_STEPS else ""

    def body(self) -> ComposeResult:
        if self.step:
            yield NumberedChoices([("step", _(WALK_STEPS[self.step]))], id="step-choice")
        yield Static(_("Write the note, then Enter:"))
        yield Input(placeholder=_("for example: owner works nights, visit after 19:00"), id="note")

    def on_mount(self) -> None:
        if self.step:
            self.query_one("#step-choice", NumberedChoices).focus()
        else:
            self.query_one("#note").focus()

    @on(OptionList.OptionSelected, "#step-choice")
    def step_done(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(NoteOnly(self.room, _(WALK_STEPS[self.step]), reason=STEP_REASON[self.step]))

    @on(Input.Submitted, "#note")
    def done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.show_error(_("The note is empty"))
            return
        self.dismiss(NoteOnly(self.room, event.value.strip()))
