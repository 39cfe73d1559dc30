"""Every sentence Knock can show or print passes the playbook's forbidden-content scan.

The playbook's own tests scan its content; this one covers everything else a
person reads: document templates and their strings, the vocabulary, and the
field app's translations. A lawyer's letter may state the law; it may never
threaten, shame, pressure third parties or suggest cutting utilities.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from knock.paths import templates_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
from knock.playbook.guardrails import scan_text


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _html_text(path: Path) -> list[str]:
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", raw, flags=re.S)
    raw = re.sub(r"<style.*?</style>|<[^>]+>", "\n", raw, flags=re.S)
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _sources() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    docs = templates_dir() / "documents"
    for path in sorted(docs.glob("*.html")):
        found += [(path.name, text) for text in _html_text(path)]
    for path in sorted(docs.glob("*.toml")):
        found += [(path.name, text) for text in _strings(tomllib.loads(path.read_text(encoding="utf-8")))]
    vocabulary = templates_dir() / "vocabulary.yaml"
    found += [(vocabulary.name, text) for text in _strings(yaml.safe_load(vocabulary.read_text(encoding="utf-8")))]
    for path in sorted((REPO_ROOT / "field_app" / "locale").rglob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        found += [(str(path.relative_to(REPO_ROOT)), m.string) for m in catalog if m.id and isinstance(m.string, str) and m.string]
    return found


def test_there_is_wording_to_scan() -> None:
    names = {name for name, _ in _sources()}
    assert {"receipt.html", "notice.html", "strings.toml", "vocabulary.yaml"} <= names
    assert any(name.endswith("field_app.po") for name in names)


@pytest.mark.parametrize(("where", "text"), _sources())
def test_no_wording_suggests_anything_forbidden(where: str, text: str) -> None:
    assert scan_text(text) == [], f"{where}: {text}"
