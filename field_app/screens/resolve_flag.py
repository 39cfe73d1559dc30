"""The team lead resolves a review flag with a reason (an event under the lead's name)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, Static

from field_app.i18n import _
from field_app.widgets.dialog import Dialog
from field_app.workers import WorkerResults, result_of


class ResolveDialog(WorkerResults, Dialog[str]):
    """Flag number (the 8 characters in brackets) and what was decided; Enter moves on, then records."""

    def __init__(self) -> None:
        super().__init__(_("Resolve a review item"))
        self.recording = False

    def ready_for_keys(self) -> bool:
        """Keys wait while the resolution is being recorded."""
        return not self.recording

    def body(self) -> ComposeResult:
        yield Static(_("Item (the 8 characters in brackets)"))
        yield Input(placeholder="7Q2KX9PA", id="flag-id")
        yield Static(_("What was decided"))
        yield Input(placeholder=_("e.g. refunded to the owner"), id="flag-reason")

    def on_mount(self) -> None:
        self.query_one("#flag-id", Input).focus()

    @on(Input.Submitted, "#flag-id")
    def next_field(self) -> None:
        self.query_one("#flag-reason", Input).focus()

    @on(Input.Submitted, "#flag-reason")
    def record(self) -> None:
        if self.recording:
            return
        self.recording = True
        self.resolve(self.query_one("#flag-id", Input).value.strip(), self.query_one("#flag-reason", Input).value.strip())

    @work(thread=True, exit_on_error=False)
    def resolve(self, flag_id: str, reason: str) -> str:
        """Record the resolution (an event under the lead's name); the line for the merge screen comes back."""
        from sync.review import resolve_flag

        flag = resolve_flag(self.app.home.ledger, flag_id, resolution=reason, by=self.app.staff_id or "")  # type: ignore[attr-defined]
        return _("Resolved: {message}").format(message=flag.message)

    @result_of(resolve)
    def resolved(self, line: str) -> None:
        self.recording = False
        self.dismiss(line)

    def worker_failed(self, name: str, text: str) -> None:
        """Nothing was recorded: say why in the dialog."""
        self.recording = False
        self.show_error(text)
