"""A light table for the day's list: fixed columns, one line per household, a row cursor.

Why not Textual's DataTable: it measures and renders every cell it is given
before the first frame (1,600 cells for a 200-household day, ~40 ms on the
laptop), and the list needs none of what that buys (sortable columns, cell
cursors, variable row heights). This widget is built on the public Line API
(``ScrollView`` + ``render_line``): it draws only the lines on the screen, from
cells the screen has already sized, so the first frame costs the same for 20
households or 2,000.

Keyboard: up/down, page up/down, home/end, Enter (the Today screen also binds
Enter and the arrows with priority, so queued keys go through its gate). Mouse:
a click moves the cursor to a row, a click on the row under the cursor selects
it (as DataTable did); the wheel scrolls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAD = " "
"""The blank cell on each side of a column's text (as DataTable draws them)."""


@dataclass(frozen=True)
class Column:
    """One column: its key, its title and its width in cells (padding not included)."""

    key: str
    title: str
    width: int


class DayList(ScrollView, can_focus=True):
    """Rows of pre-sized cells under a fixed header line, with a row cursor."""

    DEFAULT_CSS = """
    DayList {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .day-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .day-list--header { background-tint: $foreground 5%; }
        }
        & > .day-list--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .day-list--header { background: ansi_bright_blue; color: ansi_default; }
        & > .day-list--even-row { background: $surface-lighten-1 50%; }
        &:dark > .day-list--even-row { background: $surface-darken-1 40%; }
        & > .day-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .day-list--hover { background: $block-hover-background; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"day-list--header", "day-list--even-row", "day-list--cursor", "day-list--hover"}

    BINDINGS: ClassVar[list[BindingType]] = [  # never in a key bar: no words to translate
        Binding("enter", "select_cursor", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
    ]

    class RowSelected(Message):
        """The row under the cursor was chosen (Enter on the list, or a click on the cursor's row)."""

        def __init__(self, day_list: DayList, index: int, key: str) -> None:
            super().__init__()
            self.day_list = day_list
            self.index = index
            self.key = key
            """The row's key (the Today list: its room code)."""

        @property
        def control(self) -> DayList:
            return self.day_list

    def __init__(self, *, zebra_stripes: bool = True, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.zebra_stripes = zebra_stripes
        self._columns: list[Column] = []
        self._justify: list[str] = []
        self._keys: list[str] = []
        self._cells: list[list[tuple[str, str, str, Style | None]]] = []
        """Each row's cells, already fitted to their columns: (blank before, text, blank after, the text's style)."""
        self._cursor = 0
        self._hover: int | None = None
        self._when_drawn: list[Callable[[], object]] = []

    # -- contents --------------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(self._columns)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def cursor_row(self) -> int:
        """The cursor's row (0 when the list is empty)."""
        return self._cursor

    def call_when_drawn(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once a refresh has drawn rows (after that refresh, not in it)."""
        self._when_drawn.append(callback)
        self.refresh()

    def row_key(self, index: int) -> str:
        return self._keys[index]

    def get_cell(self, row_key: str, column_key: str) -> str:
        """The text shown in a cell (as cut to its column), found by row and column key."""
        row = self._keys.index(row_key)
        column = [c.key for c in self._columns].index(column_key)
        return self._cells[row][column][1]

    def clear(self, columns: bool = False) -> None:
        """Remove every row (and the columns too when ``columns``); the cursor goes back to the top."""
        self._keys.clear()
        self._cells.clear()
        if columns:
            self._columns = []
            self._justify = []
        self._cursor = 0
        self._hover = None
        self._resized()

    def set_columns(self, columns: Iterable[Column], justify: dict[str, str] | None = None) -> None:
        """Replace the columns (and drop the rows); ``justify`` maps a column key to "right" for amounts."""
        self.clear(columns=True)
        self._columns = list(columns)
        self._justify = [(justify or {}).get(c.key, "left") for c in self._columns]
        self._resized()

    def add_rows(self, rows: Iterable[tuple[str, Sequence[Text]]]) -> None:
        """Append rows: (key, one Text per column). A Text's style is its text's (the padding around it
        takes the row's); its justify wins over the column's."""
        for key, cells in rows:
            fitted = []
            for index, (column, cell) in enumerate(zip(self._columns, cells, strict=True)):
                justify = cell.justify or self._justify[index]
                style = cell.style if isinstance(cell.style, Style) else (Style.parse(cell.style) if cell.style else None)
                text = self._cut(cell.plain, column.width)
                gap = " " * (column.width - cell_len(text))
                left, right = (gap, "") if justify == "right" else ("", gap)
                fitted.append((PAD + left, text, right + PAD, style))
            self._keys.append(key)
            self._cells.append(fitted)
        self._resized()

    @staticmethod
    def _cut(text: str, width: int) -> str:
        """``text`` in at most ``width`` cells, cut as a wrapped cell's first line would be: after the last
        word that fits (mid-word for a single long word)."""
        if cell_len(text) <= width:
            return text
        end = 0
        while end < len(text) and cell_len(text[: end + 1]) <= width:
            end += 1
        cut = text[:end]
        if end < len(text) and text[end] != " " and " " in cut.strip():
            cut = cut[: cut.rstrip().rfind(" ")]
        return cut.rstrip()

    def _resized(self) -> None:
        width = sum(c.width + 2 * len(PAD) for c in self._columns)
        self.virtual_size = Size(width, len(self._keys) + 1)  # + the header line
        if self._cursor >= len(self._keys):
            self._cursor = max(0, len(self._keys) - 1)
        self.refresh()

    # -- the cursor ------------------------------------------------------------------------------

    @property
    def page_rows(self) -> int:
        """Rows one screen shows under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        """Put the cursor on ``row`` (kept within the list) and scroll it into view."""
        if not self._keys:
            self._cursor = 0
            return
        row = max(0, min(len(self._keys) - 1, row))
        if row != self._cursor:
            self._cursor = row
            self.refresh()
        if scroll:
            self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        """Scroll so the cursor's row is on the screen (the header line stays on top)."""
        height = self.scrollable_content_region.height
        if height <= 1:  # not laid out yet: once it is
            self.call_after_refresh(self._scroll_when_laid_out)
            return
        top = round(self.scroll_offset.y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor > top + self.page_rows - 1:
            self.scroll_to(y=self._cursor - self.page_rows + 1, animate=False, immediate=True)

    def _scroll_when_laid_out(self) -> None:
        if self.scrollable_content_region.height > 1:
            self.scroll_to_cursor()

    def on_resize(self, event: events.Resize) -> None:
        if self._keys:
            self.scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self._cursor - self.page_rows)

    def action_page_down(self) -> None:
        self.move_cursor(row=self._cursor + self.page_rows)

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._keys) - 1)

    def action_select_cursor(self) -> None:
        if self._keys:
            self.post_message(self.RowSelected(self, self._cursor, self._keys[self._cursor]))

    # -- the mouse -------------------------------------------------------------------------------

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:  # outside, or on the header
            return None
        index = round(self.scroll_offset.y) + offset.y - 1
        return index if 0 <= index < len(self._keys) else None

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row; a click on the cursor's row selects it."""
        index = self._row_at(event)
        if index is None:
            return
        event.stop()
        again = index == self._cursor
        self.move_cursor(row=index)
        if again:
            self.action_select_cursor()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._row_at(event)
        if index != self._hover:
            self._hover = index
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    # -- drawing ---------------------------------------------------------------------------------

    def row_text(self, index: int) -> str:
        """A row as drawn (cells padded, no styles): what the collector reads."""
        return "".join(f"{left}{text}{right}" for left, text, right, _style in self._cells[index])

    def header_text(self) -> str:
        """The header line (column titles, cut to their columns), no styles."""
        parts = []
        for column in self._columns:
            title = self._cut(column.title, column.width)
            parts.append(f"{PAD}{title}{' ' * (column.width - cell_len(title))}{PAD}")
        return "".join(parts)

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the widget: the header on top, then the rows from the scroll position."""
        base = self.rich_style
        width = self.scrollable_content_region.width
        if y == 0:
            line_style = base + self.get_component_rich_style("day-list--header")
            text = self.header_text()
            segments = [Segment(text, line_style)]
            length = cell_len(text)
        else:
            index = round(self.scroll_offset.y) + y - 1
            if index >= len(self._keys):
                return Strip.blank(width, base)
            if self._when_drawn:  # this refresh draws rows: the callbacks run once it is done and out
                for callback in self._when_drawn:
                    self.call_later(self.call_after_refresh, callback)
                self._when_drawn = []
            if index == self._cursor:
                line_style = base + self.get_component_rich_style("day-list--cursor")
            elif index == self._hover:
                line_style = base + self.get_component_rich_style("day-list--hover")
            elif self.zebra_stripes and index % 2 == 0:
                line_style = base + self.get_component_rich_style("day-list--even-row")
            else:
                line_style = base
            segments = []
            length = 0
            for left, text, right, style in self._cells[index]:
                segments += (Segment(left, line_style), Segment(text, line_style + style if style else line_style), Segment(right, line_style))
                length += len(left) + cell_len(text) + len(right)
        scroll_x = round(self.scroll_offset.x)
        return Strip(segments, length).crop(scroll_x, scroll_x + width).extend_cell_length(width, line_style)
