"""Handing the ledger's payments back to the billing system (``knock export payments``).

No click here: the CLI and any screen call
:func:`knock.exporting.payments.export_payments` and print what it returns.
This package's ``__init__`` imports nothing, because the settings model reads
:mod:`knock.exporting.fields` while the domain is still being imported.
"""
