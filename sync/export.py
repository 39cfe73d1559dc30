"""The laptop's side of a sync file: write today's file, find where to write it.

Exporting twice is safe: the file holds every event not yet acknowledged by the office, so
a second export the same day is the first one plus anything new, and replaces it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from knock.home import Home
from sync.devices import office_pin
from sync.files import Manifest, build_sync_bytes, sync_file_name, write_atomically


@dataclass(frozen=True)
class Exported:
    """Where the file went and what it holds."""

    path: Path
    manifest: Manifest
    size: int


def acknowledged_seq(home: Home) -> int:
    """How far the office has acknowledged this laptop's own chain (0 before any acknowledgement)."""
    value = home.store.scalar("SELECT seq FROM sync_marks WHERE device_id = ?", (home.ledger.device.device_id,))
    return int(value or 0)


def device_name(home: Home) -> str:
    """The name the office enrolled this laptop under (its host name before it joined)."""
    pin = office_pin(home.store)
    return pin.device_name if pin is not None else home.ledger.device.name


def export_sync_file(home: Home, folder: Path) -> Exported:
    """Write this laptop's sync file for today into ``folder`` (atomically) and return it."""
    now = home.ledger.now()
    data, manifest = build_sync_bytes(home.store, home.key, device_name=device_name(home), created_at=now, after_seq=acknowledged_seq(home))
    path = Path(folder) / sync_file_name(manifest.device_name, now.date().isoformat())
    write_atomically(path, data)
    return Exported(path, manifest, len(data))


def removable_folders() -> list[Path]:
    """Mounted removable drives (USB sticks) a person would write to, most likely first.

    Desktop Linux mounts them under /media/USER/LABEL or /run/media/USER/LABEL; anything
    writable there counts.
    """
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or ""
    found: list[Path] = []
    for base in (Path("/media") / user, Path("/run/media") / user, Path("/media")):
        try:
            entries = sorted(base.iterdir()) if base.is_dir() else []
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and os.path.ismount(entry) and os.access(entry, os.W_OK) and entry not in found:
                found.append(entry)
    return found


def record_acknowledgement(home: Home, seq: int, hash_: str, source: str) -> None:
    """Remember that the office holds this laptop's events up to ``seq`` (never moves backwards)."""
    device = home.ledger.device.device_id
    row = home.store.query_one("SELECT hash FROM events WHERE device_id = ? AND seq = ?", (device, seq))
    if row is None or row["hash"] != hash_:
        from sync.errors import SyncError

        raise SyncError(f"{source}: acknowledges event {seq} of this laptop, which it does not hold (or holds differently)")
    with home.store.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_marks (device_id, seq, hash, marked_at, source) VALUES (?,?,?,?,?)"
            " ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, marked_at = excluded.marked_at,"
            " source = excluded.source WHERE excluded.seq > sync_marks.seq",
            (device, seq, hash_, home.ledger.now().isoformat(timespec="seconds"), source),
        )
