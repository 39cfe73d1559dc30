"""Promised: one key for one of two suggested days (or a typed day), one key for the part of the day.

The seeds teach it this way: offer a choice ("Friday or Saturday?") instead of
asking "when are you free?", and pin a part of the day. The common path is
2 (promise), a day key, a window key, Enter (confirm): with the Enter that
opened the household, five keys from the list. An owner who names another day
("the 10th", "下周五") gets it typed: 3, the day, Enter. The amount is
optional and never in the way: Tab (or a click) reaches it.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, OptionList, Static

from knock.core.dates import DateTextError, parse_day
from knock.core.ledger import PROMISE_WINDOWS
from knock.core.money import MoneyError, parse_yuan

from field_app.i18n import _
from field_app.labels import day_text, window_label
from field_app.outcomes import Promised
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog

OTHER_DAY = "other"
"""The third choice of the day list: type a day."""


def day_label(day: date, today: date) -> str:
    """``明天 12月1日 周二`` / ``tomorrow Tue 1 Dec``."""
    delta = (day - today).days
    prefix = {0: _("today"), 1: _("tomorrow"), 2: _("the day after tomorrow")}.get(delta, "")
    return f"{prefix} {day_text(day)}".strip()


def date_error_text(error: DateTextError) -> str:
    """Why a typed day was not taken, in the app's language."""
    return {
        "empty": _("Type a day, for example 10, 12-10 or 下周五."),
        "no_such_day": _("There is no such day in the calendar."),
        "past": _("That day is already past."),
        "too_far": _("That is more than three months away; agree on a nearer day."),
    }.get(error.reason, _("Not a day I can read. Try 10, 12-10, 周五 or 下周五."))


class RecordPromiseDialog(Dialog[Promised | None]):
    """Day (1, 2, or 3 and type it), part of the day (1-3); amount optional."""

    def __init__(self, room: str, days: tuple[date, date], today: date) -> None:
        super().__init__(_("Promise to pay · {room}").format(room=room))
        self.room = room
        self.days = days
        self.today = today
        self.day: date | None = None
        self.window: str | None = None

    def body(self) -> ComposeResult:
        a, b = (day_label(d, self.today) for d in self.days)
        yield Static(_("Which day? Ask: “{a}, or {b}?”").format(a=a, b=b), id="promise-ask")
        choices = [(d.isoformat(), day_label(d, self.today)) for d in self.days] + [(OTHER_DAY, _("Another day: type it below"))]
        yield NumberedChoices(choices, id="days")
        with Horizontal(classes="field-row"):
            yield Input(placeholder=_("10, 12-10, 下周五"), id="day-typed", select_on_focus=False)
            yield Static("", id="day-read")
        yield Static(_("Which part of the day?"))
        yield NumberedChoices([(w, window_label(w)) for w in PROMISE_WINDOWS], id="windows")
        with Horizontal(classes="field-row"):
            yield Static(_("Amount (optional, Tab):"), classes="field-label")
            yield Input(placeholder=_("yuan"), id="amount", restrict=r"[0-9.,]*")

    def on_mount(self) -> None:
        self.query_one("#days").focus()

    # -- the day ---------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#days")
    def day_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id == OTHER_DAY:
            self.query_one("#day-typed", Input).focus()
            return
        self.set_day(date.fromisoformat(str(event.option_id)))

    def on_key(self, event: events.Key) -> None:
        """A day typed while the day list has the focus goes into the day field (下周五, 10...)."""
        days = self.query_one("#days")
        if self.focused is not days or not event.character or not event.character.isprintable():
            return
        if event.character in "123" or event.character == " ":
            return
        typed = self.query_one("#day-typed", Input)
        typed.focus()
        typed.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()

    @on(Input.Changed, "#day-typed")
    def day_typing(self, event: Input.Changed) -> None:
        shown = self.query_one("#day-read", Static)
        try:
            found = parse_day(event.value, self.today)
        except DateTextError:
            shown.update("")
            return
        shown.update(Text("→ " + day_label(found, self.today), style="bold"))

    @on(Input.Submitted, "#day-typed")
    def day_typed(self, event: Input.Submitted) -> None:
        try:
            found = parse_day(event.value, self.today)
        except DateTextError as error:
            self.show_error(date_error_text(error))
            return
        self.set_day(found)

    def set_day(self, day: date) -> None:
        self.day = day
        self.hide_error()
        self.query_one("#day-read", Static).update(Text("→ " + day_label(day, self.today), style="bold"))
        if self.window is None:
            self.query_one("#windows").focus()
        else:
            self.finish()

    # -- the part of the day and the amount -------------------------------------------------------

    @on(OptionList.OptionSelected, "#windows")
    def window_chosen(self, event: OptionList.OptionSelected) -> None:
        self.window = str(event.option_id)
        if self.day is None:
            self.query_one("#days").focus()
            return
        self.finish()

    @on(Input.Submitted, "#amount")
    def amount_done(self) -> None:
        if self.amount() is None:
            return
        if self.day is None:
            self.query_one("#days").focus()
        elif self.window is None:
            self.query_one("#windows").focus()
        else:
            self.finish()

    def amount(self) -> int | None:
        """The optional amount in fen (0 when empty), or None after saying what is wrong."""
        text = self.query_one("#amount", Input).value
        if not text.strip():
            return 0
        try:
            fen = parse_yuan(text)
        except MoneyError:
            fen = 0
        if fen <= 0:
            self.show_error(_("Type the amount in yuan, for example 1234.50"))
            self.query_one("#amount", Input).focus()
            return None
        return fen

    def finish(self) -> None:
        fen = self.amount()
        if fen is None or self.day is None or self.window is None:
            return
        self.dismiss(Promised(self.room, self.day, self.window, fen or None))
