"""The playbook: debtor types, next actions, what to say, and the guardrails.

Pure functions over :class:`~knock.playbook.facts.HouseholdFacts`, the
settings and the clock, plus the reviewed content under ``knock/templates/playbook``.
No screen, printer, CLI or database code is imported here: the field app, the
CLI and the ledger are clients.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knock.playbook.content import ContentError, Playbook, Text, load_playbook
    from knock.playbook.guardrails import Verdict, Violation, contact_allowed, scan_text
    from knock.playbook.messages import MessageError, fill, render_message, render_notice, values_for
    from knock.playbook.rules import Advice, advise, contacts_today, escalation_state, visit_order

_HOMES = {
    "content": ("ContentError", "Playbook", "Text", "load_playbook"),
    "guardrails": ("Verdict", "Violation", "contact_allowed", "scan_text"),
    "messages": ("MessageError", "fill", "render_message", "render_notice", "values_for"),
    "rules": ("Advice", "advise", "contacts_today", "escalation_state", "visit_order"),
}
"""Which submodule each name below comes from. They are imported on first use
(PEP 562), so importing one submodule (the ledger needs only the guardrails)
does not load the content, its YAML and the rules with it."""
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
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
