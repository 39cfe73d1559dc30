"""What each collector chose on this laptop (their language), kept across restarts.

Several collectors share a laptop, so the choice is per person, not in the
company-wide ``settings.toml``. It lives in ``HOME/collector_preferences.json``
(mode 0600, written whole and swapped in, so a crash never leaves half a file);
a damaged or unreadable file only means the defaults, never a crash.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from field_app.i18n import LOCALES

PREFERENCES_FILE = "collector_preferences.json"


def _read(home: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((home / PREFERENCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_locale(home: Path, staff_id: str) -> str | None:
    """The language ``staff_id`` chose last, or None (use the company default)."""
    entry = _read(home).get(staff_id)
    locale = entry.get("locale") if isinstance(entry, dict) else None
    return locale if locale in LOCALES else None


def save_locale(home: Path, staff_id: str, locale: str) -> None:
    """Remember ``locale`` for ``staff_id`` (raises OSError when the folder cannot be written)."""
    if locale not in LOCALES:
        raise ValueError(f"unknown language {locale!r}")
    data = _read(home)
    entry = data.get(staff_id)
    data[staff_id] = {**(entry if isinstance(entry, dict) else {}), "locale": locale}
    target = home / PREFERENCES_FILE
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
