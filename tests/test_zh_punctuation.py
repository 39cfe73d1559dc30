"""Chinese sentences use full-width punctuation: 房号 1-1-101：… not 房号 1-1-101:… (13q found the sync review's).

Checked: every Chinese string of the field app's catalog and of the vocabulary (labels, merge and
review flags, cash counts), and (13w) the playbook's content (debtor types, objections, messages,
the never list), the SMS and call texts and the printed call sheet. A half-width ``, : ; ( ) ? !``
touching a Chinese character is the slip;
inside ``{placeholders}`` and between Latin text and digits (times as 19:30, ¥1,200.00, key names)
half-width stays right.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from babel.messages.pofile import read_po

from field_app.i18n import po_path
from knock.paths import templates_dir
from knock.yaml_files import load_yaml

CHINESE = r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]"
SLIP = re.compile(rf"{CHINESE}\s*[,:;()?!]|[,:;()?!]\s*{CHINESE}")


def slips(text: str) -> list[str]:
    """The half-width punctuation next to Chinese in ``text`` (placeholders left out)."""
    return SLIP.findall(re.sub(r"\{[^{}]*\}", "x", text))


def zh_values(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "zh" and isinstance(value, str):
                yield path, value
            else:
                yield from zh_values(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from zh_values(value, f"{path}[{i}]")


def test_the_slip_is_seen() -> None:
    assert slips("设备 {device}:第 {seq} 条") and slips("预存(余额)") and not slips("房号 {room}：{day} 19:30 ¥1,200.00（Y）")
    assert slips("方便吗?") and slips("{surname}{title},您好!") and not slips("方便吗？{surname}{title}，您好！ {window} 19:00-21:30")


def test_the_field_app_catalog() -> None:
    with po_path("zh").open("rb") as handle:
        catalog = read_po(handle)
    found = [(m.id, m.string) for m in catalog if m.id and isinstance(m.string, str) and slips(m.string)]
    assert found == []


def test_the_vocabulary_with_the_merge_and_review_sentences() -> None:
    vocabulary = load_yaml((templates_dir() / "vocabulary.yaml").read_text(encoding="utf-8"))
    found = [(where, text) for where, text in zh_values(vocabulary, "vocabulary") if slips(text)]
    assert found == []


def test_chinese_sentences_in_the_command_line_and_sync_code() -> None:
    """Strings that begin in Chinese (what ``knock demo`` says while it builds, …); English text with a Chinese gloss is not one."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = []
    for folder in ("knock/cli", "sync"):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.match(rf"\s*{CHINESE}", node.value) and slips(node.value):
                    found.append((str(path.relative_to(root)), node.lineno, node.value))
    assert found == []


PLAYBOOK_AND_REMINDERS = (
    "playbook/debtor_types.yaml",
    "playbook/objections.yaml",
    "playbook/messages.yaml",
    "playbook/never.yaml",
    "playbook/labels.yaml",
    "reminders/sms.yaml",
)


def test_the_playbook_and_the_sms_and_call_texts() -> None:
    """What a collector reads out at the door and what the owner's phone shows (13v left these; reminders/calls.yaml only names cards)."""
    found = []
    for name in PLAYBOOK_AND_REMINDERS:
        content = load_yaml((templates_dir() / name).read_text(encoding="utf-8"))
        texts = list(zh_values(content, name))
        assert texts, name  # the walk reaches the texts (lists of lines included)
        found += [(where, text) for where, text in texts if slips(text)]
    assert found == []


def test_the_printed_call_sheet() -> None:
    import tomllib

    sheet = tomllib.loads((templates_dir() / "reminders" / "call_sheet.toml").read_text(encoding="utf-8"))
    assert [(key, text) for key, text in sheet["zh"].items() if slips(text)] == []
