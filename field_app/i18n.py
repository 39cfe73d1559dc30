"""The field app's words, in Chinese first and English second.

Strings in the code are English msgids wrapped in ``_()``; the translations
live in gettext catalogs (``field_app/locale/<lang>/LC_MESSAGES/field_app.po``).
The ``.po`` files are compiled with Babel when they change, so there is no
build step and no ``.mo`` file to forget: the compiled catalog is kept beside
the ``.po`` in ``__pycache__``, named by a hash of the ``.po``'s bytes (like
Python's own byte-code cache), and a start whose ``.po`` is unchanged reads it
without importing Babel or parsing the ``.po`` (~25 ms of the app's start).
"""

from __future__ import annotations

import gettext
import hashlib
import os
import struct
from functools import cache
from io import BytesIO
from pathlib import Path

LOCALES = ("zh", "en")
"""Languages the field app speaks; the first is the default."""
DOMAIN = "field_app"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current = LOCALES[0]


def po_path(locale: str) -> Path:
    """The catalog file of ``locale``."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def compiled_path(po: Path, data: bytes) -> Path:
    """Where the compiled catalog of the ``.po`` at ``po`` holding ``data`` is kept."""
    return po.parent / "__pycache__" / f"{DOMAIN}.{hashlib.blake2b(data, digest_size=8).hexdigest()}.mo"


def compile_po(data: bytes, locale: str) -> bytes:
    """A ``.po`` file's bytes compiled to ``.mo`` bytes (Babel)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(BytesIO(data), locale=locale.replace("zh", "zh_Hans_CN"), domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of ``locale`` (an unknown locale falls back to the msgids)."""
    path = po_path(locale)
    if not path.exists():
        return gettext.NullTranslations()
    data = path.read_bytes()
    kept = compiled_path(path, data)
    try:
        return gettext.GNUTranslations(BytesIO(_unsealed(kept.read_bytes())))
    except (OSError, ValueError, struct.error):  # not compiled yet (or a damaged copy): compile it now
        compiled = compile_po(data, locale)
    _keep(kept, _sealed(compiled))
    return gettext.GNUTranslations(BytesIO(compiled))


_SEAL_BYTES = 16


def _sealed(compiled: bytes) -> bytes:
    """A compiled catalog followed by its own digest: a kept copy damaged in any way (cut short, a
    byte changed, even into another valid catalog) is then found before gettext parses it, so
    it is compiled again instead of showing wrong words or stopping the start (gettext raises
    LookupError or IndexError on some damaged headers)."""
    return compiled + hashlib.blake2b(compiled, digest_size=_SEAL_BYTES).digest()


def _unsealed(kept: bytes) -> bytes:
    """The compiled catalog in a kept copy; ValueError unless its digest matches."""
    compiled, seal = kept[:-_SEAL_BYTES], kept[-_SEAL_BYTES:]
    if len(kept) <= _SEAL_BYTES or hashlib.blake2b(compiled, digest_size=_SEAL_BYTES).digest() != seal:
        raise ValueError("damaged compiled catalog")
    return compiled


def _keep(kept: Path, compiled: bytes) -> None:
    """Store a compiled catalog for the next start (atomically), dropping older ones of the same ``.po``."""
    try:
        kept.parent.mkdir(exist_ok=True)
        part = kept.with_name(f"{kept.name}.{os.getpid()}.part")
        part.write_bytes(compiled)
        os.replace(part, kept)
        for old in kept.parent.glob(f"{DOMAIN}.*.mo"):
            if old != kept:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only install: every start compiles in memory instead
        return


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
