"""A search box that becomes one only when it is used.

The Today screen opens with its search box empty and unfocused: the list has
the focus, and most days nobody searches before the first door. A Textual
``Input`` is the dearest widget of that first frame (its styles, its cursor's
timer, its reactive state), so the screen draws this look-alike line instead
and puts the real ``Input`` in its place the first time the collector searches
(a digit or a name typed on the list, ``/``, or a click on the line): see
``TodayScreen.search_box``.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Static


class SearchField(Static):
    """The unused search box: its placeholder, drawn as an unfocused ``Input`` draws it."""

    DEFAULT_CSS = """
    SearchField {
        background: $surface;
        color: $text-disabled;
        padding: 0 2;
        border: tall $border-blurred;
        width: 100%;
        height: 3;
        &:ansi { background: ansi_default; color: ansi_default; text-style: dim; }
    }
    """

    def __init__(self, placeholder: str, *, id: str, action: str) -> None:  # noqa: A002 - Textual's name
        super().__init__(placeholder, id=id)
        self.placeholder = placeholder
        self.action = action
        """The screen's action that opens the box (a click here runs it)."""

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.run_action(self.action)
