"""Paid or part-paid: how it was paid, and the amount (prefilled with what is owed).

The method list has the focus when the dialog opens, so the method keys
(1 现金, 2 微信 …) can never land in the amount: a guard who presses 1 for cash
gets cash, not ¥1.00. The amount changes only deliberately: Tab or ``a`` (or a
click) moves into it, and Enter there goes back to the methods. Who paid
(交款人) is optional, for when it was not the owner.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static

from knock.core.ledger import PAYMENT_METHODS
from knock.core.money import MoneyError, format_yuan, parse_yuan

from field_app.i18n import _
from field_app.labels import method_label
from field_app.outcomes import Paid
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog


class RecordPaidDialog(Dialog[Paid | None]):
    """Method first (the amount stays as owed unless changed on purpose); the household screen checks, confirms and saves."""

    BINDINGS = [
        Binding("a", "edit_amount", "Change amount"),
        Binding("p", "edit_payer", "Payer", show=False),
    ]

    def __init__(self, room: str, owed_fen: int, *, amount_fen: int | None = None, payer: str = "") -> None:
        super().__init__(_("Take payment · {room}").format(room=room))
        self.room = room
        self.owed_fen = owed_fen
        self.start_fen = amount_fen or owed_fen
        self.payer = payer

    def body(self) -> ComposeResult:
        yield Static(_("Owed: ¥{amount}. To take a different amount press A (or Tab) and type it.").format(amount=format_yuan(self.owed_fen)))
        yield Input(value=format_yuan(self.start_fen, grouping=False), id="amount", restrict=r"[0-9.,０-９．，]*", max_length=16)
        yield Input(value=self.payer, placeholder=_("Paid by (if not the owner; optional, P)"), id="payer", max_length=40)
        yield Static(_("How was it paid? Press a number:"))
        yield NumberedChoices([(m, method_label(m)) for m in PAYMENT_METHODS], id="methods")

    def on_mount(self) -> None:
        self.query_one("#methods").focus()

    def action_edit_amount(self) -> None:
        self.query_one("#amount", Input).focus()

    def action_edit_payer(self) -> None:
        self.query_one("#payer", Input).focus()

    def amount(self) -> int | None:
        field = self.query_one("#amount", Input)
        try:
            fen = parse_yuan(field.value)
        except MoneyError as exc:
            self.show_error(_("Type the amount in yuan, for example 1234.50") + f" ({exc})")
            field.focus()
            return None
        if fen <= 0:
            self.show_error(_("Type the amount in yuan, for example 1234.50"))
            field.focus()
            return None
        return fen

    @on(Input.Submitted, "#amount")
    @on(Input.Submitted, "#payer")
    def field_done(self) -> None:
        if self.amount() is not None:
            self.query_one("#methods").focus()

    @on(OptionList.OptionSelected, "#methods")
    def method_chosen(self, event: OptionList.OptionSelected) -> None:
        fen = self.amount()
        if fen is not None and event.option_id:
            payer = " ".join(self.query_one("#payer", Input).value.split())
            self.dismiss(Paid(self.room, fen, event.option_id, self.owed_fen, payer=payer))
