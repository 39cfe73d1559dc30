"""Gate lookup: any staff member types a room and sees at once whether it is paid up."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from knock.core.money import format_yuan

from field_app.data.gate import GateAnswer, gate_lookup
from field_app.i18n import _
from field_app.widgets.common import TranslatedBindings
from field_app.workers import WorkerResults, result_of


class GateLookupScreen(TranslatedBindings, WorkerResults, Screen[None]):
    """Room in, answer out; the amount only for the household's assigned collector."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Static(_("Gate lookup: is this home paid up?"), classes="header")
        yield Input(placeholder=_("Room, for example 3-2-501, then Enter"), id="gate-room")
        yield Static("", id="gate-answer", classes="answer big")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#gate-room", Input).focus()

    @on(Input.Submitted, "#gate-room")
    def look(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.lookup(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def lookup(self, text: str) -> GateAnswer:
        app = self.app
        return gate_lookup(app.home, text, app.staff_id, app.now().date())  # type: ignore[attr-defined]

    def worker_failed(self, name: str, text: str) -> None:
        self.query_one("#gate-answer", Static).update(Text(text, style="bold red"))

    @result_of(lookup)
    def show_answer(self, answer: GateAnswer) -> None:
        text = Text()
        if not answer.found:
            text.append(_("No such room: {room}").format(room=answer.room), style="bold red")
        elif answer.paid_up:
            text.append("✓ " + _("{room} is paid up.").format(room=answer.room), style="bold green")
        else:
            text.append("● " + _("{room} still owes fees.").format(room=answer.room), style="bold yellow")
            if answer.owed_fen is not None:
                text.append("  " + _("(your household: ¥{amount})").format(amount=format_yuan(answer.owed_fen)))
            text.append("\n\n" + _("What to say:") + "\n", style="bold")
            text.append(answer.reminder)
        self.query_one("#gate-answer", Static).update(text)
        room = self.query_one("#gate-room", Input)
        room.value = ""
        room.focus()
