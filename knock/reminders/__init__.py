"""Reminders that go out: the day's SMS batch, the gateway, and the call list.

The playbook decides who needs a text or a call and when; this package turns
that into a batch an SMS platform imports (or a gateway sends), with the
guardrails applied before a message enters it, and into the call list the
customer-service staff work through. No screen or printer code here.
"""
