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
from typing import TYPE_CHECKING, Literal

from knock.settings import Settings, Window

if TYPE_CHECKING:
    from knock.playbook.scanner import Violation

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

LETTER_STEPS = frozenset({"dunning_letter", "lawyer_letter"})
"""Escalation steps that put a letter through the door (the hand-over to legal does not)."""


def count_toward_cap(
    day: date,
    contacts: Iterable[tuple[datetime, str, str]],
    escalations: Iterable[tuple[datetime, str]] = (),
) -> int:
    """How many contacts of one household on ``day`` count toward the daily cap: the one rule.

    ``contacts`` are ``(at, channel, outcome)``; ``escalations`` are ``(at,
    step)``. Visits, calls, texts and letters count; notes are remarks, not
    contacts. A letter may be recorded as an escalation, as a contact on the
    letter channel, or both, so letters count as the larger of the two on
    that day, never twice. The ledger and the playbook's advice both call
    this, so the number a collector sees is the number the ledger enforces.
    """
    person = letters_logged = 0
    for at, channel, outcome in contacts:
        if at.date() != day or outcome == "note":
            continue
        if channel == "letter":
            letters_logged += 1
        else:
            person += 1
    letters_sent = sum(1 for at, step in escalations if at.date() == day and step in LETTER_STEPS)
    return person + max(letters_logged, letters_sent)



@dataclass(frozen=True)
class GuardWarning:
    """Why a contact at this moment is not advisable (or needed an override)."""

    code: Literal["quiet_hours", "quiet_override", "outside_window", "no_collection", "meal_or_rest", "daily_cap", "cap_override"]
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
    blocked_by: tuple[str, ...] = ()
    """The rules that stop this contact unless a manager overrides them ("quiet_hours", "daily_cap")."""
    overridden: tuple[str, ...] = ()
    """The rules a manager's override lifted for this contact (each is logged as an event)."""

    @property
    def codes(self) -> tuple[str, ...]:
        """The warning codes, for tests and for the ledger's log."""
        return tuple(w.code for w in self.warnings)

    def to_dict(self, locale: str = "zh") -> dict[str, object]:
        """JSON-ready form."""
        return {
            "allowed": self.allowed,
            "override_used": self.override_used,
            "blocked_by": list(self.blocked_by),
            "overridden": list(self.overridden),
            "warnings": [{"code": w.code, "text": w.get(locale)} for w in self.warnings],
        }

    def texts(self, locale: str = "zh") -> tuple[str, ...]:
        """Every warning in ``locale``, for the person about to act."""
        return tuple(w.get(locale) for w in self.warnings)


def _hm(t: time) -> str:
    return t.strftime("%H:%M")


def contact_allowed(
    now: datetime,
    channel: ContactChannel,
    contacts_today: int,
    settings: Settings,
    *,
    override: bool = False,
    quiet_override: bool = False,
) -> Verdict:
    """May a collector contact a household by ``channel`` at ``now``?

    ``contacts_today`` is how many contacts of this household were already
    made today (see :func:`count_toward_cap`). Quiet hours block a visit,
    call or text unless ``quiet_override`` (a manager, with a reason) is
    given; the daily cap blocks unless ``override`` is given. Sunday
    evening, meal times and contacts outside the suggested windows only
    warn, and every warning is in the verdict for the screen, the CLI's text
    and its ``--json`` to show to the person acting.
    """
    c = settings.contact
    warnings: list[GuardWarning] = []
    blocked: list[str] = []
    lifted: list[str] = []
    if channel != "letter":
        if in_quiet_hours(now, settings):
            if quiet_override:
                lifted.append("quiet_hours")
                warnings.append(
                    GuardWarning(
                        "quiet_override",
                        f"现在是休息时间（{_hm(c.quiet_start)}至{_hm(c.quiet_end)}），经理已同意并写明原因，此次会被记录。",
                        f"It is quiet hours ({_hm(c.quiet_start)} to {_hm(c.quiet_end)}); a manager approved it with a reason, and this is logged.",
                    )
                )
            else:
                blocked.append("quiet_hours")
                warnings.append(
                    GuardWarning(
                        "quiet_hours",
                        f"现在是休息时间（{_hm(c.quiet_start)}至{_hm(c.quiet_end)}），不能上门、打电话或发短信；业主本人要求的，需经理输入密码并写明原因。",
                        f"It is quiet hours ({_hm(c.quiet_start)} to {_hm(c.quiet_end)}): no visits, calls or texts. If the owner asked for it, a manager must approve with their PIN and a reason.",
                    )
                )
        if in_windows(now, c.no_collection):
            warnings.append(
                GuardWarning("no_collection", "这个时段不催费（默认周日晚上）。", "No collection at this time (Sunday evening by default).")
            )
        if channel in ("door", "phone") and in_windows(now, c.meal_and_rest):
            warnings.append(
                GuardWarning("meal_or_rest", "现在是吃饭或午休时间，尽量不要打扰。", "It is a meal or rest time; avoid disturbing the household.")
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
            blocked.append("daily_cap")
            warnings.append(
                GuardWarning(
                    "daily_cap",
                    f"今天已联系这一户{contacts_today}次，达到每天{c.daily_cap}次的上限；需要经理同意才能再联系。",
                    f"This household has been contacted {contacts_today} times today, the daily limit of {c.daily_cap}; a further contact needs a manager's approval.",
                )
            )
        else:
            lifted.append("daily_cap")
            warnings.append(
                GuardWarning(
                    "cap_override",
                    f"超过每天{c.daily_cap}次的上限，已按经理同意继续，此次会被记录。",
                    f"Over the daily limit of {c.daily_cap}; going ahead on an override, which is logged.",
                )
            )
    return Verdict(
        allowed=not blocked,
        warnings=tuple(warnings),
        override_used="daily_cap" in lifted,
        blocked_by=tuple(blocked),
        overridden=tuple(lifted),
    )


def free_text_reminder(text: str, locale: str = "zh") -> tuple[str, ...]:
    """The gentle reminders for a note, complaint or follow-up a person just typed (empty when clean).

    The ledger flags the same text to the manager with :func:`scan_text`;
    this is what the person who typed it sees, one line per rule touched.
    """
    from knock.playbook.content import load_playbook

    found = dict.fromkeys(v.category for v in scan_text(text))
    if not found:
        return ()
    reminders = load_playbook().never.reminders
    return tuple(reminders[c].get(locale) for c in found if c in reminders)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- content


# The forbidden-content scanner lives in knock.playbook.scanner; it is offered here too because
# the guardrails are where callers look for "what Knock may never say". Imported on first use:
# its word patterns compile when it loads, and every command that opens the ledger imports this
# module (the field app's first frame should not wait for a scanner no screen has used yet).


def scan_text(text: str) -> list[Violation]:
    """:func:`knock.playbook.scanner.scan_text`: forbidden suggestions in ``text`` (empty when clean)."""
    from knock.playbook.scanner import scan_text as scan

    return scan(text)


def __getattr__(name: str) -> object:
    if name == "Violation":
        from knock.playbook.scanner import Violation

        return Violation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["LETTER_STEPS", "GuardWarning", "count_toward_cap", "free_text_reminder", "Verdict", "Violation", "contact_allowed", "in_quiet_hours", "in_windows", "next_window", "scan_text"]
