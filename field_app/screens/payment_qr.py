"""The payment QR on screen: the owner scans it with WeChat, Alipay or a bank app, there and then.

The talking points say "you can scan and pay right now"; this is that code.
It fills the screen (dark on light, with its quiet zone) beside the amount in
large digits. When the company's code is static (no amount inside), the
amount beside it is what the owner must type, and the screen says so. When
the terminal is too small for the code, the screen says how much room it needs
and offers the printed notice, which carries the same code.

Enter: the owner's phone shows the payment went through (then the usual
confirmation and receipt); N: print the notice instead; Esc: back, nothing saved.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Footer, Static

from knock.core.money import format_yuan
from knock.core.payqr import PayloadError, payload_has_amount, payment_payload
from knock.settings import PayQR

from field_app.labels import method_label
from field_app.i18n import _
from field_app.widgets.common import TranslatedBindings
from field_app.widgets.qr_code import cells_needed, fitting_matrix, qr_text, smallest_size

QR_METHODS = ("wechat", "alipay", "bank_transfer")
"""Payment methods paid by scanning the company's code."""
SIDE_MIN = 24
"""Columns the amount and the instructions need beside the code."""


def payment_qr_payload(payqr: PayQR, room: str, amount_fen: int) -> str:
    """What the on-screen code says: the same payload as the printed notice's, for this amount.

    Raises :class:`PayloadError` when the settings cannot build one (named field).
    """
    return payment_payload(payqr, room, amount_fen, reference=room)


class PaymentQRScreen(TranslatedBindings, Screen[str | None]):
    """The code, the amount, and three keys: paid (Enter), notice (N), back (Esc)."""

    BINDINGS = [
        Binding("enter", "paid", "Paid, confirm", key_display="⏎"),
        Binding("n", "notice", "Print notice"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, room: str, amount_fen: int, method: str, payqr: PayQR) -> None:
        super().__init__()
        self.room = room
        self.amount_fen = amount_fen
        self.method = method
        self.has_amount = payload_has_amount(payqr)
        self.error = ""
        self.payload = ""
        try:
            self.payload = payment_qr_payload(payqr, room, amount_fen)
        except PayloadError as exc:
            self.error = _("The payment code is not set up correctly: {error}").format(error=exc)
        self.fits = False
        """True while the code is on screen whole (a test reads it back from there)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="payqr-body"):
            yield Static("", id="payqr-code")
            with Vertical(id="payqr-side"):
                yield Static(_("{method} · {room}").format(method=method_label(self.method), room=self.room), classes="title")
                yield Static(_("Amount to pay") if self.has_amount else _("Amount the owner types in"), id="payqr-amount-label")
                yield Digits(f"¥{format_yuan(self.amount_fen, grouping=True)}", id="payqr-amount")
                yield Static(self.side_text(), id="payqr-help")
        yield Footer()

    def side_text(self) -> Text:
        text = Text()
        if self.has_amount:
            text.append(_("The amount is inside the code.") + "\n\n")
        else:
            text.append(_("This is the company's fixed code: the owner types ¥{amount} after scanning.").format(amount=format_yuan(self.amount_fen)) + "\n\n", style="bold")
        text.append(_("Press Enter once the owner's phone shows the payment went through."))
        return text

    def on_mount(self) -> None:
        self.draw(self.app.size)

    def on_resize(self, event: events.Resize) -> None:
        self.draw(event.size)

    def draw(self, size: Size) -> None:
        """The code when it fits beside the amount; else why not, and the notice."""
        code = self.query_one("#payqr-code", Static)
        width, height = size.width, size.height - 1  # the footer takes a row
        if self.error:
            self.fits = False
            code.styles.width = max(20, width - SIDE_MIN - 2)
            code.update(Text(self.error + "\n\n" + _("Press N to print the notice instead."), style="bold red"))
            return
        matrix = fitting_matrix(self.payload, width - SIDE_MIN, height) or fitting_matrix(self.payload, width, height)
        if matrix is None:
            self.fits = False
            columns, rows = smallest_size(self.payload)
            code.styles.width = max(20, width - SIDE_MIN - 2)
            code.update(
                Text(
                    _("The screen is too small for the code: it needs {columns}×{rows}, the terminal is {width}×{height}. "
                      "Make the window larger, or press N to print the notice, which has the same code.").format(
                        columns=columns, rows=rows + 1, width=size.width, height=size.height
                    ),
                    style="bold",
                )
            )
            return
        columns, _rows = cells_needed(matrix)
        code.styles.width = columns
        code.update(qr_text(matrix))
        self.fits = True
        self.query_one("#payqr-side").display = width - columns >= SIDE_MIN

    def action_paid(self) -> None:
        self.dismiss("paid")

    def action_notice(self) -> None:
        self.dismiss("notice")

    def action_back(self) -> None:
        self.dismiss(None)
