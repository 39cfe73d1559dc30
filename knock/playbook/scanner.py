"""The forbidden-content scanner: finds what Knock must never suggest, in any word order.

It applies the reviewed list in :mod:`knock.playbook.forbidden` clause by
clause and then asks one question of every match: is it really negated?
"我们不会给你家停水" and "We will never cut off your water" are reassurances;
"不得不给你家停水" (a double negative: "we have to"), "不交就停水" (the 不
belongs to paying) and "Never forget we can cut off your water" (never
governs "forget") are threats. A negator only counts when it stands in the
same clause before the match, close to it, with nothing between them that
ends its scope; or when the clause goes on to say the act is unlawful
("停水催费是违法的").

Used two ways: tests hold every shipped text to it, and the ledger scans the
free text staff type (notes, complaints, follow-ups) when it is saved and
flags hits to the manager.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knock.playbook import forbidden as F
from knock.playbook.forbidden import Category, Pattern


@dataclass(frozen=True)
class Violation:
    """A forbidden suggestion found in a text."""

    category: Category
    match: str
    text: str
    pattern: str = ""
    """The key of the :class:`~knock.playbook.forbidden.Pattern` that matched."""


_ZH_NEG = re.compile(F.ZH_NEGATORS.replace("别", "(?<![特区分类告级识性鉴辨离告])别(?![人的处墅])").replace("不是", "(?<!是)不是"))
_ZH_DOUBLE = re.compile(F.ZH_DOUBLE)
_ZH_BREAK = re.compile(F.ZH_SCOPE_BREAK)
_ZH_AFTER = re.compile(F.ZH_AFTER)
_EN_NEG = re.compile(F.EN_NEGATORS, re.IGNORECASE)
_EN_AFTER = re.compile(F.EN_AFTER, re.IGNORECASE)
_CLAUSE = re.compile(F.ZH_CLAUSE + "|" + F.EN_CLAUSE, re.IGNORECASE)
_SENTENCE = re.compile(F.ZH_SENTENCE + "|" + F.EN_SENTENCE, re.IGNORECASE)
_WORD = re.compile(r"[a-z']+", re.IGNORECASE)
_ZH_REACH = 15
"""How far (in characters) a Chinese negator reaches towards what it negates."""
_EN_REACH = 6
"""How many bridging words an English negator may stand before what it negates."""


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[Pattern, tuple[re.Pattern[str], ...]], ...]:
    return tuple((p, p.compiled()) for p in F.PATTERNS)  # type: ignore[misc]


def _split(text: str, splitter: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` between separators (separators excluded)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in splitter.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _zh_negated(before: str, after: str, matched: str) -> bool:
    if _ZH_AFTER.search(after):
        return True
    for m in reversed(list(_ZH_NEG.finditer(before))):
        between = before[m.end() :]
        if len(between) > _ZH_REACH:
            return False
        if _ZH_DOUBLE.match(between + matched) or _ZH_BREAK.search(between):
            continue
        return True
    return False


def _en_negated(before: str, after: str) -> bool:
    if _EN_AFTER.search(after):
        return True
    for m in reversed(list(_EN_NEG.finditer(before))):
        words = [w.lower() for w in _WORD.findall(before[m.end() :])]
        if len(words) <= _EN_REACH and all(w in F.EN_BRIDGE for w in words):
            return True
    return False


def _negated(pattern: Pattern, clause: str, start: int, end: int) -> bool:
    before, after = clause[:start], clause[end:]
    return _zh_negated(before, after, clause[start:end]) if pattern.lang == "zh" else _en_negated(before, after)


def _spans(pattern: Pattern, regexes: tuple[re.Pattern[str] | None, ...], clause: str) -> list[tuple[int, int]]:
    """Where ``pattern`` matches in ``clause``; pairs match in either order within the gap."""
    first, second = regexes[0], regexes[1]
    assert first is not None
    a = [(m.start(), m.end()) for m in first.finditer(clause) if m.end() > m.start()]
    if second is None:
        return a
    b = [(m.start(), m.end()) for m in second.finditer(clause) if m.end() > m.start()]
    found: list[tuple[int, int]] = []
    for s1, e1 in a:
        for s2, e2 in b:
            if e1 <= s2 and s2 - e1 <= pattern.gap or e2 <= s1 and s1 - e2 <= pattern.gap:
                found.append((min(s1, s2), max(e1, e2)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        # Overlapping pairs are one phrase: "post a list of debtors" is judged from "post".
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _scan_pattern(pattern: Pattern, regexes: tuple[re.Pattern[str] | None, ...], text: str) -> Violation | None:
    _, _, target, exempt, payment, near = regexes
    for s0, s1 in _split(text, _SENTENCE):
        sentence = text[s0:s1]
        aimed = target is not None and bool(target.search(sentence))
        if exempt is not None and exempt.search(sentence) and not (payment is not None and payment.search(sentence)):
            continue
        for c0, c1 in _split(sentence, _CLAUSE):
            clause = sentence[c0:c1]
            if (target is not None or near is not None) and not aimed and not (near is not None and near.search(clause)):
                continue
            for start, end in _spans(pattern, regexes, clause):
                if not _negated(pattern, clause, start, end):
                    return Violation(pattern.category, clause[start:end], text, pattern.key)
    return None


def scan_text(text: str) -> list[Violation]:
    """Forbidden suggestions in ``text`` (Chinese, English or mixed): an empty list means clean.

    At most one violation per pattern, in the order of the pattern list.
    Prohibitions ("绝不以中断供水的方式催费", "Never threaten anyone") and
    reassurances ("我们不会给你家停水") pass; soft or misplaced negations do not.
    """
    if not text:
        return []
    found: list[Violation] = []
    for pattern, regexes in _compiled():
        hit = _scan_pattern(pattern, regexes, text)
        if hit is not None:
            found.append(hit)
    return found


def categories(text: str) -> set[str]:
    """The categories :func:`scan_text` finds in ``text`` (for tests and flags)."""
    return {v.category for v in scan_text(text)}
