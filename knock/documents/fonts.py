"""Make sure a Chinese font exists before rendering, instead of printing empty boxes."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

PREFERRED = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei")
"""The font stack of the templates, in order."""

INSTALL_HINT = (
    "Knock needs a Chinese (CJK) font to print documents and found none. "
    "Install one and try again: run scripts/setup, or on Debian/Ubuntu "
    "`sudo apt-get install fonts-noto-cjk` (Fedora: google-noto-sans-cjk-fonts; "
    "any font listed by `fc-list :lang=zh` will do)."
)


class MissingFontError(RuntimeError):
    """No CJK font is installed; the message says what to install."""


def _list_cjk_families() -> list[str]:
    """Font families fontconfig says cover Chinese (empty if fontconfig is absent)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    families: list[str] = []
    for line in out.splitlines():
        for name in line.split(","):
            name = name.strip()
            if name and name not in families:
                families.append(name)
    return families


@lru_cache(maxsize=1)
def _cached_choice() -> str | None:
    families = _list_cjk_families()
    for name in PREFERRED:
        if name in families:
            return name
    return families[0] if families else None


def require_cjk_font() -> str:
    """The CJK font family documents will use; raises :class:`MissingFontError` if there is none."""
    found = _cached_choice()
    if found is None:
        _cached_choice.cache_clear()  # the user may install one and retry in the same session
        raise MissingFontError(INSTALL_HINT)
    return found


SLOW_SUBSET_HINT = (
    "HarfBuzz's subsetting library is missing, so WeasyPrint falls back to fontTools and every "
    "document with Chinese text takes 10-20 seconds instead of well under one. Install it: "
    "`sudo apt-get install libharfbuzz-subset0` (Fedora: harfbuzz)."
)


def fast_font_subsetting() -> bool:
    """True when WeasyPrint can subset fonts with HarfBuzz (fast) rather than fontTools (very slow for CJK)."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:  # pragma: no cover - other WeasyPrint versions
        return True
    return harfbuzz_subset is not None


def font_problems() -> list[str]:
    """Everything about fonts that would make printing fail or crawl, as sentences (empty: all well)."""
    problems: list[str] = []
    try:
        require_cjk_font()
    except MissingFontError as exc:
        problems.append(str(exc))
    if not fast_font_subsetting():
        problems.append(SLOW_SUBSET_HINT)
    return problems
