"""The playbook's advice for a household, ready for the household screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from knock.core.accounts import Household
from knock.home import Home

from field_app.i18n import N_, _


@dataclass(frozen=True)
class ObjectionView:
    """An objection an owner may raise, with the polite answer and what to do next."""

    key: str
    title: str
    answer: str = ""
    follow_up: str = ""
    """Label of the suggested follow-up action."""
    follow_up_action: str = ""
    """Outcome key the follow-up leads to (e.g. ``complaint``, ``promised``), or empty."""


@dataclass(frozen=True)
class CardView:
    """A talking-point card."""

    title: str
    text: str


@dataclass(frozen=True)
class AdviceView:
    """What the playbook says about a household, ready to show."""

    debtor_type: str = ""
    debtor_label: str = "—"
    reasons: tuple[str, ...] = ()
    next_action: str = ""
    next_action_label: str = "—"
    window: str = ""
    cards: tuple[CardView, ...] = ()
    objections: tuple[ObjectionView, ...] = ()
    alerts: tuple[str, ...] = ()


FALLBACK_OBJECTIONS = (
    ("what_for", N_("What does the fee pay for?")),
    ("defect", N_("The building has defects")),
    ("vacant", N_("I don't live here")),
    ("bad_service", N_("The service is bad")),
    ("theft", N_("Something was stolen")),
    ("outage", N_("Water or power was cut")),
    ("no_money", N_("No money right now")),
    ("what_can_you_do", N_("What can you do to me?")),
    ("other", N_("Other reason")),
)
"""Used only while the playbook's objection list is not available."""


def _text(value: Any, locale: str) -> str:
    """A playbook text that may be a plain string or a {zh:, en:} mapping."""
    if isinstance(value, dict):
        return str(value.get(locale) or value.get("zh") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def advice_from_dict(data: dict[str, Any], locale: str) -> AdviceView:
    """Read ``Advice.to_dict(locale)`` (knock.playbook.rules) into what the screens show."""
    types = [t for t in data.get("types") or [] if isinstance(t, dict)]
    lead = types[0] if types else {}
    action = data.get("next_action") or {}
    if isinstance(action, str):
        action = {"key": action, "label": action}
    window = action.get("window") or {}
    cards = tuple(
        CardView(_text(c.get("title"), locale), "\n".join(_text(line, locale) for line in c.get("lines") or [c.get("text", "")]))
        for c in data.get("cards") or []
        if isinstance(c, dict)
    )
    objections = tuple(
        ObjectionView(
            key=str(o.get("key", "")),
            title=_text(o.get("says") or o.get("title"), locale),
            answer="\n".join(_text(line, locale) for line in (o.get("answer") if isinstance(o.get("answer"), list) else [o.get("answer")]) if line),
            follow_up=_text(o.get("follow_up_label"), locale),
            follow_up_action=str(o.get("follow_up") or ""),
        )
        for o in data.get("objections") or []
        if isinstance(o, dict)
    )
    reasons = [*(lead.get("reasons") or []), *(action.get("reasons") or [])]
    label = " / ".join(_text(t.get("name"), locale) for t in types[:2]) or (_("Paid up") if not types else "—")
    return AdviceView(
        debtor_type=str(lead.get("key", "")),
        debtor_label=label,
        reasons=tuple(_text(r, locale) for r in reasons),
        next_action=str(action.get("key", "")),
        next_action_label=_text(action.get("label"), locale) or "—",
        window=_text(window.get("label") if isinstance(window, dict) else window, locale),
        cards=cards,
        objections=objections or tuple(ObjectionView(k, _(t)) for k, t in FALLBACK_OBJECTIONS),
        alerts=tuple(_text(a, locale) for a in data.get("alerts") or []),
    )


def _advise(home: Home, household: Household, now: datetime, collector: str) -> Any:
    """The playbook's ``Advice`` for one household, on the ledger's (aware) clock."""
    from knock.advice import advise_household

    name = home.ledger.staff(collector).name if collector else None
    return advise_household(home, household, now=now, collector=name).advice


def advice_for(home: Home, household: Household, now: datetime, locale: str, collector: str = "") -> AdviceView:
    """The playbook's advice for a household, ready to show.

    A playbook failure must not take the screen down: the household is still
    shown (with the built-in objection list) and the error is shown as an alert.
    """
    try:
        return advice_from_dict(_advise(home, household, now, collector).to_dict(locale), locale)
    except Exception as exc:  # noqa: BLE001 - shown as an alert on the household screen
        return AdviceView(
            objections=tuple(ObjectionView(k, _(t)) for k, t in FALLBACK_OBJECTIONS),
            alerts=(_("Advice is not available: {error}").format(error=exc),),
        )


def never_say(locale: str) -> list[str]:
    """The playbook's list of things a collector must never say or do."""
    try:
        from knock.playbook.content import load_playbook

        never = load_playbook().never
    except Exception:  # noqa: BLE001 - the help screen shows a built-in reminder instead
        return []
    return [t.get(locale) for t in (*never.say, *never.do)]
