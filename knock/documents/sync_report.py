"""The per-collector cash hand-over sheets of a merge day, as PDF files (one page each)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from knock.documents.render import render_cash_handover
from knock.home import Home


def write_collector_pdfs(home: Home, reports: Iterable[Any], folder: Path) -> list[Path]:
    """Write ``handover-<day>-<name>.pdf`` for each report into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    locale = home.settings.ui.locale
    written: list[Path] = []
    for report in reports:
        data = report.to_dict()
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in data["name"])
        path = folder / f"handover-{data['day']}-{safe}.pdf"
        path.write_bytes(render_cash_handover(data, locale))  # type: ignore[arg-type]
        written.append(path)
    return written
