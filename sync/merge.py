"""Merging sync files into the office ledger: integrity first, then one transaction per file.

A file is refused whole, with an exact reason, when it cannot be trusted: unknown or revoked
device, bad signature, truncated or corrupted, a gap before it in the device's chain, a hash
that does not match, an event that contradicts one already merged. A trusted file is merged in
one transaction (killed at any moment, it is merged fully or not at all; merging it again
completes it), through the ledger's bulk path. Money is never refused once it was taken at a
door: what needs a person becomes a *flag* (an event, kept until someone resolves it with a
reason), and an event the office cannot apply yet is set aside (*parked*) without blocking the
rest of the file, and applied by a later merge once the reason is fixed.

Files merge in any order and any number of times with the same result: a file already merged
is a no-op, and files of one device given in the same run are put in chain order first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from knock.core.money import format_yuan
from knock.core.events import GENESIS, ChainError, Event, EventConflict, EventKind as K
from knock.core.journal import new_id
from knock.core.ledger import Ledger
from knock.core.projections import PROJECTORS, project
from knock.core.signing import public_key_from_b64
from knock.core.store import Store
from sync.devices import find_device
from sync.errors import FileRefused
from sync.flag_text import Joined, Reason, Text, both
from sync.files import SUFFIX, SyncFile, SyncHead, read_sync_bytes, read_sync_file, read_sync_head

Status = Literal["merge", "already_merged", "refused"]


@dataclass
class FileVerdict:
    """What the merge says (or did) about one file."""

    source: str
    status: Status
    reason: str = ""
    device_id: str = ""
    device_name: str = ""
    first_seq: int = 0
    last_seq: int = 0
    count: int = 0
    new_events: int = 0
    created_at: str = ""
    collectors: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)
    applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        """For --json."""
        return dict(self.__dict__)


@dataclass
class MergeRun:
    """Verdicts of one run, in the order the files were (or would be) applied."""

    verdicts: list[FileVerdict]
    dry_run: bool
    merged_at: str
    unparked: int = 0

    @property
    def refused(self) -> list[FileVerdict]:
        """Files that were not merged."""
        return [v for v in self.verdicts if v.status == "refused"]

    def to_dict(self) -> dict[str, Any]:
        """For --json."""
        return {"dry_run": self.dry_run, "merged_at": self.merged_at, "unparked": self.unparked, "files": [v.to_dict() for v in self.verdicts]}


def expand_sources(sources: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the sync files in it (sorted by name)."""
    found: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.name.endswith(SUFFIX) and p.is_file()))
        else:
            found.append(path)
    return found


def _head(store: Store, device_id: str) -> tuple[int, str]:
    row = store.query_one("SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", (device_id,))
    return (0, GENESIS) if row is None else (int(row["seq"]), str(row["hash"]))


def _stored_hash(store: Store, device_id: str, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    return store.scalar("SELECT hash FROM events WHERE device_id = ? AND seq = ?", (device_id, seq))


def _base_verdict(sync_file: SyncFile | SyncHead) -> FileVerdict:
    m = sync_file.manifest
    return FileVerdict(
        sync_file.source, "merge", device_id=m.device_id, device_name=m.device_name, first_seq=m.first_seq, last_seq=m.last_seq,
        count=m.count, created_at=m.created_at, collectors=[c["name"] for c in m.collectors],
    )


def _trust(store: Store, sync_file: SyncFile | SyncHead) -> str:
    """The enrolled name of the file's device, or FileRefused (unknown, revoked, bad signature)."""
    m = sync_file.manifest
    enrolled = find_device(store, m.device_id)
    if enrolled is None or enrolled.device_id != m.device_id:
        raise FileRefused(f"{sync_file.source}: unknown device {m.device_name or '?'} ({m.device_id}): not enrolled with this office")
    if not enrolled.active:
        raise FileRefused(f"{sync_file.source}: device {enrolled.name} was revoked on {str(enrolled.revoked_at)[:10]}; its files are refused")
    sync_file.verify_signature(public_key_from_b64(enrolled.public_key))
    return enrolled.name


def _classify(sync_file: SyncFile, name: str, head: tuple[int, str], lookup: Any) -> tuple[Status, str, int]:
    """(status, reason, index of the first new event) against the device's current head."""
    m = sync_file.manifest
    head_seq, head_hash = head
    if m.last_seq <= head_seq:
        if lookup(m.last_seq) != m.head_hash:
            return "refused", f"{sync_file.source}: device {name}: event {m.last_seq} differs from the one already merged (conflict; nothing overwritten)", 0
        return "already_merged", f"device {name}: events {m.first_seq}-{m.last_seq} are already merged", len(sync_file.events)
    first_needed = head_seq + 1
    if m.first_seq > first_needed:
        return "refused", f"{sync_file.source}: device {name}: events {first_needed}-{m.first_seq - 1} missing; merge the file that holds them first", 0
    # The file overlaps what is here or continues it: the shared point must agree.
    if m.first_seq == first_needed:
        agrees = m.prev_hash == head_hash
    else:
        agrees = sync_file.events[head_seq - m.first_seq].hash == head_hash
    if not agrees:
        return "refused", f"{sync_file.source}: device {name}: event {head_seq} differs from the one already merged (conflict; nothing overwritten)", 0
    return "merge", "", first_needed - m.first_seq


class Merger:
    """Merges sync files into one office ledger, written as ``author`` (the team lead, or "office")."""

    def __init__(self, office: Ledger, *, author: str = "office") -> None:
        self.office = office
        self.store = office.store
        self.author = author

    # -- planning --------------------------------------------------------------------------

    def _read(self, source: Path | tuple[str, bytes]) -> SyncFile:
        if isinstance(source, tuple):
            return read_sync_bytes(source[1], source[0])
        return read_sync_file(source)

    def _read_head(self, source: Path | tuple[str, bytes]) -> SyncHead:
        if isinstance(source, tuple):
            return read_sync_head(source[1], source[0])
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise FileRefused(f"{source}: cannot read the file ({exc.strerror or exc})") from None
        return read_sync_head(data, str(source))

    def _load(self, sources: Sequence[Path | tuple[str, bytes]]) -> list[tuple[FileVerdict, Path | tuple[str, bytes] | None, str, str]]:
        """A first look at every file (manifest, signature), in the order they will be applied.

        Each entry carries the SHA-256 of the bytes whose signature was checked, so that the
        second, full read can prove it reads the same file (not one swapped in meanwhile).
        """
        loaded: list[tuple[FileVerdict, Path | tuple[str, bytes] | None, str, str]] = []
        for source in sources:
            label = source[0] if isinstance(source, tuple) else str(source)
            try:
                light = self._read_head(source)
            except FileRefused as exc:
                loaded.append((FileVerdict(label, "refused", str(exc)), None, "", ""))
                continue
            verdict = _base_verdict(light)
            try:
                name = _trust(self.store, light)
            except FileRefused as exc:
                verdict.status, verdict.reason = "refused", str(exc)
                loaded.append((verdict, None, "", ""))
                continue
            verdict.device_name = name
            loaded.append((verdict, source, name, light.sha256))
        # Chain order within each device, so files given out of order in one run still merge.
        loaded.sort(key=lambda item: (item[1] is None, item[0].device_id, item[0].first_seq, item[0].last_seq))
        return loaded

    def run(self, sources: Sequence[Path | tuple[str, bytes]], *, dry_run: bool = False) -> MergeRun:
        """Check every file, then (unless ``dry_run``) merge the good ones, one transaction each."""
        if dry_run:
            return self._run(sources, dry_run=True)
        with _fewer_checkpoints(self.store):
            return self._run(sources, dry_run=False)

    def _run(self, sources: Sequence[Path | tuple[str, bytes]], *, dry_run: bool) -> MergeRun:
        merged_at = self.office.now().isoformat(timespec="seconds")
        loaded = self._load(sources)
        verdicts: list[FileVerdict] = []
        simulated: dict[str, tuple[int, str]] = {}
        sim_hashes: dict[tuple[str, int], str] = {}
        for verdict, source, name, checked_sha256 in loaded:
            verdicts.append(verdict)
            if source is None:
                continue
            try:
                sync_file = self._read(source)
            except FileRefused as exc:
                verdict.status, verdict.reason = "refused", str(exc)
                continue
            if sync_file.sha256 != checked_sha256:
                verdict.status, verdict.reason = "refused", f"{sync_file.source}: file changed while it was being merged; merge it again"
                continue
            device = verdict.device_id
            if dry_run:
                head = simulated.get(device) or _head(self.store, device)

                def lookup(seq: int, device: str = device) -> str | None:
                    return sim_hashes.get((device, seq)) or _stored_hash(self.store, device, seq)

                status, reason, start = _classify(sync_file, name, head, lookup)
                verdict.status, verdict.reason = status, reason
                if status == "merge":
                    verdict.new_events = len(sync_file.events) - start
                    for e in sync_file.events:
                        sim_hashes[(device, e.seq)] = e.hash
                    simulated[device] = (sync_file.manifest.last_seq, sync_file.manifest.head_hash)
                    verdict.flags = [Text("would_check", message=text).render() for _, text, _ in self._clock_flags(sync_file.events[start:], sync_file.manifest.created_at, name, merged_at)]
                continue
            self._apply(verdict, sync_file, name, merged_at)
        unparked = 0 if dry_run else self.retry_parked()
        return MergeRun(verdicts, dry_run, merged_at, unparked)

    # -- applying ----------------------------------------------------------------------------

    def _apply(self, verdict: FileVerdict, sync_file: SyncFile, name: str, merged_at: str) -> None:
        device = verdict.device_id
        try:
            with self.store.transaction():
                status, reason, start = _classify(sync_file, name, _head(self.store, device), lambda seq: _stored_hash(self.store, device, seq))
                verdict.status, verdict.reason = status, reason
                if status == "refused":
                    return
                new = sync_file.events[start:]
                payloads = sync_file.payload_json[start:]
                checker = _Precheck(self.store)
                checker.prefetch(new)
                result = self.office.journal.ingest_many(new, payload_json=payloads, precheck=checker, hashes_checked=sync_file.hashes_checked)
                verdict.new_events = len(result.added)
                flags: list[dict[str, Any]] = []
                office_events: list[tuple[str, dict[str, Any], str]] = []
                for event, why in result.parked:
                    office_events.append(
                        (K.SYNC_PARKED, {"event_id": event.event_id, "device_id": device, "seq": event.seq, "reason": why}, self.author)
                    )
                    verdict.parked.append(f"device {name} event {event.seq} ({event.kind}): {why}")
                    kind = "receipt_duplicate" if getattr(why, "text", None) is not None and why.text.key == "reason_receipt_twice" else "unapplied"
                    flags.append(_flag_payload(kind, event, Text("set_aside", device=name, seq=event.seq, kind=event.kind, reason=why), {"reason": str(why)}))
                parked_ids = {e.event_id for e, _ in result.parked}
                flags += self._money_flags(result.added, parked_ids, name)
                flags += self._assignment_flags(result.added, parked_ids, name)
                flags += self._receipt_flags(device, name, [e for e, _ in result.parked if e.kind == K.PAYMENT_RECORDED])
                flags += [_flag_payload("clock_skew", None, text, {**detail, "file_created_at": sync_file.manifest.created_at, "merged_at": merged_at}, device=device)
                          for _, text, detail in self._clock_flags(result.added, sync_file.manifest.created_at, name, merged_at)] if result.added else []
                for payload in flags:
                    payload.setdefault("device_id", device)
                    office_events.append((K.SYNC_FLAGGED, payload, self.author))
                    verdict.flags.append(payload["message"])  # the default locale's sentence
                self.office.journal.append_many(office_events)
                if status == "merge" or self.store.scalar("SELECT 1 FROM sync_merges WHERE file_sha256 = ?", (sync_file.sha256,)) is None:
                    m = sync_file.manifest
                    self.office.journal.append(
                        K.SYNC_MERGED,
                        {
                            "merge_id": new_id(), "file_sha256": sync_file.sha256, "device_id": device, "first_seq": m.first_seq,
                            "last_seq": m.last_seq, "event_count": m.count, "new_events": len(result.added), "head_hash": m.head_hash,
                            "file_created_at": m.created_at,
                        },
                        author=self.author,
                    )
                verdict.applied = True
        except (ChainError, EventConflict) as exc:
            verdict.status, verdict.reason, verdict.applied = "refused", f"{sync_file.source}: {exc}", False
            verdict.new_events, verdict.flags, verdict.parked = 0, [], []

    # -- flags ---------------------------------------------------------------------------------

    def _clock_flags(self, events: Sequence[Event], created_at: str, name: str, merged_at: str) -> list[tuple[Event | None, Text, dict[str, Any]]]:
        """A device clock far from the merge time; every event keeps its own time, the flag shows both.

        Each event is checked: one whose device time is more than ``clock_tolerance_minutes`` after
        the merge was written by a clock ahead (no honest clock writes the future); the events so
        found make one flag per file, with their count and the furthest one's time beside the merge
        time. Behind cannot be told per event (yesterday's unsynced visits are honestly old), so
        the file's own creation time (the device clock at export) is checked against
        ``file_max_age_hours``, and against the tolerance ahead when no event was.
        """
        settings = self.office.settings.sync
        merged = datetime.fromisoformat(merged_at)
        tolerance = timedelta(minutes=settings.clock_tolerance_minutes)
        limit = merged + tolerance
        ahead: list[tuple[datetime, Event]] = []
        odd: list[Event] = []
        bounds: dict[str, str | None] = {}
        for event in events:
            stamp = event.device_time
            # Times of one offset compare as text (ISO 8601 to the second, same offset); only the rare
            # outlier, or a time in another shape, is parsed.
            if len(stamp) == 25 and stamp[10:11] == "T":
                suffix = stamp[19:]
                if suffix not in bounds:
                    bounds[suffix] = _latest_in_offset(suffix, limit)
                latest = bounds[suffix]
                if latest is not None and stamp <= latest:
                    continue
            try:
                when = datetime.fromisoformat(stamp)
                if when.tzinfo is None:
                    raise ValueError("no UTC offset")
            except (ValueError, TypeError):
                odd.append(event)
                continue
            if when > limit:
                ahead.append((when, event))
        found: list[tuple[Event | None, Text, dict[str, Any]]] = []
        shown = f"{merged:%Y-%m-%d %H:%M}"
        if ahead:
            when, event = max(ahead, key=lambda pair: pair[0])
            found.append((event, Text(
                "clock_ahead", device=name, count=len(ahead), seq=event.seq, kind=event.kind, device_time=f"{when:%Y-%m-%d %H:%M}",
                merged=shown, span=_span(when - merged)), {"events": len(ahead), "seq": event.seq, "device_time": event.device_time}))
        if odd:
            event = odd[0]
            found.append((event, Text("clock_not_a_time", device=name, count=len(odd), seq=event.seq, value=repr(event.device_time)),
                          {"events": len(odd), "seq": event.seq, "device_time": event.device_time}))
        try:
            created = datetime.fromisoformat(created_at)
            delta = created - merged
        except (ValueError, TypeError):
            return [*found, (None, Text("file_time_not_a_time", device=name, value=repr(created_at)), {})]
        written = f"{created:%Y-%m-%d %H:%M}"
        if delta > tolerance and not ahead:
            found.append((None, Text("file_clock_ahead", device=name, written=written, merged=shown, span=_span(delta)), {}))
        elif -delta > timedelta(hours=settings.file_max_age_hours):
            found.append((None, Text("file_clock_behind", device=name, written=written, merged=shown, span=_span(-delta)), {}))
        return found

    def _money_flags(self, added: Sequence[Event], parked: set[str], name: str) -> list[dict[str, Any]]:
        flags: list[dict[str, Any]] = []
        office_device = self.office.device.device_id
        payments = [e for e in added if e.kind == K.PAYMENT_RECORDED and e.event_id not in parked]
        # One query per 500 households (not one per payment): every live payment of those homes on those days.
        same_day: dict[tuple[str, str], list[Any]] = {}
        days = sorted({str(e.payload["paid_at"])[:10] for e in payments})
        homes = sorted({str(e.payload["household_id"]) for e in payments})
        day_marks = ",".join("?" * len(days))
        for start in range(0, len(homes), 500):
            chunk = homes[start : start + 500]
            for row in self.store.query(
                "SELECT p.*, h.room FROM live_payments p JOIN households h USING (household_id)"
                f" WHERE p.household_id IN ({','.join('?' * len(chunk))}) AND substr(p.paid_at, 1, 10) IN ({day_marks})"
                " ORDER BY p.paid_at",
                (*chunk, *days),
            ):
                same_day.setdefault((row["household_id"], str(row["paid_at"])[:10]), []).append(row)
        for event in payments:
            p = event.payload
            day = str(p["paid_at"])[:10]
            others = [
                o for o in same_day.get((str(p["household_id"]), day), [])
                if o["payment_id"] != p["payment_id"] and (o["collector_id"] != p["collector_id"] or o["device_id"] != event.device_id)
            ]
            if not others:
                continue
            room = others[0]["room"]
            seen = str(p.get("seen_payment", ""))
            counter = any(o["device_id"] == office_device for o in others)
            entries: list[tuple[str, str, Text, str]] = [(str(p["paid_at"]), _yuan_(int(p["amount_fen"])), Text("by_collector", name=p["collector_name"]), str(p["receipt_no"]))]
            unaware: list[Text] = []
            for other in others:
                where = Text("at_counter") if other["device_id"] == office_device else Text("by_collector", name=other["collector_name"])
                entries.append((str(other["paid_at"]), _yuan_(int(other["amount_fen"])), where, str(other["receipt_no"])))
                if other["paid_at"] <= p["paid_at"] and other["event_id"] != seen:
                    unaware.append(Text("unaware", collector=p["collector_name"], at=str(other["paid_at"])[11:16]))
            kind = "counter_same_day" if counter else "double_payment"
            entries.sort(key=lambda entry: (entry[0], entry[1], str(entry[2]), entry[3]))
            message = Text(
                "payments_same_day", room=room, count=len(entries), day=day,
                entries=Joined([Text("payment_entry", amount=amount, where=where, at=at[11:16], receipt=receipt) for at, amount, where, receipt in entries]),
                unaware=Joined(unaware, separator=None),
            )
            flags.append(_flag_payload(kind, event, message, {"receipts": [p["receipt_no"], *[o["receipt_no"] for o in others]]}))
        return flags

    def _assignment_flags(self, added: Sequence[Event], parked: set[str], name: str) -> list[dict[str, Any]]:
        flags: list[dict[str, Any]] = []
        watched = [e for e in added if e.event_id not in parked and e.kind in (K.PAYMENT_RECORDED, K.CONTACT_LOGGED, K.PROMISE_MADE)]
        whens = [str(e.payload.get("paid_at") or e.payload.get("at") or e.payload.get("made_at") or e.device_time) for e in watched]
        assigned: dict[tuple[str, str], str] = {}
        for day in sorted({when[:10] for when in whens}):
            for row in self.store.query("SELECT household_id, staff_id FROM assignments WHERE day = ?", (day,)):
                assigned[(day, row[0])] = row[1]
        if not assigned:
            return flags
        for event, when in zip(watched, whens, strict=True):
            p = event.payload
            staff_id = assigned.get((when[:10], p["household_id"]))
            if staff_id is None or staff_id == p["collector_id"]:
                continue
            room = self.store.scalar("SELECT room FROM households WHERE household_id = ?", (p["household_id"],))
            assignee = self.store.scalar("SELECT name FROM staff WHERE staff_id = ?", (staff_id,)) or staff_id
            who = self.store.scalar("SELECT name FROM staff WHERE staff_id = ?", (p["collector_id"],)) or p["collector_id"]
            what = Text("what_payment" if event.kind == K.PAYMENT_RECORDED else "what_visit" if event.kind == K.CONTACT_LOGGED else "what_promise")
            flags.append(
                _flag_payload(
                    "reassigned", event,
                    Text("reassigned", room=room, what=what, who=who, when=when[:16].replace("T", " "), assignee=assignee),
                    {"assigned_to": staff_id},
                )
            )
        return flags

    def _receipt_flags(self, device: str, name: str, parked_now: Sequence[Event]) -> list[dict[str, Any]]:
        # Every receipt number the device has used: its applied payments (indexed by device and
        # number) and its set-aside ones. Not a scan of the device's events through json_extract,
        # which (by the kind index) read every payment of every device once per file.
        rows = self.store.query(
            "SELECT receipt_seq AS n, receipt_no AS no FROM payments WHERE device_id = ?"
            " UNION SELECT json_extract(e.payload, '$.receipt_seq'), json_extract(e.payload, '$.receipt_no')"
            " FROM sync_parked s CROSS JOIN events e USING (event_id) WHERE s.device_id = ? AND e.kind = ? ORDER BY n",  # CROSS JOIN: read the few set-aside ones first
            (device, device, K.PAYMENT_RECORDED),
        )
        used = [(r["n"], r["no"]) for r in rows] + [(e.payload.get("receipt_seq"), e.payload.get("receipt_no")) for e in parked_now]
        rows = sorted(((n, no) for n, no in used if isinstance(n, int) and not isinstance(n, bool)), key=lambda r: r[0])  # a malformed (set-aside) one has no place in the sequence
        numbers = sorted({r[0] for r in rows})
        if not numbers:
            return []
        missing: list[tuple[int, int]] = []
        expected = 1
        for n in numbers:
            if n > expected:
                missing.append((expected, n - 1))
            expected = n + 1
        flagged = {
            json.loads(r["detail"]).get("range", "")
            for r in self.store.query("SELECT detail FROM sync_flags WHERE kind = 'receipt_gap' AND device_id = ?", (device,))
        }
        prefix = str(rows[0][1]).rsplit("-", 1)[0]
        flags = []
        for low, high in missing:
            span = f"{prefix}-{low:06d}" + ("" if low == high else f"..{prefix}-{high:06d}")
            if span in flagged:
                continue
            flags.append(
                _flag_payload("receipt_gap", None, Text("receipt_gap", device=name, span=span), {"range": span}, device=device)
            )
        return flags

    # -- parked events -------------------------------------------------------------------------

    def retry_parked(self) -> int:
        """Apply set-aside events whose reason is gone (e.g. the household now exists). Returns how many."""
        rows = self.store.query(
            "SELECT e.* FROM sync_parked p JOIN events e USING (event_id) WHERE p.applied_at IS NULL ORDER BY e.device_id, e.seq"
        )
        done = 0
        for row in rows:
            event = Event.from_row(row)
            with self.store.transaction() as conn:
                if _Precheck(self.store)(event) is not None:
                    continue
                project(conn, event)
                self.office.journal.append(K.SYNC_UNPARKED, {"event_id": event.event_id}, author=self.author)
                for flag in self.store.query(
                    "SELECT flag_id FROM sync_flags WHERE subject_event_id = ? AND kind IN ('unapplied', 'receipt_duplicate') AND status = 'open'",
                    (event.event_id,),
                ):
                    self.office.journal.append(
                        K.SYNC_FLAG_RESOLVED, {"flag_id": flag["flag_id"], "resolution": "applied: the reason it was set aside is gone"}, author=self.author
                    )
                done += 1
        return done


MERGE_CHECKPOINT_PAGES = 16384
"""WAL pages (64 MiB) between automatic checkpoints while a merge runs, instead of SQLite's 1,000.

A merge commits once per file, and each commit dirties index pages all over the ledger; checkpointing
every 4 MiB copied the same pages into the database again and again (about a tenth of a merge's CPU).
Durability is untouched: every commit is in the WAL, synced, before the merge moves on; a checkpoint
only moves committed pages from the WAL into the main file."""


@contextmanager
def _fewer_checkpoints(store: Store) -> Iterator[None]:
    """Checkpoint less often during a merge; afterwards restore the setting and checkpoint once."""
    before = int(store.scalar("PRAGMA wal_autocheckpoint"))
    store.query(f"PRAGMA wal_autocheckpoint = {MERGE_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        store.query(f"PRAGMA wal_autocheckpoint = {before}")
        if not store.in_transaction:
            store.query("PRAGMA wal_checkpoint(PASSIVE)")


def _flag_payload(kind: str, event: Event | None, message: Text, detail: dict[str, Any], *, device: str = "") -> dict[str, Any]:
    """A ``sync.flagged`` payload: its sentence in Chinese (the message) and English (``detail.message_en``)."""
    sentences = both(message)
    payload: dict[str, Any] = {"flag_id": new_id(), "kind": kind, "message": sentences["zh"], "detail": {**detail, "message_en": sentences["en"]}}
    if event is not None:
        payload["device_id"] = event.device_id
        payload["subject_event_id"] = event.event_id
        payload["household_id"] = str(event.payload.get("household_id", ""))
        payload["collector_id"] = str(event.payload.get("collector_id") or event.author)
    elif device:
        payload["device_id"] = device
    return payload



def _span(delta: timedelta) -> Text:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 2 * 24 * 60:
        return Text("span_days", n=minutes // (24 * 60))
    if minutes >= 120:
        return Text("span_hours", n=minutes // 60)
    return Text("span_minutes", n=minutes)


def _latest_in_offset(suffix: str, limit: datetime) -> str | None:
    """``limit`` written as a device time with UTC offset ``suffix`` ("+08:00"), to compare as text; None if odd."""
    try:
        zone = datetime.fromisoformat("2000-01-01T00:00:00" + suffix).tzinfo
    except ValueError:
        return None
    if zone is None:
        return None
    latest = limit.astimezone(zone).isoformat(timespec="seconds")
    return latest if latest.endswith(suffix) and len(latest) == 25 else None


_CHECKED_KINDS = frozenset({
    K.HOUSEHOLD_REGISTERED, K.PAYMENT_RECORDED, K.PAYMENT_VOIDED, K.CHARGE_ADDED, K.CHARGE_REVERSED, K.STAFF_REGISTERED,
    K.STAFF_UPDATED, K.COMPLAINT_OPENED, K.COMPLAINT_CLOSED, K.ASSIGNMENTS_SET,
})
"""Kinds :meth:`_Precheck._check` looks into beyond "is the household known"."""

OFFICE_ONLY_KINDS = frozenset({K.STAFF_REGISTERED, K.STAFF_UPDATED, K.DEVICE_ENROLLED, K.DEVICE_REVOKED, K.PAYMENTS_EXPORTED})
"""Facts only the office records: who is staff, their role and PIN, which laptops are trusted, and
which payments went back to the billing system.

They reach laptops in packs (the office's own events). The same kinds in a laptop's sync file
would let whoever holds the laptop make themselves a manager, give a manager who has no PIN yet
one they know, enrol a laptop of their own, or mark payments as handed back so the office's
``export payments --since-last`` never carries them to finance; a merge sets them aside and
flags them instead."""

_ABSENT = object()


class _Precheck:
    """Why an event cannot be applied to the office's projections yet, aware of the batch so far."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.households: set[str] = set()
        """Households known to exist: the office's (looked up by :meth:`prefetch`, or one by one) and the batch's."""
        self.households_prefetched = False
        self.rooms: set[str] = set()
        self.receipts: set[str] = set()
        self.payments: set[str] = set()
        self.voided: set[str] = set()
        self.charges: set[str] = set()
        self.staff: set[str] = set()
        self.complaints: set[str] = set()
        self.stored_receipts: set[str] | None = None
        """Receipt numbers of a batch's payments already in ``payments``, when :meth:`prefetch` read them."""

    def _in(self, sql: str, values: Iterable[str]) -> set[str]:
        wanted = sorted(set(values))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(r[0] for r in self.store.query(sql.format(marks=",".join("?" * len(chunk))), chunk))
        return found

    def _household_known(self, household_id: Any) -> bool:
        if household_id in self.households:
            return True
        if self.households_prefetched:
            return False
        if self.store.query_one("SELECT 1 FROM households WHERE household_id = ?", (household_id,)) is None:
            return False
        self.households.add(household_id)
        return True

    def prefetch(self, events: Sequence[Event]) -> None:
        """Look up, in a few queries, the households a batch names and the receipt numbers its payments would clash with.

        Only what the batch names is read (not every household of the office once per file).
        """
        named: set[str] = set()
        for e in events:
            hid = e.payload.get("household_id")
            if isinstance(hid, str):
                named.add(hid)
            if e.kind == K.ASSIGNMENTS_SET and isinstance(e.payload.get("pairs"), list):
                named.update(pair[0] for pair in e.payload["pairs"] if isinstance(pair, list) and pair and isinstance(pair[0], str))
        self.households |= self._in("SELECT household_id FROM households WHERE household_id IN ({marks})", named)
        self.households_prefetched = True
        self.stored_receipts = self._in(
            "SELECT receipt_no FROM payments WHERE receipt_no IN ({marks})",
            (no for e in events if e.kind == K.PAYMENT_RECORDED and isinstance(no := e.payload.get("receipt_no"), str)),
        )

    def _exists(self, table: str, column: str, value: Any, batch: set[str]) -> bool:
        return value in batch or self.store.query_one(f"SELECT 1 FROM {table} WHERE {column} = ?", (value,)) is not None

    def __call__(self, event: Event) -> str | None:
        kind, p = event.kind, event.payload
        if kind not in PROJECTORS:
            return Reason("reason_unknown_kind", kind=repr(kind))
        if kind in OFFICE_ONLY_KINDS:
            return Reason("reason_office_only", kind=kind)
        try:
            if kind not in _CHECKED_KINDS:  # visits, promises, prints...: only the household must be known
                household_id = p.get("household_id", _ABSENT)
                if household_id is _ABSENT or household_id in self.households or self._household_known(household_id):
                    return None
                return Reason("reason_household_unknown", household=household_id)
            return self._check(kind, p)
        except (KeyError, TypeError, ValueError) as exc:
            return Reason("reason_malformed", error=str(exc))

    def _check(self, kind: str, p: dict[str, Any]) -> str | None:
        if kind == K.HOUSEHOLD_REGISTERED:
            if p["room"] in self.rooms or self._exists("households", "room", p["room"], set()):
                return Reason("reason_room_taken", room=p["room"])
            self.households.add(p["household_id"])
            self.rooms.add(p["room"])
            return None
        if "household_id" in p and not self._household_known(p["household_id"]):
            return Reason("reason_household_unknown", household=p["household_id"])
        if kind == K.PAYMENT_RECORDED:
            no = p["receipt_no"]
            stored = (no in self.stored_receipts) if self.stored_receipts is not None and isinstance(no, str) else self._exists("payments", "receipt_no", no, set())
            if no in self.receipts or stored:
                return Reason("reason_receipt_twice", receipt=p["receipt_no"])
            self.receipts.add(p["receipt_no"])
            self.payments.add(p["payment_id"])
        elif kind == K.PAYMENT_VOIDED:
            if not self._exists("payments", "payment_id", p["payment_id"], self.payments):
                return Reason("reason_void_unknown", receipt=p.get("receipt_no", p["payment_id"]))
            if p["payment_id"] in self.voided or self._exists("payment_voids", "payment_id", p["payment_id"], set()):
                return Reason("reason_void_again", receipt=p.get("receipt_no", p["payment_id"]))
            self.voided.add(p["payment_id"])
        elif kind == K.CHARGE_ADDED:
            dup = self.store.query_one(
                "SELECT 1 FROM charges WHERE household_id = ? AND item = ? AND period_start = ? AND period_end = ?",
                (p["household_id"], p["item"], p["period_start"], p["period_end"]),
            )
            if dup is not None or p["charge_id"] in self.charges:
                return Reason("reason_charge_twice", item=p["item"], start=p["period_start"], end=p["period_end"])
            self.charges.add(p["charge_id"])
        elif kind == K.CHARGE_REVERSED:
            if not self._exists("charges", "charge_id", p["charge_id"], self.charges):
                return Reason("reason_charge_unknown", charge=p["charge_id"])
        elif kind == K.STAFF_REGISTERED:
            self.staff.add(p["staff_id"])
        elif kind == K.STAFF_UPDATED:
            if not self._exists("staff", "staff_id", p["staff_id"], self.staff):
                return Reason("reason_staff_unknown", staff=p["staff_id"])
        elif kind == K.COMPLAINT_OPENED:
            self.complaints.add(p["complaint_id"])
        elif kind == K.COMPLAINT_CLOSED:
            if not self._exists("complaints", "complaint_id", p["complaint_id"], self.complaints):
                return Reason("reason_complaint_unknown", complaint=p["complaint_id"])
        elif kind == K.ASSIGNMENTS_SET:
            for household_id, staff_id in p["pairs"]:
                if not self._household_known(household_id):
                    return Reason("reason_assign_household", household=household_id)
                if not self._exists("staff", "staff_id", staff_id, self.staff):
                    return Reason("reason_assign_staff", staff=staff_id)
        return None


def _yuan_(fen: int) -> str:
    return format_yuan(fen, symbol=True)
