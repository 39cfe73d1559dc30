"""The playbook: debtor types, next actions, what to say, and the guardrails.

Pure functions over :class:`~knock.playbook.facts.HouseholdFacts`, the
settings and the clock, plus the reviewed content under ``knock/templates/playbook``.
No screen, printer, CLI or database code is imported here: the field app, the
CLI and the ledger are clients.
"""

from __future__ import annotations

from knock.playbook.content import ContentError, Playbook, Text, load_playbook
from knock.playbook.guardrails import Verdict, Violation, contact_allowed, scan_text
from knock.playbook.messages import MessageError, fill, render_message, render_notice, values_for
from knock.playbook.rules import Advice, advise, contacts_today, escalation_state, visit_order

__all__ = [
    "Advice",
    "ContentError",
    "MessageError",
    "Playbook",
    "Text",
    "Verdict",
    "Violation",
    "advise",
    "contact_allowed",
    "contacts_today",
    "escalation_state",
    "fill",
    "load_playbook",
    "render_message",
    "render_notice",
    "scan_text",
    "values_for",
    "visit_order",
]
