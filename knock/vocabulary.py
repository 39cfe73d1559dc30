"""Labels for the ledger's keys, from ``knock/templates/vocabulary.yaml``.

The ledger stores stable keys (``property_fee``, ``wechat``); people see
words. Keeping the words in one reviewed data file means the receipt, the
screen and the nightly summary call a thing by the same name.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from knock.paths import templates_dir

Locale = Literal["zh", "en"]


@cache
def _vocabulary() -> dict[str, dict[str, dict[str, str]]]:
    from knock.yaml_files import load_yaml  # libyaml, loaded when a label is first asked for, not when a command starts

    path = templates_dir() / "vocabulary.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    for group, entries in data.items():
        for key, labels in entries.items():
            if set(labels) != {"zh", "en"}:
                raise ValueError(f"{path}: {group}.{key} needs exactly zh and en labels")
    return data


def label(group: str, key: str, locale: str = "zh") -> str:
    """The label of ``key`` in ``group``; an unknown key (e.g. an imported fee item) shows as itself."""
    entry = _vocabulary().get(group, {}).get(key)
    if entry is None:
        return key
    return entry["en" if locale == "en" else "zh"]


def keys(group: str) -> tuple[str, ...]:
    """Every key of a group, in file order."""
    return tuple(_vocabulary()[group])
