"""Today: my households in visit order, a search box, and the day's counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from rich.progress_bar import ProgressBar
from textual.widgets import Input, Static

from knock.core.money import format_yuan

from field_app.data.today import TodayRow, TodayView, load_today, search_rows
from field_app.i18n import _, get_locale
from field_app.labels import day_text, window_short
from field_app.widgets.common import TranslatedBindings, friendly_error
from field_app.widgets.day_list import Column, DayList
from field_app.widgets.key_bar import KeyBar
from field_app.widgets.search_field import SearchField
from field_app.workers import WorkerResults, result_of

def group_text(row: TodayRow) -> str:
    """The building and unit (stairwell) a row belongs to; the room code already says the floor."""
    if get_locale() == "zh":
        return f"{row.building}栋{row.unit}单元"
    return f"B{row.building} U{row.unit}"


COLUMNS = ("group", "room", "owner", "owed", "months", "type", "next", "due")
"""The list's columns, left to right; ``group`` only when everything else fits in full."""
ESSENTIAL = ("room", "owed", "months", "due")
"""Always shown in full: a room code must never be misread, nor an amount."""
OWNER_NARROW = 10
"""Cells an owner gets while type or next action are cut short."""
NEXT_AT_LEAST = 10
"""Cells the next action keeps when the type takes its whole width."""
CELL_PADDING = 2
"""The list's cell padding (one cell each side)."""
SCROLLBAR = 2
REST_AT_LATEST = 1.0
"""Seconds the rest of the day waits for the first fill's rows to be drawn, at most."""
JUSTIFY = {"owed": "right", "months": "right"}
"""Amounts and month counts line up on the right."""


def column_widths(total: int, natural: dict[str, int], *, scrollbar: bool) -> dict[str, int]:
    """Each column's width for a table ``total`` cells wide; a column left out is missing.

    ``natural`` is each column's widest cell (title included). Room, amount,
    months and appointment always get theirs; the owner up to ten cells; type
    and next action share the rest (at least four cells each); only when all
    of those fit in full does the building/unit column come in.
    """
    shown = [c for c in COLUMNS if c != "group"]
    room = total - (SCROLLBAR if scrollbar else 0) - CELL_PADDING * len(shown)
    widths = {c: natural[c] for c in ESSENTIAL}
    widths["owner"] = min(natural["owner"], OWNER_NARROW)
    left = room - sum(widths.values())
    want = natural["type"] + natural["next"]
    if left >= want:
        widths["type"], widths["next"] = natural["type"], natural["next"]
        left -= want
        grow = min(left, natural["owner"] - widths["owner"])
        widths["owner"] += grow
        left -= grow
        if left >= natural["group"] + CELL_PADDING:
            widths["group"] = natural["group"]
    elif left >= natural["type"] + NEXT_AT_LEAST:
        # The type whole (it is what the list is sorted by); the next action gets the rest.
        widths["type"], widths["next"] = natural["type"], left - natural["type"]
    else:
        kind = max(4, round(left * natural["type"] / max(want, 1)))
        widths["type"], widths["next"] = kind, max(4, left - kind)
    return {c: widths[c] for c in COLUMNS if c in widths}


def fit_words(text: str, width: int) -> str:
    """``text`` in ``width`` cells, shortened at a word boundary with "…" (never ``Building-defect dis``).

    English breaks after a space, "/" or "-"; Chinese between any two characters
    (each is a word or part of a short one, and the "…" says there is more).
    """
    if width <= 0 or cell_len(text) <= width:
        return text
    room = width - 1  # the "…"
    cut = ""
    for index, char in enumerate(text):
        if cell_len(text[: index + 1]) > room:
            break
        if char in " /-" or not char.isascii():
            cut = text[: index + 1] if char in "/-" or not char.isascii() else text[:index]
    if not cut:  # a single word longer than the column: as much of it as fits
        while text and cell_len(text) > room:
            text = text[:-1]
        cut = text
    return cut.rstrip(" /") + "…"


def in_round_order(rows: tuple[TodayRow, ...], order: list[str] | None) -> list[TodayRow]:
    """``rows`` in the round's order; rooms the round did not have yet go last, as they came."""
    if not order:
        return list(rows)
    place = {room: i for i, room in enumerate(order)}
    return sorted(rows, key=lambda r: place.get(r.room, len(place)))


class LoadProgress(Message):
    """The playbook pass made progress (``done`` of ``total`` households); posted from its worker."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


MOVE = Binding.Group("Move", compact=True)
"""Up and down shown as one footer entry (↑↓ Move)."""


class TodayScreen(TranslatedBindings, WorkerResults, Screen[None]):
    """The collector's day."""

    AUTO_FOCUS = "#households"
    """The list, not the search field: Enter opens the row under the cursor from the first key."""

    BINDINGS = [
        # Priority: the list's own Enter and arrows are hidden from the key bar; these show (in this order).
        Binding("up", "move(-1)", "Move", key_display="↑", priority=True, group=MOVE),
        Binding("down", "move(1)", "Move", key_display="↓", priority=True, group=MOVE),
        Binding("enter", "open", "Open", key_display="⏎", priority=True),
        Binding("slash", "search", "Search", show=False),
        Binding("g", "gate", "Gate"),
        Binding("e", "end_of_day", "Day end"),
        Binding("m", "merge", "Merge"),
        Binding("r", "resort", "Re-sort"),
        Binding("s", "settings", "Help"),
        Binding("l", "app.lock", "Lock", show=False),  # in Help; the screen also locks itself when left alone
        Binding("o", "sign_out", "Sign out"),
        Binding("ctrl+q", "app.quit", "Quit"),
        Binding("escape", "clear_search", "Clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: TodayView | None = None
        self.advised = False
        """True once the list has the playbook's order and advice (the first pass has amounts only)."""
        self.shown: list[TodayRow] = []
        self.failed = False
        self.covered = False
        """Another screen was pushed on top since the list was last read (see :meth:`on_screen_resume`)."""
        self.touched = False
        """The collector acted on the list (moved, searched, opened) before the playbook's order came:
        that order is then not forced on them (R re-sorts when they ask)."""
        self.playbook_rows: tuple[TodayRow, ...] = ()
        """The day in the playbook's order (what R re-sorts to)."""
        self.opened: str | None = None
        """The room last opened from this list: when it comes back visited, the cursor moves on."""
        self.filled_for: tuple[int, bool] | None = None
        """The :meth:`layout_for` the table was last filled for (a resize that changes neither needs no refill)."""
        self.rest_pending: object | None = None
        self.rest_asked: object | None = None
        """The :attr:`rest_pending` the whole day's first pass was asked for (the list asks once)."""
        self.filled_widths: dict[str, int] = {}
        """The column widths of the last fill."""
        self.after_rest: list[Callable[[], object]] = []
        """What waits for the first fill's remaining rows (see :meth:`after_first_frame`)."""
        """Set while the first fill has put only the rows one screen shows in the table (see :meth:`fill`)."""

    def ready_for_keys(self) -> bool:
        """Enter opens the row under the cursor once every row is on the list (the first, quick pass)."""
        return (self.view is not None and self.view.complete and self.rest_pending is None) or self.failed

    def compose(self) -> ComposeResult:
        yield Static(self.header_text(), id="today-header", classes="header")
        yield Static(_("Loading your households…"), id="today-counters", classes="counters")
        yield SearchField(_("Find: room 3-2-501, 3-2, or owner's name"), id="search-unused", action="screen.search")
        yield Static(ProgressBar(total=1, completed=0), id="today-progress")  # a drawing, not Textual's animated widget
        yield DayList(id="households", zebra_stripes=True)
        yield KeyBar(id="today-keys")

    def on_mount(self) -> None:
        self.query_one(DayList).focus()
        self.load()

    def on_screen_suspend(self) -> None:
        self.covered = True

    def on_screen_resume(self) -> None:
        """Back from a screen on top (a household, the lock): the day again, in case it changed.
        Not at the screen's first showing: the first pass was read at mount."""
        if self.covered and self.view is not None:
            self.covered = False
            self.load()

    def header_text(self) -> str:
        app = self.app
        text = _("Today {day} · {name}").format(day=day_text(app.now().date()), name=app.staff_name)  # type: ignore[attr-defined]
        badge = app.background_sync.state.badge  # type: ignore[attr-defined]
        return f"{text} · {badge}" if badge else text

    def on_sync_state_changed(self, message: object) -> None:
        """The background sync moved on: redraw the header's few characters."""
        self.query_one("#today-header", Static).update(self.header_text())

    # -- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Two passes: the list with amounts at once, then (after that frame is drawn) the playbook's order and advice.

        The first pass comes in two parts: the rows one screen shows (their accounts
        are most of the pass), and once they are drawn, the whole day (see :meth:`fill`).
        """
        if self.view is None:
            self.load_first_screenful()
        else:
            self.load_advised()

    def load_first_screenful(self) -> None:
        """The rows one screen shows, read here, before the screen's first frame, not in a worker.

        The one read of the screens on the interface thread, on purpose: it is a screenful of
        accounts by index (~10 ms at 100k households), and the screen is not drawn yet. In a worker
        the first frame would be an empty list saying "Loading", drawn only to be drawn again with
        the rows a moment later: the collector waited longer for the same list. The rest of the
        day, the playbook's pass and every read after this one stay in workers.
        """
        app = self.app
        try:
            view = load_today(app.home, app.staff_id, app.now(), with_advice=False, first=max(app.size.height, 1))  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - said where a worker's failure is said (never a traceback)
            self.worker_failed("load_quick", friendly_error(exc))
            return
        self.show_day(view)

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def load_quick(self, first: int | None = None) -> TodayView:
        app = self.app
        return load_today(app.home, app.staff_id, app.now(), with_advice=False, first=first)  # type: ignore[attr-defined]

    def load_rest(self, token: object) -> None:
        """The whole day's first pass, once the first rows are on the screen (asked once per first fill)."""
        if token is self.rest_pending and token is not self.rest_asked:
            self.rest_asked = token
            self.load_quick()

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def load_advised(self) -> TodayView:
        app = self.app

        def progress(done: int, total: int) -> None:
            if done % 10 == 0 or done == total:  # a message per household would only slow the list down
                self.post_message(LoadProgress(done, total))

        return load_today(app.home, app.staff_id, app.now(), progress=progress)  # type: ignore[attr-defined]

    def on_load_progress(self, message: LoadProgress) -> None:
        bar = self.query_one("#today-progress", Static)
        bar.update(ProgressBar(total=max(message.total, 1), completed=message.done))
        bar.set_class(message.done >= message.total, "hidden")

    def worker_failed(self, name: str, text: str) -> None:
        self.failed = True
        self.query_one("#today-counters", Static).update(Text(text, style="bold red"))

    @result_of(load_quick, load_advised)
    def show_day(self, view: TodayView) -> None:
        advised = any(r.debtor_label != "…" for r in view.rows) or not view.rows
        app = self.app
        first_order = advised and app.round_order is None  # type: ignore[attr-defined]
        if first_order:
            self.touched = self.touched or self.query_one(DayList).cursor_row > 0 or bool(self.search_text())
            shown_order = [r.room for r in self.view.rows] if self.view is not None and self.touched else None
            app.round_order = shown_order or [r.room for r in view.rows]  # type: ignore[attr-defined]
        self.view = replace(view, rows=tuple(in_round_order(view.rows, app.round_order)))  # type: ignore[attr-defined]
        self.playbook_rows = view.rows
        self.advised = advised
        self.query_one("#today-progress", Static).set_class(self.advised, "hidden")
        self.query_one("#today-counters", Static).update(self.counters_text())
        rows = search_rows(self.view.rows, self.search_text())
        if self.rest_pending is not None and view.complete and self.continues_shown(rows):
            rest, last_group = rows[len(self.shown) :], group_text(self.shown[-1])
            self.shown = rows
            self.filled_for = self.layout_for()
            self.add_rest(self.rest_pending, rest, self.filled_widths, last_group)
        else:
            self.fill(rows)
        if first_order and not self.touched:
            self.query_one(DayList).move_cursor(row=0)
        self.move_past_done()
        if not self.advised and view.complete:
            self.after_first_frame(self.load_advised)

    def continues_shown(self, rows: list[TodayRow]) -> bool:
        """``rows`` are the rows on the list and more, in columns as wide: the rest can be appended."""
        return bool(self.shown) and rows[: len(self.shown)] == self.shown and self.widths() == self.filled_widths

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the list with every row has been drawn (the playbook's pass would
        otherwise compete with the first frame and the rest of the rows for the one Python thread)."""
        if self.rest_pending is None:
            self.call_after_refresh(callback)
        else:
            self.after_rest.append(callback)

    def rest_is_in(self) -> None:
        """Every row is on the list now: what waited for that comes after the next refresh."""
        self.rest_pending = None
        waiting, self.after_rest = self.after_rest, []
        for callback in waiting:
            self.call_after_refresh(callback)

    def move_past_done(self) -> None:
        """Back from a household that is now visited: the cursor goes to the next door not yet visited."""
        room, self.opened = self.opened, None
        if room is None or self.search_text():
            return
        rooms = [r.room for r in self.shown]
        if room not in rooms or not self.shown[rooms.index(room)].visited:
            return
        start = rooms.index(room)
        for step in range(1, len(rooms) + 1):
            candidate = (start + step) % len(rooms)
            if not self.shown[candidate].visited:
                self.query_one(DayList).move_cursor(row=candidate)
                return

    def counters_text(self) -> str:
        view = self.view
        assert view is not None
        return _("Visited {visited}/{assigned} · Collected today ¥{amount} · To sync: {pending}").format(
            visited=view.visited, assigned=view.assigned, amount=format_yuan(view.collected_fen), pending=view.pending_sync
        )

    # -- the table -------------------------------------------------------------------------------

    def cells(self, row: TodayRow) -> dict[str, str]:
        """A row's text, column by column."""
        return {
            "group": group_text(row),
            "room": f"{'✓' if row.visited else ' '}{row.room}",
            "owner": row.owner,
            "owed": format_yuan(row.owed_fen),
            "months": _("{n} mo").format(n=row.months_owed),
            "type": row.debtor_label,
            "next": row.next_action_label,
            "due": window_short(row.appointment),
        }

    def titles(self) -> dict[str, str]:
        return {
            "group": _("Building"),
            "room": _("Room"),
            "owner": _("Owner"),
            "owed": _("Owed ¥"),
            "months": _("Owed for"),
            "type": _("Type"),
            "next": _("Next"),
            "due": _("Due"),
        }

    def widths(self) -> dict[str, int]:
        """Column widths for the screen's width, measured on every row of the day (so a search does not shift them)."""
        titles = self.titles()
        natural = {c: cell_len(t) for c, t in titles.items()}
        rows = self.view.rows if self.view is not None else ()
        for row in rows:
            for column, text in self.cells(row).items():
                natural[column] = max(natural[column], cell_len(text))
        return column_widths(self.size.width, natural, scrollbar=self.layout_for()[1])

    def layout_for(self) -> tuple[int, bool]:
        """What the column widths depend on besides the rows: the screen's width, and whether the table scrolls."""
        rows = self.view.rows if self.view is not None else ()
        # Before the first layout the table's height is 0: assume a scrollbar.
        return self.size.width, len(rows) + 1 > self.query_one(DayList).size.height

    def fill(self, rows: list[TodayRow]) -> None:
        """Put ``rows`` in the list (columns sized for every row the day has so far), keeping the cursor on its room.

        The first pass of a sign-in brings only the rows one screen can show, and
        the rest of the day once they are drawn (:meth:`load_rest`, appended by
        :meth:`add_rest`, or filled again when their columns must be wider): the
        collector's first frame should not wait for rows they cannot see yet. Keys
        wait for the rest (see :meth:`ready_for_keys`), so a queued Down or Enter
        sees the whole list.
        """
        table = self.query_one(DayList)
        keep = table.cursor_row
        current = self.shown[keep].room if self.shown and 0 <= keep < len(self.shown) else None
        widths = self.widths()
        titles = self.titles()
        table.set_columns((Column(c, titles[c], width) for c, width in widths.items()), justify=JUSTIFY)
        self.add_rows(rows, widths)
        self.filled_widths = widths
        if self.view is not None and not self.view.complete:
            token = self.rest_pending = object()
            rest = partial(self.load_rest, token)
            table.call_when_drawn(rest)
            self.set_timer(REST_AT_LATEST, rest)  # not drawn (another screen on top): the keys must not wait for ever
        else:
            self.rest_is_in()
        self.shown = rows
        self.filled_for = self.layout_for()
        if rows:
            self.say_why_empty(None)
        elif self.view is not None and not self.view.rows:
            self.say_why_empty(_("No households assigned to you today. Ask the office (knock assign)."))
        else:
            self.say_why_empty(_("Nothing matches. Press Esc to clear the search."))
        if current is not None:
            for index, row in enumerate(rows):
                if row.room == current:
                    table.move_cursor(row=index)
                    break

    def say_why_empty(self, text: str | None) -> None:
        """The line under an empty list (``None``: the list has rows), made the first time it is needed."""
        found = self.query("#today-empty")
        if found:
            line = found.first(Static)
            if text is not None:
                line.update(text)
            line.set_class(text is None, "hidden")
        elif text is not None:
            self.mount(Static(text, id="today-empty", classes="message"), after=self.query_one(DayList))

    def add_rest(self, token: object, rows: list[TodayRow], widths: dict[str, int], last_group: str) -> None:
        """The rest of the day after the rows of the first fill (drawn, or :data:`REST_AT_LATEST` passed);
        not if another fill came first."""
        if token is not self.rest_pending:
            return
        self.add_rows(rows, widths, last_group)
        self.rest_is_in()

    def add_rows(self, rows: list[TodayRow], widths: dict[str, int], last_group: str | None = None) -> None:
        """Append ``rows`` to the list; a building/unit is named on its first row only."""
        lines = []
        for row in rows:
            style = "dim" if row.visited else ""
            text = self.cells(row)
            group = text["group"]
            cells = {
                "group": Text(group if group != last_group else "", style="bold"),
                "room": Text(text["room"], style=f"{style} bold".strip()),
                "owner": Text(text["owner"], style=style),
                "owed": Text(text["owed"], style=style),
                "months": Text(text["months"], style=style),
                "type": Text(fit_words(text["type"], widths.get("type", 0)), style=style),
                "next": Text(fit_words(text["next"], widths.get("next", 0)), style=style),
                "due": Text(text["due"], style="bold yellow"),
            }
            lines.append((row.room, [cells[c] for c in widths]))
            last_group = group
        self.query_one(DayList).add_rows(lines)

    def on_resize(self, event: events.Resize) -> None:
        if self.view is not None and self.layout_for() != self.filled_for:  # 200 rows are not refilled for nothing
            self.fill(self.shown)

    # -- search ----------------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if self.view is not None:
            self.fill(search_rows(self.view.rows, event.value))

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        if len(self.shown) == 1:
            self.open_room(self.shown[0].room)
        elif self.shown:
            self.query_one(DayList).focus()

    def search_text(self) -> str:
        """What is typed in the search box ("" while it was never opened)."""
        found = self.query("#search")
        return found.first(Input).value if found else ""

    def search_box(self) -> Input:
        """The search box, put in the place of its look-alike line the first time it is asked for
        (see :mod:`field_app.widgets.search_field`).

        The ``Input`` is on the screen when this returns (Textual registers a mounted widget at
        once): the key that opened it can be typed into it, and it can take the focus.
        """
        found = self.query("#search")
        if found:
            return found.first(Input)
        line = self.query_one("#search-unused", SearchField)
        box = Input(placeholder=line.placeholder, id="search", select_on_focus=False)
        self.mount(box, before=line)
        line.remove()
        return box

    def on_key(self, event: events.Key) -> None:
        if self.focused is not None and self.focused.id == "search":
            if event.key == "down" and self.shown:
                self.query_one(DayList).focus()
                event.stop()
            return
        char = event.character
        if char and (char.isdigit() or char == "-" or not char.isascii()) and char.isprintable():
            # Typing a room number or a name starts a search, wherever the cursor is.
            search = self.search_box()
            search.focus()
            search.insert_text_at_cursor(char)
            event.stop()
            event.prevent_default()

    def action_move(self, step: int) -> None:
        """Up/down from anywhere on the screen (the search field included) moves the list's cursor."""
        table = self.query_one(DayList)
        table.focus()
        if self.shown:
            table.move_cursor(row=max(0, min(len(self.shown) - 1, table.cursor_row + step)))

    def action_sign_out(self) -> None:
        """Another collector takes the laptop: back to the names."""
        self.app.sign_out()  # type: ignore[attr-defined]

    def action_search(self) -> None:
        self.search_box().focus()

    def action_clear_search(self) -> None:
        found = self.query("#search")
        if found:
            found.first(Input).value = ""
        self.query_one(DayList).focus()

    # -- actions ---------------------------------------------------------------------------------

    @on(DayList.RowSelected)
    def row_selected(self, event: DayList.RowSelected) -> None:
        self.open_room(event.key)

    def action_open(self) -> None:
        if self.focused is not None and self.focused.id == "search" and self.search_text().strip():
            self.search_submitted()
            return
        table = self.query_one(DayList)
        if self.shown and 0 <= table.cursor_row < len(self.shown):
            self.open_room(self.shown[table.cursor_row].room)

    def open_room(self, room: str) -> None:
        from field_app.screens.household import HouseholdScreen

        self.touched = True
        self.opened = room
        self.app.push_screen(HouseholdScreen(room))

    def action_resort(self) -> None:
        """Put the list back in the playbook's order (types may have changed since the round began)."""
        if self.view is None or not self.advised:
            return
        self.app.round_order = [r.room for r in self.playbook_rows]  # type: ignore[attr-defined]
        self.view = replace(self.view, rows=tuple(in_round_order(self.view.rows, self.app.round_order)))  # type: ignore[attr-defined]
        self.fill(search_rows(self.view.rows, self.search_text()))
        first = next((i for i, r in enumerate(self.shown) if not r.visited), 0)
        self.query_one(DayList).move_cursor(row=first)

    def action_gate(self) -> None:
        from field_app.screens.gate_lookup import GateLookupScreen

        self.app.push_screen(GateLookupScreen())

    def action_end_of_day(self) -> None:
        from field_app.screens.end_of_day import EndOfDayScreen

        self.app.push_screen(EndOfDayScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The merge key exists for team leads and managers only (role read at sign-in, no ledger call here)."""
        if action == "merge":
            return getattr(self.app, "staff_role", "") == "manager"
        return True

    def action_merge(self) -> None:
        from field_app.screens.merge import MergeScreen

        if self.check_action("merge", ()):
            self.app.push_screen(MergeScreen())

    def action_settings(self) -> None:
        from field_app.screens.settings_help import SettingsHelpScreen

        self.app.push_screen(SettingsHelpScreen())
