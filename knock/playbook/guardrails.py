"""Guardrails: when a collector may knock or call, and what Knock may never say.

Two kinds of check live here. :func:`contact_allowed` judges one contact
against the settings (quiet hours, the company's windows, Sunday evening,
meal times, the daily cap); it warns rather than blocks, except at the cap,
because a collector who logs a late visit must still be able to record it, but
a fourth contact in a day needs someone to say yes. :func:`scan_text` finds
forbidden suggestions (interrupting utilities, threats, shaming, deception,
pressure on third parties) so a test can hold all content to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from knock.settings import Settings, Window

ContactChannel = Literal["door", "phone", "sms", "letter"]

# --------------------------------------------------------------------------- time


def _in_span(t: time, start: time, end: time) -> bool:
    """``start <= t < end``, wrapping past midnight when ``start > end``."""
    if start <= end:
        return start <= t < end
    return t >= start or t < end


def in_quiet_hours(now: datetime, settings: Settings) -> bool:
    """True from ``quiet_start`` (inclusive) to ``quiet_end`` (exclusive): 22:00 yes, 08:00 no."""
    c = settings.contact
    return _in_span(now.time(), c.quiet_start, c.quiet_end)


def in_windows(now: datetime, windows: Iterable[Window]) -> bool:
    """True when ``now`` falls in one of ``windows`` (start inclusive, end exclusive)."""
    return any(now.weekday() in w.weekdays and w.start <= now.time() < w.end for w in windows)


Interval = tuple[datetime, datetime]


def _subtract(pieces: list[Interval], cut: Interval) -> list[Interval]:
    out: list[Interval] = []
    for start, end in pieces:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


def _blocked_on(day: date, settings: Settings) -> list[Interval]:
    """Times on ``day`` when no collection is suggested: quiet hours, no-collection, meals."""
    c = settings.contact
    midnight = datetime.combine(day, time(0))
    blocked: list[Interval] = []
    if c.quiet_start > c.quiet_end:
        blocked.append((midnight, datetime.combine(day, c.quiet_end)))
        blocked.append((datetime.combine(day, c.quiet_start), midnight + timedelta(days=1)))
    else:
        blocked.append((datetime.combine(day, c.quiet_start), datetime.combine(day, c.quiet_end)))
    for w in [*c.no_collection, *c.meal_and_rest]:
        if day.weekday() in w.weekdays:
            end = midnight + timedelta(days=1) if w.end == time(23, 59) else datetime.combine(day, w.end)
            blocked.append((datetime.combine(day, w.start), end))
    return blocked


def next_window(
    after: datetime,
    windows: Sequence[Window],
    settings: Settings,
    *,
    min_minutes: int = 15,
    horizon_days: int = 14,
) -> Interval | None:
    """The first stretch of ``windows`` at or after ``after`` that is clear of blocked times.

    Windows are clipped by quiet hours, no-collection windows and meal/rest
    times, so a company that widens a window in settings can never make Knock
    suggest 22:30. A stretch shorter than ``min_minutes`` is skipped: nobody
    should be sent to knock at 21:25 for a window that shuts at 21:30.
    Windows are wall-clock times, so the search runs on local time and the
    answer carries ``after``'s time zone, if it has one.
    """
    tz = after.tzinfo
    after = after.replace(tzinfo=None)
    for offset in range(horizon_days + 1):
        day = after.date() + timedelta(days=offset)
        spans: list[Interval] = []
        for w in windows:
            if day.weekday() in w.weekdays:
                spans.append((datetime.combine(day, w.start), datetime.combine(day, w.end)))
        for cut in _blocked_on(day, settings):
            spans = _subtract(spans, cut)
        for start, end in sorted(spans):
            start = max(start, after)
            if end - start >= timedelta(minutes=min_minutes):
                return (start.replace(tzinfo=tz), end.replace(tzinfo=tz))
    return None


# --------------------------------------------------------------------------- contacts


@dataclass(frozen=True)
class GuardWarning:
    """Why a contact at this moment is not advisable (or needed an override)."""

    code: Literal["quiet_hours", "outside_window", "no_collection", "meal_or_rest", "daily_cap", "cap_override"]
    zh: str
    en: str

    def get(self, locale: str) -> str:
        """The warning in ``locale``."""
        return self.en if locale == "en" else self.zh


@dataclass(frozen=True)
class Verdict:
    """The answer to "may I contact this household now?"."""

    allowed: bool
    warnings: tuple[GuardWarning, ...] = ()
    override_used: bool = False
    """True when a contact over the daily cap went ahead: the ledger logs the override."""

    @property
    def codes(self) -> tuple[str, ...]:
        """The warning codes, for tests and for the ledger's log."""
        return tuple(w.code for w in self.warnings)

    def to_dict(self, locale: str = "zh") -> dict[str, object]:
        """JSON-ready form."""
        return {
            "allowed": self.allowed,
            "override_used": self.override_used,
            "warnings": [{"code": w.code, "text": w.get(locale)} for w in self.warnings],
        }


def _hm(t: time) -> str:
    return t.strftime("%H:%M")


def contact_allowed(
    now: datetime,
    channel: ContactChannel,
    contacts_today: int,
    settings: Settings,
    *,
    override: bool = False,
) -> Verdict:
    """May a collector contact a household by ``channel`` at ``now``?

    ``contacts_today`` is how many contacts of this household were already
    made today (see :func:`knock.playbook.rules.contacts_today`). Time rules
    only warn; the daily cap blocks unless ``override`` is given, and then the
    verdict says so, so the ledger can log who overrode it.
    """
    c = settings.contact
    warnings: list[GuardWarning] = []
    if channel != "letter":
        if in_quiet_hours(now, settings):
            warnings.append(
                GuardWarning(
                    "quiet_hours",
                    f"现在是休息时间({_hm(c.quiet_start)}至{_hm(c.quiet_end)}),请不要上门或打电话。",
                    f"It is quiet hours ({_hm(c.quiet_start)} to {_hm(c.quiet_end)}); do not visit or call.",
                )
            )
        if in_windows(now, c.no_collection):
            warnings.append(
                GuardWarning("no_collection", "这个时段不催费(默认周日晚上)。", "No collection at this time (Sunday evening by default).")
            )
        if channel in ("door", "phone") and in_windows(now, c.meal_and_rest):
            warnings.append(
                GuardWarning("meal_or_rest", "现在是吃饭或午休时间,尽量不要打扰。", "It is a meal or rest time; avoid disturbing the household.")
            )
        windows = {"door": c.visit_windows, "phone": c.call_windows, "sms": c.sms_windows}[channel]
        if not in_windows(now, windows):
            what = {"door": ("上门", "visits"), "phone": ("催费电话", "collection calls"), "sms": ("短信", "texts")}[channel]
            warnings.append(
                GuardWarning(
                    "outside_window",
                    f"现在不在建议的{what[0]}时段内。",
                    f"This is outside the suggested time for {what[1]}.",
                )
            )
    if contacts_today >= c.daily_cap:
        if not override:
            return Verdict(
                allowed=False,
                warnings=(
                    *warnings,
                    GuardWarning(
                        "daily_cap",
                        f"今天已联系这一户{contacts_today}次,达到每天{c.daily_cap}次的上限;需要经理同意才能再联系。",
                        f"This household has been contacted {contacts_today} times today, the daily limit of {c.daily_cap}; a further contact needs a manager's approval.",
                    ),
                ),
            )
        warnings.append(
            GuardWarning(
                "cap_override",
                f"超过每天{c.daily_cap}次的上限,已按经理同意继续,此次会被记录。",
                f"Over the daily limit of {c.daily_cap}; going ahead on an override, which is logged.",
            )
        )
        return Verdict(allowed=True, warnings=tuple(warnings), override_used=True)
    return Verdict(allowed=True, warnings=tuple(warnings))


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Violation:
    """A forbidden suggestion found in a text."""

    category: Literal["utilities", "lockout", "shaming", "threat", "third_party_pressure", "deception", "harassment"]
    match: str
    text: str


_ZH_PATTERNS: dict[str, str] = {
    "utilities": r"(停|断|中断|切断|掐断|关掉|关闭|拉闸|限)[^,。;!?:,;!?]{0,3}(水|电|暖|气|热)|拉闸",
    "lockout": r"(停|锁|注销|禁用)[^,。;!?]{0,3}(门禁|电梯卡|梯控|门卡)|(门禁|电梯卡|梯控|门卡)[^,。;!?]{0,3}(停|锁|注销|禁用|关)|锁门|扣(留|押)[^,。;!?]{0,3}(车|钥匙|证)|不让[^,。;!?]{0,4}(进门|进小区|停车)",
    "shaming": r"曝光|黑名单|点名|欠费[^,。;!?]{0,4}名单|(公示|张贴|公开|贴出)[^,。;!?]{0,8}(欠费|名单|姓名|名字)",
    "threat": r"威胁|恐吓|吓唬|后果自负|走着瞧|别怪|给你好看|你等着|坐牢|拘留|征信|抓(你|人)",
    "third_party_pressure": r"施压|(找|去|到|通知|告诉)[^,。;!?]{0,6}(单位|领导|老板|同事)|(让|叫|找)[^,。;!?]{0,4}(父母|子女|亲戚|家人)[^,。;!?]{0,6}(还|交|缴|催|劝)",
    "deception": r"假装|假称|谎称|冒充|编造|欺骗|骗|撒谎|装作|伪装|查水表",
    "harassment": r"软磨硬泡|堵门|蹲守|深夜|半夜|一天打[^,。;!?]{0,3}(几|两|三|多)",
}

_EN_PATTERNS: dict[str, str] = {
    "utilities": (
        r"\b(cut|cutting|shut|shutting|turn|turning|switch|switching)\s+(off\s+)?(\w+\s+){0,3}?(water|power|electricity|heating|heat|gas)\b"
        r"|\b(water|power|electricity|heating|gas)\s+(will\s+be\s+|is\s+|gets\s+)?(cut|shut|turned|switched)\s+off"
        r"|\binterrupt\w*\s+(\w+\s+){0,3}(water|power|electricity|heating|gas)\b|\bdisconnect\w*|\bcut[- ]off\b"
    ),
    "lockout": r"\block\w*\s+(\w+\s+)?out\b|\b(disable|deactivate|cancel|block)\w*\s+(\w+\s+){0,2}(access|key ?cards?|lift cards?|elevator cards?)\b|\bclamp|\btow(ed|ing)?\b|\bhold\w*\s+back\s+(\w+\s+)?car",
    "shaming": r"\bshame|\bshaming|\bblacklist|\bname and shame|\bpost\w*\s+(\w+\s+){0,3}(names?|list)\b|\bpublic(ly)?\s+(list|name|expos)|\bexpos(e|ing)\b|\bname\s+(anyone|them|him|her)\b",
    "threat": r"\bthreat|\bor else\b|\byou'll regret|\bjail\b|\bprison\b|\barrest|\bcredit (record|score|rating)|\bwatch out\b|\bwe know where\b|\bintimidat|\bfrighten|\bscare",
    "third_party_pressure": r"\b(put|putting|apply|applying)\s+pressure\b|\bpressur(e|es|ed|ing)\s+(\w+\s+)?(owner|them|him|her|family|relatives|parents|employer)\b|\bpress\w*\s+(\w+\s+)?(family|relatives|parents|children|employer|boss)\b|\b(go|went|going)\s+to\s+(\w+\s+)?(workplace|employer|office of)|\b(tell|inform|call|contact)\w*\s+(\w+\s+){0,2}(employer|boss|colleagues)\b",
    "deception": r"\bpretend|\blie\b|\blies\b|\blying\b|\bfake\b|\bdeceiv|\bdeception|\btrick\b|\bmislead|\bmeter reading|\bimpersonat|\bposing as|\bmake up a reason|\bmade[- ]up",
    "harassment": r"\bkeep calling|\btimes a day\b|\bevery hour\b|\blate at night|\bmidnight\b|\bcamp\w*\s+outside|\bblock\w*\s+the door|\bharass",
}

_ZH_NEGATION = re.compile(r"绝不|决不|不得|禁止|严禁|切勿|不准|不许|从不|不可")
_EN_NEGATION = re.compile(r"\b(never|must not|mustn't|may not|forbid\w*|prohibit\w*)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[,。;!?:,;!?:\n]|(?<=[a-z])\.(\s|$)", re.IGNORECASE)

_COMPILED: list[tuple[str, re.Pattern[str]]] = [
    *((cat, re.compile(p)) for cat, p in _ZH_PATTERNS.items()),
    *((cat, re.compile(p, re.IGNORECASE)) for cat, p in _EN_PATTERNS.items()),
]


def _clause_start(text: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE.finditer(text, 0, pos):
        start = m.end()
    return start


def _is_prohibition(text: str, start: int) -> bool:
    """A match is a rule, not a suggestion, when its own clause opens with a firm negation."""
    clause = text[_clause_start(text, start) : start]
    return bool(_ZH_NEGATION.search(clause) or _EN_NEGATION.search(clause))


def scan_text(text: str) -> list[Violation]:
    """Forbidden suggestions in ``text`` (zh or en): an empty list means clean.

    A match inside a clause that is itself a firm prohibition ("绝不以中断供水
    的方式催费", "Never threaten anyone") is allowed, so the never list and the
    law can name what they forbid. Soft negations ("不", "don't") do not
    count: "不交就……" is exactly the kind of sentence this must catch.
    """
    found: list[Violation] = []
    for category, pattern in _COMPILED:
        for m in pattern.finditer(text):
            if not _is_prohibition(text, m.start()):
                found.append(Violation(category, m.group(0), text))  # type: ignore[arg-type]
    return found
