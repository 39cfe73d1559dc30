"""Today: my households in visit order, a search box, and the day's counters."""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static

from knock.core.money import format_yuan

from field_app import data
from field_app.i18n import _, get_locale
from field_app.messages import Failed, Loaded, LoadProgress
from field_app.widgets.common import friendly_error, translate_bindings

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_text(day: object) -> str:
    """``6月14日 周五`` / ``Fri 14 Jun``."""
    from datetime import date

    assert isinstance(day, date)
    if get_locale() == "zh":
        return f"{day.month}月{day.day}日 周{WEEKDAYS_ZH[day.weekday()]}"
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {day.strftime('%b')}"


def group_text(row: data.TodayRow) -> str:
    """The building/unit/floor a row belongs to."""
    if get_locale() == "zh":
        return f"{row.building}栋{row.unit}单元{row.floor}层"  # building and floor, as people say it
    return f"B{row.building} U{row.unit} F{row.floor}"


class TodayScreen(Screen[None]):
    """The collector's day."""

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("slash", "search", "Search"),
        Binding("g", "gate", "Gate lookup"),
        Binding("e", "end_of_day", "End of day"),
        Binding("s", "settings", "Settings/help"),
        Binding("l", "app.lock", "Lock"),
        Binding("escape", "clear_search", "Clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.view: data.TodayView | None = None
        self.advised = False
        """True once the list has the playbook's order and advice (the first pass has amounts only)."""
        self.shown: list[data.TodayRow] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="today-header", classes="header")
        yield Static(_("Loading your households…"), id="today-counters", classes="counters")
        yield Input(placeholder=_("Find: room 3-2-501, 3-2, or owner's name"), id="search", select_on_focus=False)
        yield ProgressBar(id="today-progress", show_eta=False)
        yield DataTable(id="households", cursor_type="row", zebra_stripes=True)
        yield Static("", id="today-empty", classes="message hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#today-header", Static).update(self.header_text())
        self.query_one(DataTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.load()

    def header_text(self) -> str:
        app = self.app
        return _("Today {day} · {name}").format(day=day_text(app.now().date()), name=app.staff_name)  # type: ignore[attr-defined]

    # -- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Two passes: the list with amounts at once, then (after that frame is drawn) the playbook's order and advice."""
        if self.view is None:
            self.load_quick()
        else:
            self.load_advised()

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def load_quick(self) -> None:
        app = self.app
        try:
            view = data.load_today(app.home, app.staff_id, app.now(), with_advice=False)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - shown on screen
            self.post_message(Failed("today", friendly_error(exc)))
            return
        self.post_message(Loaded("today", view))

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def load_advised(self) -> None:
        app = self.app
        try:
            view = data.load_today(app.home, app.staff_id, app.now(), progress=lambda done, total: self.post_message(LoadProgress(done, total)))  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - shown on screen
            self.post_message(Failed("today", friendly_error(exc)))
            return
        self.post_message(Loaded("today", view))

    def on_load_progress(self, message: LoadProgress) -> None:
        bar = self.query_one("#today-progress", ProgressBar)
        bar.update(total=message.total, progress=message.done)
        bar.set_class(message.done >= message.total, "hidden")

    def on_failed(self, message: Failed) -> None:
        self.query_one("#today-counters", Static).update(Text(message.text, style="bold red"))
        self.notify(message.text, severity="error", timeout=8)

    def on_loaded(self, message: Loaded) -> None:
        if message.what != "today":
            return
        self.view = message.value
        self.advised = any(r.debtor_label != "…" for r in self.view.rows) or not self.view.rows
        self.query_one("#today-progress", ProgressBar).set_class(self.advised, "hidden")
        self.query_one("#today-counters", Static).update(self.counters_text())
        self.fill(data.search_rows(self.view.rows, self.query_one("#search", Input).value))
        if not self.advised:
            self.call_after_refresh(self.load_advised)

    def counters_text(self) -> str:
        view = self.view
        assert view is not None
        return _("Visited {visited}/{assigned} · Collected today ¥{amount} · To sync: {pending}").format(
            visited=view.visited, assigned=view.assigned, amount=format_yuan(view.collected_fen), pending=view.pending_sync
        )

    # -- the table -------------------------------------------------------------------------------

    def widths(self) -> list[int]:
        """Column widths: the essentials fit 80 columns; a wider terminal gets longer labels."""
        widths = [13, 9, 6, 9, 2, 8, 8, 4] if get_locale() == "zh" else [9, 9, 10, 9, 2, 8, 8, 4]
        extra = max(0, self.size.width - 80)
        owner = min(4, extra // 4)
        kind = (extra - owner) // 2
        widths[2] += owner
        widths[5] += kind
        widths[6] += extra - owner - kind - 2 if extra > 2 else 0
        return widths

    def fill(self, rows: list[data.TodayRow]) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        current = self.shown[keep].room if self.shown and 0 <= keep < len(self.shown) else None
        table.clear(columns=True)
        titles = [_("Floor"), _("Room"), _("Owner"), _("Owed ¥"), _("Mo"), _("Type"), _("Next"), _("Due")]
        for title, width in zip(titles, self.widths(), strict=True):
            table.add_column(title, width=width)
        last_group = None
        for row in rows:
            group = group_text(row)
            style = "dim" if row.visited else ""
            mark = "✓" if row.visited else " "
            table.add_row(
                Text(group if group != last_group else "", style="bold"),
                Text(f"{mark}{row.room}", style=style),
                Text(row.owner, style=style),
                Text(format_yuan(row.owed_fen), style=style, justify="right"),
                Text(str(row.months_owed), style=style, justify="right"),
                Text(row.debtor_label, style=style),
                Text(row.next_action_label, style=style),
                Text(data.window_short(row.appointment), style="bold yellow"),
                key=row.room,
            )
            last_group = group
        self.shown = rows
        empty = self.query_one("#today-empty", Static)
        if not rows:
            if self.view is not None and not self.view.rows:
                empty.update(_("No households assigned to you today. Ask the office (knock assign)."))
            else:
                empty.update(_("Nothing matches. Press Esc to clear the search."))
        empty.set_class(bool(rows), "hidden")
        if current is not None:
            for index, row in enumerate(rows):
                if row.room == current:
                    table.move_cursor(row=index)
                    break

    def on_resize(self, event: events.Resize) -> None:
        if self.view is not None:
            self.fill(self.shown)

    # -- search ----------------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if self.view is not None:
            self.fill(data.search_rows(self.view.rows, event.value))

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        if len(self.shown) == 1:
            self.open_room(self.shown[0].room)
        elif self.shown:
            self.query_one(DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:
            if event.key == "down" and self.shown:
                self.query_one(DataTable).focus()
                event.stop()
            return
        char = event.character
        if char and (char.isdigit() or char == "-" or not char.isascii()) and char.isprintable():
            # Typing a room number or a name starts a search, wherever the cursor is.
            search.focus()
            search.insert_text_at_cursor(char)
            event.stop()
            event.prevent_default()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        self.query_one(DataTable).focus()

    # -- actions ---------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open_room(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.shown and 0 <= table.cursor_row < len(self.shown):
            self.open_room(self.shown[table.cursor_row].room)

    def open_room(self, room: str) -> None:
        from field_app.screens.household import HouseholdScreen

        self.app.push_screen(HouseholdScreen(room))

    def action_gate(self) -> None:
        from field_app.screens.gate_lookup import GateLookupScreen

        self.app.push_screen(GateLookupScreen())

    def action_end_of_day(self) -> None:
        from field_app.screens.end_of_day import EndOfDayScreen

        self.app.push_screen(EndOfDayScreen())

    def action_settings(self) -> None:
        from field_app.screens.settings_help import SettingsHelpScreen

        self.app.push_screen(SettingsHelpScreen())
