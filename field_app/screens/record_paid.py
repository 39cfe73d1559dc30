"""Paid or part-paid: the amount (prefilled with the total owed) and how it was paid."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from knock.core.ledger import PAYMENT_METHODS
from knock.core.money import MoneyError, format_yuan, parse_yuan

from field_app.labels import method_label
from field_app.i18n import _
from field_app.outcomes import Paid
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog


class RecordPaidDialog(Dialog[Paid | None]):
    """Amount, then method; the household screen confirms and saves."""

    def __init__(self, room: str, owed_fen: int) -> None:
        super().__init__(_("Take payment · {room}").format(room=room))
        self.room = room
        self.owed_fen = owed_fen

    def body(self) -> ComposeResult:
        yield Static(_("Owed: ¥{amount}. Change the amount if only part is paid, then press Enter.").format(amount=format_yuan(self.owed_fen)))
        yield Input(value=format_yuan(self.owed_fen, grouping=False), id="amount", restrict=r"[0-9.,]*")
        yield Static(_("How was it paid? Press a number:"))
        yield NumberedChoices([(m, method_label(m)) for m in PAYMENT_METHODS], id="methods")

    def on_mount(self) -> None:
        self.query_one("#amount", Input).focus()

    def amount(self) -> int | None:
        try:
            fen = parse_yuan(self.query_one("#amount", Input).value)
        except MoneyError:
            fen = 0
        if fen <= 0:
            self.show_error(_("Type the amount in yuan, for example 1234.50"))
            self.query_one("#amount", Input).focus()
            return None
        return fen

    @on(Input.Submitted, "#amount")
    def amount_done(self) -> None:
        if self.amount() is not None:
            self.query_one("#methods").focus()

    @on(OptionList.OptionSelected, "#methods")
    def method_chosen(self, event: OptionList.OptionSelected) -> None:
        fen = self.amount()
        if fen is not None and event.option_id:
            self.dismiss(Paid(self.room, fen, event.option_id, self.owed_fen))
