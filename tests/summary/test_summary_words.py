"""The summary's words exist in both languages, and every table header comes from them."""

from __future__ import annotations

import tomllib

from knock.documents.summary_tables import words
from knock.paths import templates_dir


def test_both_locales_have_the_same_keys() -> None:
    data = tomllib.loads((templates_dir() / "documents" / "summary.toml").read_text(encoding="utf-8"))
    assert set(data) == {"zh", "en"}
    assert set(data["zh"]) == set(data["en"])
    assert all(isinstance(v, str) for v in data["zh"].values())


def test_placeholders_match() -> None:
    zh, en = words("zh"), words("en")
    for key in zh:
        assert ("{" in zh[key]) == ("{" in en[key]), key
