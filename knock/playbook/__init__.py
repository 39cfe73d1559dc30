"""The playbook: debtor types, next actions, what to say, and the guardrails.

Pure functions over :class:`~knock.playbook.facts.HouseholdFacts`, the
settings and the clock, plus the reviewed content under ``knock/templates/playbook``.
No screen, printer, CLI or database code is imported here: the field app, the
CLI and the ledger are clients.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "knock.playbook.content": ("ContentError", "Playbook", "Text", "load_playbook"),
    "knock.playbook.guardrails": ("Verdict", "Violation", "contact_allowed", "scan_text"),
    "knock.playbook.messages": ("MessageError", "fill", "render_message", "render_notice", "values_for"),
    "knock.playbook.rules": ("Advice", "advise", "contacts_today", "escalation_state", "visit_order"),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Each name is imported from its module when first asked for.

    Why: the ledger needs only the guardrails on every start; the reviewed
    content (YAML), the message templates and the rules load when a screen or
    command first uses them.
    """
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
