"""The thin layer the screens use to read and write the ledger, one module per screen.

Every function here touches SQLite, so screens call them from a thread worker
(``@work(thread=True)``), whose return value comes back through Textual's
``Worker.StateChanged`` (field_app/workers.py); none of them
knows about Textual. Reads return frozen values; writes go through
:class:`knock.core.ledger.Ledger` only, each outcome in one transaction, so a
confirmed outcome is on disk (WAL, synchronous=FULL) before the screen moves on.
Sums of money come from :mod:`knock.core.reports`, never from a query here.

- :mod:`.staff`: the sign-in list and the managers who may approve.
- :mod:`.advice`: the playbook's advice for the household screen.
- :mod:`.guard`: the contact guardrails as a banner and a block.
- :mod:`.today`: the day's list.
- :mod:`.household`: the household screen.
- :mod:`.outcomes`: saving an outcome.
- :mod:`.gate`: the gate lookup.
- :mod:`.end_of_day`: the end-of-day screen.
- :mod:`.calls`: call mode (the call list, revealing a number, a call's outcome).
"""
