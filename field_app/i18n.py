"""The field app's words, in Chinese first and English second.

Strings in the code are English msgids wrapped in ``_()``; the translations
live in gettext catalogs (``field_app/locale/<lang>/LC_MESSAGES/field_app.po``).
The ``.po`` files are read at start-up with Babel and compiled in memory, so
there is no build step and no ``.mo`` file to forget.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("zh", "en")
"""Languages the field app speaks; the first is the default."""
DOMAIN = "field_app"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current = LOCALES[0]


def po_path(locale: str) -> Path:
    """The catalog file of ``locale``."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of ``locale`` (an unknown locale falls back to the msgids)."""
    path = po_path(locale)
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale.replace("zh", "zh_Hans_CN"), domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_locale(locale: str) -> None:
    """Switch the language of every string looked up from now on."""
    global _current
    if locale not in LOCALES:
        raise ValueError(f"unknown language {locale!r}; choose one of {', '.join(LOCALES)}")
    _current = locale


def get_locale() -> str:
    """The language in use."""
    return _current


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translations(_current).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet (for constants)."""
    return message
