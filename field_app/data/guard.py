"""Whether a contact may happen now: the playbook's guardrails as a banner and a block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from knock.playbook.guardrails import contact_allowed
from knock.settings import Settings

from field_app.i18n import _, get_locale


@dataclass(frozen=True)
class Guard:
    """Whether a contact may happen now, and what to show."""

    warnings: tuple[str, ...] = ()
    """Shown in the banner."""
    codes: tuple[str, ...] = ()
    """Stored with the contact."""
    blocked: bool = False
    reason: str = ""
    contacts_today: int = 0
    cap: int = 0


def contact_guard(settings: Settings, now: datetime, contacts_today: int, channel: str = "door") -> Guard:
    """The playbook's guardrails (quiet hours, best windows, daily cap) as a banner and a block."""
    cap = settings.contact.daily_cap
    verdict = contact_allowed(now, channel, contacts_today, settings)  # type: ignore[arg-type]
    locale = get_locale()
    shown = [w for w in verdict.warnings if w.code != "daily_cap"]
    cap_warning = next((w for w in verdict.warnings if w.code == "daily_cap"), None)
    blocked = not verdict.allowed
    reason = cap_warning.get(locale) if cap_warning else ""
    if blocked and not reason:
        reason = _("Already contacted {n} times today (limit {cap}); a manager must approve another contact.").format(n=contacts_today, cap=cap)
    return Guard(tuple(w.get(locale) for w in shown), tuple(w.code for w in shown), blocked, reason, contacts_today, cap)
