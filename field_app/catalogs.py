"""Keeping the translation catalogs in step with the code.

``python -m field_app.catalogs`` finds every string the app shows (``_()``,
``N_()`` and key-binding descriptions) and adds the new ones to both ``.po``
files: English gets the msgid as its text, Chinese gets an empty entry for a
translator to fill. A test fails while any entry is empty in either language.
"""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from field_app.i18n import DOMAIN, LOCALES, po_path

PACKAGE = Path(__file__).resolve().parent


def source_msgids() -> list[str]:
    """Every translatable string in the field app's source, in order of appearance."""
    found: dict[str, None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, None)
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # Babel's extractor does not look inside f-strings on Python 3.11; the AST does.
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") in ("_", "N_")
                and len(node.args) == 1
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value
            ):
                found.setdefault(node.args[0].value, None)
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "Binding"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
                and isinstance(node.args[2].value, str)
                and node.args[2].value
            ):
                found.setdefault(node.args[2].value, None)
    return list(found)


def load_catalog(locale: str) -> Catalog:
    """The ``.po`` catalog of ``locale`` (empty when missing)."""
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale.replace("zh", "zh_Hans_CN"), domain=DOMAIN)


def save_catalog(locale: str, catalog: Catalog) -> None:
    """Write the catalog back (sorted by msgid, no line numbers: stable diffs)."""
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False, no_location=True, width=0)


def update_catalogs(translations: dict[str, dict[str, str]] | None = None) -> dict[str, list[str]]:
    """Add new msgids to every locale; returns what is still untranslated per locale."""
    ids = source_msgids()
    missing: dict[str, list[str]] = {}
    for locale in LOCALES:
        catalog = load_catalog(locale)
        catalog.project = "Knock field app"
        given = (translations or {}).get(locale, {})
        for msgid in ids:
            entry = catalog.get(msgid)
            text = given.get(msgid) or (msgid if locale == "en" else "")
            if entry is None:
                catalog.add(msgid, text)
            elif not entry.string and text:
                entry.string = text
        for message in list(catalog):
            if message.id and message.id not in ids:
                catalog.delete(message.id)
        save_catalog(locale, catalog)
        missing[locale] = [m.id for m in catalog if m.id and not m.string]
    return missing


if __name__ == "__main__":
    for lang, ids in update_catalogs().items():
        print(f"{lang}: {len(ids)} untranslated")
        for msgid in ids:
            print(f"  {msgid!r}")
