"""The team lead enters the cash counted for a collector; a difference is recorded and flagged."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, Static

from knock.core.money import MoneyError, parse_yuan

from field_app.i18n import _
from field_app.widgets.dialog import Dialog
from field_app.workers import WorkerResults, result_of


class CashDialog(WorkerResults, Dialog[str]):
    """Collector and amount; Enter moves on, then records. Esc cancels."""

    def __init__(self) -> None:
        super().__init__(_("Count cash"))
        self.recording = False

    def ready_for_keys(self) -> bool:
        """Keys wait while the count is being recorded."""
        return not self.recording

    def body(self) -> ComposeResult:
        yield Static(_("Collector"))
        yield Input(placeholder=_("Name"), id="cash-name")
        yield Static(_("Cash counted (yuan)"))
        yield Input(placeholder="0.00", id="cash-amount")

    def on_mount(self) -> None:
        self.query_one("#cash-name", Input).focus()

    @on(Input.Submitted, "#cash-name")
    def next_field(self) -> None:
        self.query_one("#cash-amount", Input).focus()

    @on(Input.Submitted, "#cash-amount")
    def record(self) -> None:
        if self.recording:
            return
        try:
            fen = parse_yuan(self.query_one("#cash-amount", Input).value)
        except MoneyError as exc:
            self.show_error(str(exc))
            return
        self.recording = True
        self.count(self.query_one("#cash-name", Input).value.strip(), fen)

    @work(thread=True, exit_on_error=False)
    def count(self, name: str, fen: int) -> str:
        """Record the count (a difference is flagged for review); the line for the merge screen comes back."""
        from field_app.screens.merge import cash_line
        from sync.review import count_cash

        counted = count_cash(self.app.home.ledger, name, fen, by=self.app.staff_id or "", day=self.app.now().date())  # type: ignore[attr-defined]
        return cash_line(counted)

    @result_of(count)
    def counted(self, line: str) -> None:
        self.recording = False
        self.dismiss(line)

    def worker_failed(self, name: str, text: str) -> None:
        """Nothing was recorded: say why in the dialog."""
        self.recording = False
        self.show_error(text)
