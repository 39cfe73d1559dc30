"""The team lead enters the cash counted for a collector; a difference is recorded and flagged."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from knock.core.money import MoneyError, parse_yuan

from field_app.i18n import _
from field_app.widgets.common import friendly_error
from field_app.widgets.dialog import Dialog


class CashDialog(Dialog[str]):
    """Collector and amount; Enter moves on, then records. Esc cancels."""

    def __init__(self) -> None:
        super().__init__(_("Count cash"))

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
        from field_app.screens.merge import cash_line
        from sync.review import count_cash

        name = self.query_one("#cash-name", Input).value.strip()
        try:
            fen = parse_yuan(self.query_one("#cash-amount", Input).value)
            count = count_cash(self.app.home.ledger, name, fen, by=self.app.staff_id or "", day=self.app.now().date())  # type: ignore[attr-defined]
        except MoneyError as exc:
            self.show_error(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown in the dialog, nothing recorded
            self.show_error(friendly_error(exc))
            return
        self.dismiss(cash_line(count))
