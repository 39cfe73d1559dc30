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


def _literal(node: Any) -> str | None:
    """A string literal's text, an f-string's with each ``{…}`` as ``{x}``; None for anything else."""
    import ast

    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{x}" for part in node.values)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def zh_sentences_in_code(source: str) -> Iterator[tuple[int, str]]:
    """The Chinese sentences a module builds: the zh half of every ``Text(zh, en)`` and every other
    string (f-strings too) that begins in Chinese once placeholders and leading marks are set aside.

    Left out as not sentences: docstrings, regular expressions (``|``, ``[``, ``\\``, ``(?``) and
    English text with a Chinese gloss (three Latin words in a row, "收款 for a payment line").
    """
    import ast

    tree = ast.parse(source)
    inner: set[int] = set()
    zh_halves: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            inner.add(id(node.value))
        if isinstance(node, ast.JoinedStr):
            inner.update(id(part) for part in node.values)
        if isinstance(node, ast.Call) and node.args and "Text" in (getattr(node.func, "id", None), getattr(node.func, "attr", None)):
            zh_halves.add(id(node.args[0]))
    for node in ast.walk(tree):
        text = _literal(node)
        if text is None or id(node) in inner:
            continue
        bare = re.sub(r"\{[^{}]*\}", "", text).lstrip(" \t\n,:;()?!0123456789")
        begins_in_chinese = re.match(CHINESE, bare) and not re.search(r"[|\[\\]|\(\?|[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", text)
        if id(node) in zh_halves or begins_in_chinese:
            yield node.lineno, text


def test_the_code_scan_sees_what_a_module_builds() -> None:
    source = (
        'Text(f"{n}封催费函都没有回应,欠费{m}个月", "en, (fine)")\n'
        'add("k", "没有登记电话,也从没联系上", "never reached")\n'
        'x = f"{day}已没有可发短信的时段(contact.sms_windows {spans})"\n'
        'y = ("(短信时段内,避开休息时间)" if zh else " (SMS hours)")\n'
        'z = re.compile(r"不让[^,。;!?]{0,4}(进门|回家)")\n'
        'w = "收款 for a payment line, 作废 for a void line"\n'
        'def f():\n    """王先生 (Mr Wang): a docstring."""\n'
    )
    found = [(line, text) for line, text in zh_sentences_in_code(source) if slips(text)]
    assert sorted(line for line, _ in found) == [1, 2, 3, 4]
    assert not [t for _, t in zh_sentences_in_code("Text(\"明天（{d}）约好缴费，今天发短信提醒\", \"x\")") if slips(t)]


def test_chinese_sentences_built_in_python() -> None:
    """Escalation reasons, next steps, SMS batch previews, call skips (13y): the zh the code writes itself."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found, seen = [], 0
    for folder in ("knock", "field_app", "sync"):
        for path in sorted((root / folder).rglob("*.py")):
            for line, text in zh_sentences_in_code(path.read_text(encoding="utf-8")):
                seen += 1
                if slips(text):
                    found.append((f"{path.relative_to(root)}:{line}", text))
    assert seen > 100  # the scan reaches the playbook's reasons and the reminders' texts
    assert found == []
