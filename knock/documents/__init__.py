"""Printed documents: receipts, door notices and letters.

The only part of Knock that imports WeasyPrint or qrcode. The ledger fills the
frozen views in :mod:`knock.documents.views`; :mod:`knock.documents.render`
turns them into PDF bytes; :mod:`knock.documents.printing` prints or saves.
"""
