"""The team lead resolves a review flag with a reason (an event under the lead's name)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from field_app.i18n import _
from field_app.widgets.common import friendly_error
from field_app.widgets.dialog import Dialog


class ResolveDialog(Dialog[str]):
    """Flag number (the 8 characters in brackets) and what was decided; Enter moves on, then records."""

    def __init__(self) -> None:
        super().__init__(_("Resolve a review item"))

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
        from sync.review import resolve_flag

        flag_id = self.query_one("#flag-id", Input).value.strip()
        reason = self.query_one("#flag-reason", Input).value.strip()
        try:
            flag = resolve_flag(self.app.home.ledger, flag_id, resolution=reason, by=self.app.staff_id or "")  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - shown in the dialog, nothing recorded
            self.show_error(friendly_error(exc))
            return
        self.dismiss(_("Resolved: {message}").format(message=flag.message))
