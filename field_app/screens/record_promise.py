"""Promised: two days to choose from, then morning / afternoon / evening, then an optional amount.

The seeds teach it this way: offer a choice ("Friday or Saturday?") instead of
asking "when are you free?", and pin a part of the day.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from knock.core.ledger import PROMISE_WINDOWS
from knock.core.money import MoneyError, parse_yuan

from field_app.i18n import _
from field_app.labels import window_label
from field_app.outcomes import Promised
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog


def day_label(day: date, today: date) -> str:
    """``明天 6月15日 周六`` / ``tomorrow Sat 15 Jun``."""
    from field_app.labels import day_text

    delta = (day - today).days
    prefix = {1: _("tomorrow"), 2: _("the day after tomorrow")}.get(delta, "")
    return f"{prefix} {day_text(day)}".strip()


class RecordPromiseDialog(Dialog[Promised | None]):
    """Day, part of the day, amount."""

    def __init__(self, room: str, days: tuple[date, date], today: date) -> None:
        super().__init__(_("Promise to pay · {room}").format(room=room))
        self.room = room
        self.days = days
        self.today = today
        self.day: date | None = None
        self.window: str | None = None

    def body(self) -> ComposeResult:
        yield Static(_("1. Which day? Ask: \"{a} or {b}?\"").format(a=day_label(self.days[0], self.today), b=day_label(self.days[1], self.today)))
        yield NumberedChoices([(d.isoformat(), day_label(d, self.today)) for d in self.days], id="days")
        yield Static(_("2. Morning, afternoon or evening?"))
        yield NumberedChoices([(w, window_label(w)) for w in PROMISE_WINDOWS], id="windows")
        yield Static(_("3. Amount in yuan (may be left empty), then Enter:"))
        yield Input(placeholder=_("optional"), id="amount", restrict=r"[0-9.,]*")

    def on_mount(self) -> None:
        self.query_one("#days").focus()

    @on(OptionList.OptionSelected, "#days")
    def day_chosen(self, event: OptionList.OptionSelected) -> None:
        self.day = date.fromisoformat(str(event.option_id))
        self.query_one("#windows").focus()

    @on(OptionList.OptionSelected, "#windows")
    def window_chosen(self, event: OptionList.OptionSelected) -> None:
        self.window = str(event.option_id)
        self.query_one("#amount", Input).focus()

    @on(Input.Submitted, "#amount")
    def amount_done(self, event: Input.Submitted) -> None:
        if self.day is None or self.window is None:
            self.show_error(_("Choose a day and a part of the day first."))
            self.query_one("#days" if self.day is None else "#windows").focus()
            return
        fen: int | None = None
        if event.value.strip():
            try:
                fen = parse_yuan(event.value)
            except MoneyError:
                fen = 0
            if fen <= 0:
                self.show_error(_("Type the amount in yuan, for example 1234.50"))
                return
        self.dismiss(Promised(self.room, self.day, self.window, fen))
