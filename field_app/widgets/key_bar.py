"""One line of the screen's keys, as Textual's compact Footer shows them, drawn by a single Static.

Why not Footer on the Today screen: Footer composes a widget per key and
composes again on each of Textual's binding refreshes (three times before the
first frame), which the collector pays for at every start. The Today screen's
keys only change with the language or the collector's role, and both make a new
screen, so the line is worked out once, when it is mounted, from the screen's
public ``active_bindings`` (what Footer reads too: the same keys, groups and
descriptions, translated), in the order the screen declares them. A click on a key presses it, as on Footer.
"""

from __future__ import annotations

from itertools import groupby

from textual.binding import Binding
from textual import events
from textual.content import Content
from textual.style import Style
from textual.widgets import Static


class KeyBar(Static):
    """The screen's shown key bindings: ``↑↓ Move ⏎ Open g Gate …``."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def on_mount(self) -> None:
        self.show_keys()

    def entries(self) -> list[tuple[list[tuple[Binding, bool]], str]]:
        """What the line shows, in order: (the keys of one entry and whether each works now, its words).

        As Footer: bindings with ``show``, one per action; consecutive actions of one
        group become one entry with the group's words (``↑↓ Move``).
        """
        by_action: dict[str, list[tuple[Binding, bool]]] = {}
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, []).append((binding, enabled))
        # In the screen's own order (Footer follows whichever widget has the focus: at start-up that
        # changes with timing, and the line should not).
        declared = [b.action for b in getattr(self.screen, "BINDINGS", []) if isinstance(b, Binding)]
        rank = {action: declared.index(action) for action in by_action if action in declared}
        ordered = sorted(by_action, key=lambda action: rank.get(action, len(declared)))
        shown: list[tuple[list[tuple[Binding, bool]], str]] = []
        for group, runs in groupby((by_action[action] for action in ordered), key=lambda found: found[0][0].group):
            actions = list(runs)
            if group is not None and len(actions) > 1:
                shown.append(([found[0] for found in actions], group.description))
            else:
                shown.extend(([found[0]], found[0][0].description) for found in actions)
        return shown

    def show_keys(self) -> None:
        parts: list[Content | str] = []
        for keys, words in self.entries():
            if parts:
                parts.append(" ")
            for binding, enabled in keys:
                key = Content.styled(self.app.get_key_display(binding), "b $footer-key-foreground" if enabled else "dim $footer-key-foreground")
                parts.append(key.stylize(Style.from_meta({"key": binding.key})))
            parts.append(" ")
            parts.append(Content.styled(words, "$footer-description-foreground"))
        self.update(Content.assemble(*parts))

    def on_click(self, event: events.Click) -> None:
        """A click on a key is that key pressed (as on Footer: it goes the way a typed key goes)."""
        key = event.style.meta.get("key")
        if key:
            event.stop()
            self.app.simulate_key(key)
