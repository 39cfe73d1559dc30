"""Call mode (电话): the day's call list, one call at a time, the outcome in a key or two.

The list comes in the domain's calling order. A number stays hidden until the
caller presses Enter on a row, inside the call hours: then it is shown for
that call only, and the reveal is logged. After the call one key records how
it went (1 no answer, 2 promised, 3 refused, 4 wrong number); a promise asks
for the day and the part of the day in the same dialog the door uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from knock.core.money import format_yuan
from knock.home import Home
from knock.reminders.calls import Call, CallList
from knock.vocabulary import label

from field_app.data import calls as call_data
from field_app.i18n import N_, _, get_locale
from field_app.labels import day_text
from field_app.widgets.common import TranslatedBindings
from field_app.workers import WorkerResults, result_of

OUTCOME_KEYS: dict[str, str] = {"1": "unreachable", "2": "promised", "3": "refused", "4": "wrong_number"}
"""The keys that record a call's outcome."""
COLUMNS: tuple[tuple[str, int], ...] = (("#", 3), (N_("Room"), 10), (N_("Owner"), 8), (N_("Type"), 16), (N_("Owed"), 10), (N_("Done"), 14))
"""The list's columns and their widths in cells (61 plus padding: fits 80 columns)."""


@dataclass(frozen=True)
class Revealed:
    """The numbers shown for one call (what the reveal worker returns)."""

    room: str
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class Called:
    """A call's outcome, recorded (what the save worker returns)."""

    room: str
    outcome: str


SAVE_CALL = "save_call"
"""The name of the write that saves a call's outcome (its result handler uses it)."""


def record_call(home: Home, room: str, staff_id: str, outcome: str, now: datetime, promise: call_data.CallPromise | None) -> Called:
    """Save one call's outcome (on the app's writing thread): one transaction."""
    call_data.record_call(home, room, staff_id, outcome, now, promise)
    return Called(room, outcome)


class CallModeScreen(TranslatedBindings, WorkerResults, Screen[None]):
    """The customer-service call list, worked through call by call."""

    CSS_PATH = "calls.tcss"
    BINDINGS = [
        Binding("1", "outcome('1')", "No answer"),
        Binding("2", "outcome('2')", "Promised"),
        Binding("3", "outcome('3')", "Refused"),
        Binding("4", "outcome('4')", "Wrong number"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.calls: CallList | None = None
        self.active: str | None = None
        """The room whose number is shown (the call in progress)."""
        self.numbers: tuple[str, ...] = ()
        self.done: dict[str, str] = {}
        """Room -> the outcome recorded in this session."""
        self.busy = True

    def ready_for_keys(self) -> bool:
        """Keys wait while the list loads or a reveal or an outcome is being saved."""
        return not self.busy

    def compose(self) -> ComposeResult:
        yield Static(_("Calls · loading…"), id="calls-header", classes="header")
        yield DataTable(id="calls-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="calls-detail-box"):
            yield Static("", id="calls-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths: the list is laid out once, the same at 80 columns whatever the data.
        for title, width in COLUMNS:
            table.add_column(_(title) if title != "#" else title, width=width)
        table.focus()
        self.load()

    # -- loading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> CallList:
        app = self.app
        return call_data.load_calls(app.home, app.staff_id, app.now(), get_locale())  # type: ignore[attr-defined]

    @result_of(load)
    def show_calls(self, found: CallList) -> None:
        self.busy = False
        self.calls = found
        self.fill_table()
        self.show_detail()

    def worker_failed(self, name: str, text: str) -> None:
        self.busy = False
        if name == "load":
            self.query_one("#calls-header", Static).update(Text(text, style="bold red"))
            return
        self.notify(text, title=_("Not saved"), severity="error", timeout=10)

    # -- showing ---------------------------------------------------------------------------------

    def fill_table(self) -> None:
        found = self.calls
        assert found is not None
        locale = get_locale()
        start, end = found.window
        header = _("Calls · {day} {start}-{end} · {n} to make").format(
            day=day_text(found.day), start=f"{start:%H:%M}", end=f"{end:%H:%M}", n=len(found.calls)
        )
        self.query_one("#calls-header", Static).update(header)
        table = self.query_one(DataTable)
        table.clear()
        for i, call in enumerate(found.calls, start=1):
            table.add_row(str(i), call.room, call.greeting, call.type_name.get(locale), format_yuan(call.owed_fen), "", key=call.room)  # type: ignore[arg-type]
        if not found.calls:
            self.query_one("#calls-detail", Static).update(_("Nobody to call on this day."))

    def mark_done(self, room: str, outcome: str) -> None:
        table = self.query_one(DataTable)
        row = table.get_row_index(room)
        table.update_cell(room, table.ordered_columns[5].key, "✓ " + label("outcomes", outcome, get_locale()))
        if row + 1 < table.row_count:
            table.move_cursor(row=row + 1)

    def current(self) -> Call | None:
        """The call under the cursor."""
        if self.calls is None or not self.calls.calls:
            return None
        table = self.query_one(DataTable)
        index = table.cursor_row
        return self.calls.calls[index] if 0 <= index < len(self.calls.calls) else None

    def show_detail(self) -> None:
        call = self.current()
        box = self.query_one("#calls-detail", Static)
        if call is None:
            return
        locale = get_locale()
        text = Text()
        text.append(f"{call.room}  {call.greeting}  ", style="bold")
        text.append(f"{call.type_name.get(locale)} · ¥{format_yuan(call.owed_fen)}\n")  # type: ignore[arg-type]
        if call.room in self.done:
            text.append("✓ " + _("Called: {outcome}").format(outcome=label("outcomes", self.done[call.room], locale)) + "\n", style="green")
        elif self.active == call.room:
            text.append(_("Number: {numbers}").format(numbers=" / ".join(self.numbers)) + "\n", style="bold yellow")
            text.append(_("After the call: 1 no answer · 2 promised · 3 refused · 4 wrong number") + "\n")
        else:
            text.append(_("Enter: call (shows the number; the look is logged)") + "\n", style="bold")
        text.append(_("Why: ") + "; ".join(r.get(locale) for r in call.reasons) + "\n")  # type: ignore[arg-type]
        if call.script:
            text.append(call.script_title.get(locale) + "\n", style="bold")  # type: ignore[arg-type]
            for n, line in enumerate(call.script, start=1):
                text.append(f" {n}. {line.get(locale)}\n")  # type: ignore[arg-type]
        box.update(text)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.active is not None and (self.current() is None or self.current().room != self.active):  # type: ignore[union-attr]
            # Moving away hides the number again: it is shown for one call only.
            self.active, self.numbers = None, ()
        self.show_detail()

    # -- acting ----------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def dial(self, event: DataTable.RowSelected) -> None:
        call = self.current()
        if call is None or call.room in self.done or self.busy:
            return
        app = self.app
        if not call_data.may_call_now(app.home, app.now()):  # type: ignore[attr-defined]
            assert self.calls is not None
            start, end = self.calls.window
            self.notify(_("Not now: collection calls are for the call hours ({start}-{end}).").format(start=f"{start:%H:%M}", end=f"{end:%H:%M}"), severity="warning", timeout=8)
            return
        self.busy = True
        self.reveal(call.room)

    @work(thread=True, exit_on_error=False)
    def reveal(self, room: str) -> Revealed:
        """Show the numbers for this call (the look is logged, so this writes)."""
        app = self.app
        return Revealed(room, call_data.reveal(app.home, room, app.staff_id))  # type: ignore[attr-defined]

    @result_of(reveal)
    def show_numbers(self, revealed: Revealed) -> None:
        self.busy = False
        self.active, self.numbers = revealed.room, revealed.numbers
        self.show_detail()

    def action_outcome(self, key: str) -> None:
        call = self.current()
        if call is None or self.busy:
            return
        if self.active != call.room:
            self.notify(_("Press Enter to make the call first."), severity="warning")
            return
        outcome = OUTCOME_KEYS[key]
        if outcome == "promised":
            self.ask_promise(call.room)
            return
        self.busy = True
        self.save(call.room, outcome, None)

    def ask_promise(self, room: str) -> None:
        from field_app.data.household import promise_days
        from field_app.outcomes import Promised
        from field_app.screens.record_promise import RecordPromiseDialog

        app = self.app
        today = app.now().date()  # type: ignore[attr-defined]

        def chosen(result: Promised | None) -> None:
            if result is None:
                return
            self.busy = True
            self.save(room, "promised", call_data.CallPromise(result.due_date, result.window, result.amount_fen))

        self.app.push_screen(RecordPromiseDialog(room, promise_days(today, app.home.settings), today), chosen)  # type: ignore[attr-defined]

    def save(self, room: str, outcome: str, promise: call_data.CallPromise | None) -> None:
        """Write the call's outcome now, on the app's writing thread (see field_app/workers.py)."""
        app = self.app
        self.run_write(SAVE_CALL, record_call, app.home, room, app.staff_id, outcome, app.now(), promise)  # type: ignore[attr-defined]

    @result_of(SAVE_CALL)
    def call_saved(self, called: Called) -> None:
        self.busy = False
        self.done[called.room] = called.outcome
        self.active, self.numbers = None, ()
        self.mark_done(called.room, called.outcome)
        self.show_detail()
