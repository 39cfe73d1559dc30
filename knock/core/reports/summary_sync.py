"""What the nightly summary needs from sync, behind one small typed provider.

Three figures of the summary come from the end-of-day merge rather than from
the ledger's own projections: the cash each team lead counted, the laptops
that have not synced today, and the sync review items still open. The summary
asks a :class:`SyncFacts` for them, so it does not care how sync stores them.
Until a home has sync tables, :class:`NoSyncYet` answers, and the printout
says "not available" instead of printing zeros that look like facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from knock.core.store import Store


@dataclass(frozen=True)
class CashCount:
    """Cash a team lead counted from one collector at the end of the day."""

    staff_id: str
    counted_fen: int
    counted_by: str
    """Name of the team lead who counted it."""
    counted_at: datetime | None = None


@dataclass(frozen=True)
class UnsyncedDevice:
    """A laptop whose work of the day has not reached this ledger."""

    device_id: str
    name: str
    last_synced_at: datetime | None
    """When its last file was merged or it last synced; None: never."""
    staff_ids: tuple[str, ...] = ()
    """Who carried it today, when known (their rows in the summary name it)."""


@dataclass(frozen=True)
class ReviewItem:
    """Something a merge could not decide alone and left for a person."""

    item_id: str
    kind: str
    description: str
    opened_at: datetime | None
    device_name: str = ""


class SyncFacts(Protocol):
    """The provider the summary reads sync figures from."""

    @property
    def available(self) -> bool:
        """False when this home has no sync records at all (the figures are unknown, not zero)."""
        ...

    def cash_counts(self, day: date) -> Mapping[str, CashCount]:
        """staff_id -> the cash counted from that collector on ``day``."""
        ...

    def devices_not_synced(self, day: date) -> Sequence[UnsyncedDevice]:
        """Laptops with no merge or sync on ``day``."""
        ...

    def open_review_items(self, day: date) -> Sequence[ReviewItem]:
        """Review items opened on or before ``day`` and not yet resolved."""
        ...


class NoSyncYet:
    """The provider for a home without sync records: everything unknown."""

    available = False

    def cash_counts(self, day: date) -> Mapping[str, CashCount]:
        """Nothing counted."""
        return {}

    def devices_not_synced(self, day: date) -> Sequence[UnsyncedDevice]:
        """No devices known to sync."""
        return ()

    def open_review_items(self, day: date) -> Sequence[ReviewItem]:
        """No review queue."""
        return ()


@dataclass(frozen=True)
class FixedSyncFacts:
    """Sync figures given as values: for tests and for callers that already have them."""

    counts: Mapping[str, CashCount]
    unsynced: Sequence[UnsyncedDevice] = ()
    review: Sequence[ReviewItem] = ()
    available: bool = True

    def cash_counts(self, day: date) -> Mapping[str, CashCount]:
        """The counts given."""
        return self.counts

    def devices_not_synced(self, day: date) -> Sequence[UnsyncedDevice]:
        """The devices given."""
        return self.unsynced

    def open_review_items(self, day: date) -> Sequence[ReviewItem]:
        """The review items given."""
        return self.review


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class LedgerSyncFacts:
    """Sync figures from the office ledger's sync tables, through :mod:`sync.status` (the contract with sync)."""

    available = True

    def __init__(self, store: Store) -> None:
        self.store = store

    def cash_counts(self, day: date) -> Mapping[str, CashCount]:
        """The latest count per collector for ``day``; the lead is named, not given by id."""
        from sync import status

        names = {r["staff_id"]: r["name"] for r in self.store.query("SELECT staff_id, name FROM staff")}
        return {
            c.collector_id: CashCount(c.collector_id, c.counted_fen, names.get(c.counted_by, c.counted_by), _moment(c.counted_at))
            for c in status.cash_counts(self.store, day)
        }

    def devices_not_synced(self, day: date) -> Sequence[UnsyncedDevice]:
        """Enrolled laptops with no merge on ``day``, each with the staff member who last wrote on it."""
        from sync import status

        found = []
        for d in status.devices_not_synced(self.store, day):
            last = self.store.scalar("SELECT author FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", (d.device_id,))
            found.append(UnsyncedDevice(d.device_id, d.name, _moment(d.last_merged_at), (last,) if last else ()))
        return found

    def open_review_items(self, day: date) -> Sequence[ReviewItem]:
        """Flags still open and raised by the end of ``day``."""
        from sync import status

        names = {r["device_id"]: r["name"] for r in self.store.query("SELECT device_id, name FROM device_enrolments")}
        return [
            ReviewItem(f.flag_id, f.kind, f.message, _moment(f.raised_at), names.get(f.device_id, f.device_id))
            for f in status.open_flags(self.store)
            if f.raised_at[:10] <= day.isoformat()
        ]


def sync_facts_for(store: Store) -> SyncFacts:
    """The sync provider for a ledger: its sync tables when the schema has them, else :class:`NoSyncYet`."""
    has_tables = store.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('cash_counts', 'sync_merges', 'sync_flags', 'device_enrolments')")
    return LedgerSyncFacts(store) if int(has_tables) == 4 else NoSyncYet()
