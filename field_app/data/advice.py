"""The playbook's advice for the household screen, and what to show when the playbook fails.

The advice itself is :class:`knock.advice.AdviceView`, the same typed view
``knock advise`` prints. A playbook failure (a broken content file) must not
take the screen down: the household is still shown, with the built-in
objection list for recording a refusal and the error in words.
"""

from __future__ import annotations

from datetime import datetime

from knock.advice import AdviceView, ObjectionView, advise
from knock.core.accounts import Household
from knock.home import Home

from field_app.i18n import N_, _

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


def fallback_objections() -> tuple[ObjectionView, ...]:
    """The built-in objection list, without answers (the playbook that has them failed)."""
    return tuple(ObjectionView(key, _(title), (), "none", "", (), False) for key, title in FALLBACK_OBJECTIONS)


def advice_or_error(home: Home, household: Household, now: datetime, locale: str, collector: str = "") -> tuple[AdviceView | None, str]:
    """The playbook's advice for a household, or None and why it is not available."""
    name = home.ledger.staff(collector).name if collector else None
    try:
        return advise(home, household, locale=locale, now=now, collector=name), ""
    except Exception as exc:  # noqa: BLE001 - any playbook failure is shown on the household screen, never a crash
        return None, _("Advice is not available: {error}").format(error=exc)


def never_say(locale: str) -> list[str]:
    """The playbook's list of things a collector must never say or do (empty when the playbook cannot be read)."""
    from knock.playbook.content import ContentError, load_playbook

    try:
        never = load_playbook().never
    except ContentError:
        return []
    return [t.get("en" if locale == "en" else "zh") for t in (*never.say, *never.do)]
