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
    needs_reason: bool = False
    """Quiet hours: the manager's override must say why (the owner asked to be seen at 22:15)."""


def contact_guard(settings: Settings, now: datetime, contacts_today: int, channel: str = "door") -> Guard:
    """The playbook's guardrails (quiet hours and the daily cap block; the rest warn) as a banner and a block."""
    cap = settings.contact.daily_cap
    verdict = contact_allowed(now, channel, contacts_today, settings)  # type: ignore[arg-type]
    locale = get_locale()
    blocking = [w for w in verdict.warnings if w.code in verdict.blocked_by]
    shown = [w for w in verdict.warnings if w.code not in verdict.blocked_by]
    blocked = not verdict.allowed
    reason = " ".join(w.get(locale) for w in blocking)
    if blocked and not reason:
        reason = _("Already contacted {n} times today (limit {cap}); a manager must approve another contact.").format(n=contacts_today, cap=cap)
    return Guard(
        tuple(w.get(locale) for w in shown),
        tuple(w.code for w in verdict.warnings),
        blocked,
        reason,
        contacts_today,
        cap,
        needs_reason="quiet_hours" in verdict.blocked_by,
    )
