"""Opening a Knock home: the settings, the ledger file and this device's key, together.

This is the one app factory that the CLI, the field app, the printers and the
tests all use, so that they agree on where things are and how they are opened.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from knock import paths
from knock.core.journal import Clock, system_clock
from knock.core.ledger import DeviceIdentity, Ledger
from knock.core.signing import DeviceKey, ReceiptFields, open_device_key, public_key_b64, receipt_qr_text
from knock.core.store import Store
from knock.settings import Settings, load_settings


@dataclass
class Home:
    """Everything one laptop's Knock works with."""

    path: Path
    settings: Settings
    store: Store
    key: DeviceKey
    ledger: Ledger = field(repr=False)

    def close(self) -> None:
        """Close the ledger file."""
        self.store.close()


def device_identity(key: DeviceKey, name: str | None = None) -> DeviceIdentity:
    """This device's identity, derived from its key (the code is what receipts print)."""
    device_id = key.device_id
    name = name or socket.gethostname()
    return DeviceIdentity(device_id=device_id, device_code=device_id[1:7], name=name, public_key_b64=public_key_b64(key))


def ledger_for_key(store: Store, settings: Settings, key: DeviceKey, *, clock: Clock = system_clock, name: str | None = None) -> Ledger:
    """A ledger that writes as the device owning ``key`` and signs its receipts with it (registered on first use)."""
    identity = device_identity(key, name)

    def sign(receipt_no: str, amount_fen: int, room: str, issued_at: datetime) -> str:
        return receipt_qr_text(ReceiptFields(receipt_no, amount_fen, room, issued_at, identity.device_id), key)

    ledger = Ledger(store, settings, identity, clock=clock, receipt_signer=sign)
    if store.query_one("SELECT 1 FROM devices WHERE device_id = ?", (identity.device_id,)) is None:
        # A device first seen here: its public half (perhaps from device.pub) must be the key's own
        # before the ledger records it (KeyFileError otherwise), so an edited device.pub cannot
        # register a device whose receipts this laptop could never sign.
        _ = key.private_key
    ledger.ensure_device_registered()
    return ledger


def open_home(
    override: str | os.PathLike[str] | None = None, *, clock: Clock = system_clock, settings: Settings | None = None, device_name: str | None = None
) -> Home:
    """Open (creating if needed) the home folder, its settings, ledger and device key.

    ``device_name`` names this laptop when its key is first registered (default: the host name).
    """
    home = paths.home_dir(override)
    loaded = settings if settings is not None else load_settings(paths.settings_path(home))
    store = Store(paths.db_path(home))
    key = open_device_key(paths.device_key_path(home), paths.device_public_path(home))
    ledger = ledger_for_key(store, loaded, key, clock=clock, name=device_name)
    return Home(home, loaded, store, key, ledger)
