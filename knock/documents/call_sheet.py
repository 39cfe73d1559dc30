"""The day's call list as a printed A4 sheet (``knock remind calls``).

The list itself is the domain's (:mod:`knock.reminders.calls`); this module
only lays it out, with the same fonts and renderer as receipts and letters.
Phone numbers are printed only when the caller is named, and then the CLI has
logged each one as revealed to that caller.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from knock.documents.render import Locale, _css, _layout
from knock.paths import templates_dir
from knock.playbook.messages import format_day
from knock.reminders.calls import CallList


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, Any]]:
    with open(templates_dir() / "reminders" / "call_sheet.toml", "rb") as handle:
        return tomllib.load(handle)


def render_call_list(view: CallList, *, company: str, locale: Locale = "zh", numbers: Mapping[str, tuple[str, ...]] | None = None) -> bytes:
    """The call list as PDF; ``numbers`` (room -> the owner's numbers) prints them."""
    start, end = view.window
    context = {
        "view": view,
        "w": _words()[locale],
        "company": company,
        "day_text": format_day(view.day, locale),
        "window_text": f"{start:%H:%M}-{end:%H:%M}",
        "numbers": dict(numbers) if numbers else None,
    }
    return _layout("call_list.html", [_css("base.css"), _css("call_list.css")], context, locale).write_pdf()
