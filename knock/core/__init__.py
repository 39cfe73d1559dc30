"""The domain core: money, events, the ledger and its projections.

Nothing under this package imports Textual, WeasyPrint or click. Screens,
printers, the CLI and the sync code are clients of it.
"""
