"""The one class that owns the SQLite connection and its policy.

WAL with synchronous=FULL, so a committed write survives a dead battery;
a busy timeout, because the app's worker thread and the CLI may share the
file; migrations under ``BEGIN IMMEDIATE``; the file created 0600 because it
holds names and phone numbers. Every multi-row write runs in
:meth:`Store.transaction`, which either commits all of it or none.

Plain :mod:`sqlite3`, not sqlite-utils: the schema is numbered SQL migrations
whose triggers and views carry the ledger's rules (append-only money tables,
``live_payments``), every write is an event appended inside our own
``BEGIN IMMEDIATE`` transaction with its projections, and every read is a
named query. sqlite-utils' strengths (inferring tables from dicts, its CLI)
have no job on this path, and importing it would pull ``click`` into the domain.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from knock.core import payload_codec
from knock.core.payload_press import PayloadPress
from knock.core.schema import MIGRATIONS, VACUUM_AFTER, split_sql


class StoreError(Exception):
    """The ledger file cannot be opened or used; the message says which file and why."""


IMPORT_CACHE_KIB = 65536
"""The page cache a store opens with (64 MiB): an import of 100k rows stays in memory."""
APP_CACHE_KIB = 8192
"""The page cache the field app keeps (8 MiB): its reads are a few hundred indexed rows at a
time, and a cache filled by one big read would stay in the laptop's memory all day."""
READER_CACHE_KIB = 2048
"""The page cache of a :meth:`Store.reader` (SQLite's default): one pass over the file, then closed."""


class Store:
    """A ledger database file (or ``:memory:`` for tests)."""

    press: PayloadPress | None = None
    """Deflates payloads in a second process for the bulk path (only a bulk load's file has one, see :meth:`rebuilt`)."""

    def __init__(self, path: Path | str, *, cache_kib: int = IMPORT_CACHE_KIB, read_only: bool = False, bulk_load: bool = False) -> None:
        self.path = str(path)
        if read_only:
            self._open_read_only(cache_kib)
            return
        self._open(cache_kib, bulk_load=bulk_load)

    def _open(self, cache_kib: int, *, bulk_load: bool = False) -> None:
        if self.path != ":memory:":
            file = Path(self.path)
            file.parent.mkdir(parents=True, exist_ok=True)
            if not file.exists():
                fd = os.open(file, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
        self._lock = threading.RLock()
        self._depth = 0
        self._rollbacks = 0
        self._codes: dict[str, int] = {}
        self._codes_at = 0
        self.write_epoch = 0
        """Changes whenever a transaction starts or a (partial) rollback happens: caches of
        what is on disk are valid only while it stays the same."""
        self._cache_kib = int(cache_kib)
        self._connect(bulk_load=bulk_load)
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a Knock ledger or damaged: {exc}") from exc

    def _connect(self, *, bulk_load: bool = False) -> None:
        """Open the connection with the ledger's policy; ``bulk_load`` is for the private file of
        :meth:`rebuilt` only: its rollback journal in memory, no fsync."""
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the ledger: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        payload_codec.register(self.conn)
        try:
            self.conn.execute("PRAGMA journal_mode=MEMORY" if bulk_load else "PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=OFF" if bulk_load else "PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=10000")
            self.set_cache_kib(self._cache_kib)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a Knock ledger or damaged: {exc}") from exc

    def _open_read_only(self, cache_kib: int) -> None:
        try:
            self.conn = sqlite3.connect(f"{Path(self.path).absolute().as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False, timeout=10)
            self.conn.execute("PRAGMA busy_timeout=10000")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the ledger: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        payload_codec.register(self.conn)
        self._lock = threading.RLock()
        self._depth = 0
        self._rollbacks = 0
        self._codes = {}
        self._codes_at = 0
        self.write_epoch = 0
        self.set_cache_kib(cache_kib)

    def set_cache_kib(self, kib: int) -> None:
        """Let SQLite keep at most ``kib`` KiB of pages in memory for this connection (pages beyond it are freed)."""
        with self._lock:
            self.conn.execute(f"PRAGMA cache_size=-{int(kib)}")
            self._cache_kib = int(kib)

    @contextmanager
    def reader(self, *, cache_kib: int = READER_CACHE_KIB) -> Iterator[Store]:
        """A second, read-only connection to the same file, closed afterwards.

        Why: a long read (the start-up integrity check) on it never holds this
        store's lock, so the screens' short reads and the writes of a confirmed
        outcome do not wait behind it (WAL: readers and the writer do not block
        each other), and its pages go with it instead of filling this
        connection's cache. A ``:memory:`` store has no file to share: it is its own reader.
        """
        if self.path == ":memory:":
            yield self
            return
        other = Store(self.path, cache_kib=cache_kib, read_only=True)
        try:
            yield other
        finally:
            other.close()

    def _migrate(self) -> None:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    if callable(script):
                        script(self.conn)
                    else:
                        for statement in split_sql(script):
                            self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version = {number}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            if version and any(version < number <= len(MIGRATIONS) for number in VACUUM_AFTER):
                self._vacuum()

    def _vacuum(self) -> None:
        """Give the pages a rewriting migration freed back to the disk (once, after it).

        VACUUM needs the file to itself; when another process has it open, the ledger stays
        correct and only larger, and the VACUUM is simply left for another time.
        """
        try:
            self.conn.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise

    @property
    def schema_version(self) -> int:
        """How many migrations have run."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: the outermost level is ``BEGIN IMMEDIATE``, inner ones savepoints."""
        with self._lock:
            depth = self._depth
            name = f"sp{depth}"
            self.conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {name}")
            if depth == 0:
                self.write_epoch += 1
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                self.write_epoch += 1
                self._rollbacks += 1
                if depth == 0:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            else:
                self._depth -= 1
                self.conn.execute("COMMIT" if depth == 0 else f"RELEASE {name}")

    @contextmanager
    def joined_transaction(self) -> Iterator[sqlite3.Connection]:
        """The transaction this thread is already in (no savepoint), else a new one.

        For a step of a larger action (appending one event): when it fails, the exception
        rolls back the caller's whole transaction or savepoint, so a nested savepoint per
        step would only cost time.
        """
        with self._lock:
            if self._depth:
                yield self.conn
            else:
                with self.transaction() as conn:
                    yield conn

    def name_codes(self) -> dict[str, int]:
        """The codes known to be valid (a dict to read, for the hot path; :meth:`name_code` fills it)."""
        if self._codes_at != self._rollbacks:
            self._codes.clear()
            self._codes_at = self._rollbacks
        return self._codes

    def name_code(self, name: str, *, add: bool = True) -> int | None:
        """The code of a device id, author or event kind in ``event_names`` (the log stores codes).

        With ``add`` (inside a write transaction) a new name gets the next code; without it an
        unknown name gives None. Codes are cached: a committed code never changes, and after any
        rollback the cache starts again, since a code handed out in that transaction is gone.
        """
        code = self.name_codes().get(name)
        if code is not None:
            return code
        with self._lock:
            row = self.conn.execute("SELECT code FROM event_names WHERE name = ?", (name,)).fetchone()
            if row is not None:
                code = int(row[0])
            elif not add:
                return None
            else:
                code = int(self.conn.execute("INSERT INTO event_names (name) VALUES (?)", (name,)).lastrowid or 0)
        self._codes[name] = code
        return code

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction`."""
        return self._depth > 0

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run a read and return all rows."""
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        """Run a read and return the first row, or None."""
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def iterate(self, sql: str, params: Any = ()) -> Iterator[sqlite3.Row]:
        """Stream rows of a large read without holding them all in memory."""
        with self._lock:
            yield from self.conn.execute(sql, params)

    def scalar(self, sql: str, params: Any = ()) -> Any:
        """The first column of the first row (None when no row)."""
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self._lock:
            self.conn.close()

    @contextmanager
    def rebuilt(self) -> Iterator[Store]:
        """A copy of this ledger in a private file beside it, for one bulk load (the sample), that
        takes this file's place when the block ends, and is deleted if it raises.

        Why: a bulk load into a new file needs none of what protects a live ledger while it is
        being built, because nothing depends on the file until it is complete. The copy has no
        WAL and no fsync (rollback journal in memory, synchronous=OFF), and its secondary indexes
        are dropped during the load and built again at the end (SQLite builds an index by sorting,
        cheaper than an insert into each index per row). When the block succeeds the indexes come
        back, the file is switched to WAL with synchronous=FULL (checked), fsynced, and renamed over
        this one; this store then reopens on it. If anything fails, this file is as it was (and a
        private file left by a build that was killed is deleted by the next one).

        This store must be a file no other connection has open (it is locked for the whole
        build, so nothing written meanwhile could be lost), outside any transaction.
        """
        if self.path == ":memory:" or self._depth:
            raise StoreError(f"{self.path}: a ledger is rebuilt only as a file, outside a transaction")
        file = Path(self.path)
        temp = file.with_name(f".{file.name}.building-{os.getpid()}")
        with self._lock:
            self._lock_alone()
            try:
                for stale in file.parent.glob(f".{file.name}.building-*"):  # left by a build that was killed (we hold the lock: none runs now)
                    stale.unlink(missing_ok=True)
                os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                self.conn.execute("VACUUM INTO ?", (str(temp),))
                fresh = Store(temp, bulk_load=True)
                fresh.press = PayloadPress.for_bulk_load()
                try:
                    indexes = fresh._deferrable_indexes()
                    for index in indexes:
                        fresh.conn.execute(f'DROP INDEX "{index["name"]}"')
                    yield fresh
                    for index in indexes:
                        fresh.conn.execute(index["sql"])
                    fresh._make_durable()
                finally:
                    if fresh.press is not None:
                        fresh.press.close()
                    fresh.close()
                _fsync(temp)
                os.replace(temp, file)  # still holding the old file's lock: nobody wrote to it meanwhile
                _fsync(file.parent)
            except BaseException:
                _remove_with_sidecars(temp)
                self._reopen()
                raise
            self._reopen()

    def _deferrable_indexes(self) -> list[sqlite3.Row]:
        """(name, sql) of the indexes a bulk load can do without until its end: not UNIQUE (those
        refuse duplicates as rows arrive) and not leading with a foreign key's column (SQLite looks
        children up through those when a parent row arrives after them: without it, a full scan
        of the child table per parent row)."""
        return self.query(
            "SELECT m.name, m.sql FROM sqlite_master m WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.sql NOT LIKE 'CREATE UNIQUE%'"
            " AND NOT EXISTS (SELECT 1 FROM pragma_index_info(m.name) i JOIN pragma_foreign_key_list(m.tbl_name) f ON f.\"from\" = i.name"
            " WHERE i.seqno = 0)"
        )

    def _lock_alone(self) -> None:
        """Take this file for this connection alone until :meth:`_reopen` (leaving WAL mode is
        refused while another connection has the file open, and the exclusive lock keeps any
        other program out afterwards)."""
        try:
            mode = self.conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            self.conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            self.conn.execute("BEGIN EXCLUSIVE")
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._reopen()
            raise StoreError(f"{self.path}: another program has this ledger open ({exc}); close it and try again") from exc
        if str(mode).lower() != "delete":
            self._reopen()
            raise StoreError(f"{self.path}: another program has this ledger open; close it and try again")

    def _make_durable(self) -> None:
        """Switch a bulk-loaded file to the ledger's policy (WAL, synchronous=FULL) and check it took."""
        mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        self.conn.execute("PRAGMA synchronous=FULL")
        sync = self.conn.execute("PRAGMA synchronous").fetchone()[0]
        if str(mode).lower() != "wal" or int(sync) != 2:
            raise StoreError(f"{self.path}: the rebuilt ledger did not take WAL with synchronous=FULL (got {mode}, {sync})")

    def _reopen(self) -> None:
        """Close and open the file again with the ledger's policy; every cache of what was on disk is dropped."""
        self.conn.close()
        self._connect()
        self._codes.clear()
        self._rollbacks += 1
        self.write_epoch += 1



def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_with_sidecars(path: Path) -> None:
    """Delete a ledger file and its journal, WAL and shared-memory files, those that exist."""
    for name in (path, *(path.with_name(path.name + tail) for tail in ("-journal", "-wal", "-shm"))):
        name.unlink(missing_ok=True)
