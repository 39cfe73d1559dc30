"""Recording the texts that left: after a manual upload (``knock remind confirm FILE``).

Every message that left becomes a contact event carrying its template id, so
the daily cap, the playbook and the summary count it. The message id makes
it idempotent: the same batch confirmed twice, or sent and then confirmed,
is one contact. A file with a row the batch never had (an edited phone or
text) records nothing and says which row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from knock.core.ledger import Ledger
from knock.reminders.export import ExportError, ManifestEntry, manifest_path, read_manifest, rows_still_in


@dataclass(frozen=True)
class ConfirmResult:
    """What a confirm recorded."""

    recorded: tuple[str, ...]
    """Rooms newly recorded as texted."""
    already: tuple[str, ...]
    """Rooms whose text was already on record (confirmed or sent before)."""
    not_in_file: tuple[str, ...]
    """Rooms of the batch whose row was deleted from the file before upload: not recorded."""


def _entries_for(file: Path) -> tuple[list[ManifestEntry], list[ManifestEntry]]:
    """(the batch's messages, those still in the file)."""
    if file.name.endswith(".manifest.json"):
        _, entries = read_manifest(file)
        return entries, entries
    import json

    manifest = manifest_path(file)
    _, entries = read_manifest(manifest)
    try:
        columns = json.loads(manifest.read_text(encoding="utf-8")).get("columns", [])
    except (OSError, ValueError) as exc:
        raise ExportError(f"{manifest}: {exc}") from None
    found, problems = rows_still_in(file, entries, columns)
    if problems:
        raise ExportError("nothing was recorded:\n" + "\n".join(problems[:20]) + (f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""))
    return entries, found


def confirm_file(ledger: Ledger, file: Path, *, sender: str, at: datetime | None = None) -> ConfirmResult:
    """Record every text of the batch ``file`` (an import file or its manifest) as sent, all or nothing."""
    entries, found = _entries_for(file)
    recorded: list[str] = []
    already: list[str] = []
    when = at or ledger.now()
    with ledger.store.transaction():
        for e in found:
            new = ledger.record_message_sent(e.household_id, message_id=e.message_id, template=e.template, sender=sender, at=when, note="confirmed upload")
            (recorded if new else already).append(e.room)
    kept = {e.message_id for e in found}
    return ConfirmResult(tuple(recorded), tuple(already), tuple(e.room for e in entries if e.message_id not in kept))
