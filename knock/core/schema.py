"""The database schema, as numbered migrations.

``events`` is the truth; every other table is a projection that
:mod:`knock.core.projections` rebuilds from it. Money tables (charges,
payments, their reversals) are insert-only like the log itself: triggers
refuse UPDATE and DELETE, so a bug cannot quietly rewrite history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from knock.core import payload_codec
from knock.core.events import hash_bytes
from knock.core.stored_time import sql_text, stored_time

_APPEND_ONLY = ("events", "charges", "charge_reversals", "payments", "payment_items", "payment_voids")


def _guard(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a reversing entry instead'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a reversing entry instead'); END;
"""


MIGRATION_1 = """
CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL,
    device_time TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX events_kind ON events(kind);

CREATE TABLE local_device (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    device_code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    device_code TEXT NOT NULL,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

CREATE TABLE communities (
    community_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);

CREATE TABLE households (
    household_id TEXT PRIMARY KEY,
    room TEXT NOT NULL UNIQUE,
    building TEXT NOT NULL,
    unit TEXT NOT NULL,
    room_no TEXT NOT NULL,
    floor INTEGER NOT NULL,
    owner_name TEXT NOT NULL,
    gender TEXT NOT NULL DEFAULT '',
    phones TEXT NOT NULL DEFAULT '[]',
    area_centi_m2 INTEGER NOT NULL DEFAULT 0,
    occupancy TEXT NOT NULL DEFAULT 'occupied',
    notes TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    registered_at TEXT NOT NULL
);
CREATE INDEX households_building ON households(building, unit, floor);

CREATE TABLE charges (
    charge_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(household_id),
    item TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    source TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL,
    UNIQUE (household_id, item, period_start, period_end)
);
CREATE INDEX charges_household ON charges(household_id, due_date);

CREATE TABLE charge_reversals (
    charge_id TEXT PRIMARY KEY REFERENCES charges(charge_id),
    reason TEXT NOT NULL,
    reversed_at TEXT NOT NULL,
    event_id TEXT NOT NULL
);

CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(household_id),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    method TEXT NOT NULL,
    collector_id TEXT NOT NULL,
    collector_name TEXT NOT NULL,
    device_id TEXT NOT NULL,
    paid_at TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    receipt_seq INTEGER NOT NULL,
    owed_after_fen INTEGER NOT NULL,
    credit_after_fen INTEGER NOT NULL,
    qr_text TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL,
    UNIQUE (device_id, receipt_seq)
);
CREATE INDEX payments_household ON payments(household_id, paid_at);
CREATE INDEX payments_day ON payments(paid_at);

CREATE TABLE payment_items (
    payment_id TEXT NOT NULL REFERENCES payments(payment_id),
    line INTEGER NOT NULL,
    charge_id TEXT,
    item TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    amount_fen INTEGER NOT NULL,
    PRIMARY KEY (payment_id, line)
);

CREATE TABLE payment_voids (
    payment_id TEXT PRIMARY KEY REFERENCES payments(payment_id),
    reason TEXT NOT NULL,
    voided_at TEXT NOT NULL,
    voided_by TEXT NOT NULL,
    event_id TEXT NOT NULL
);

CREATE TABLE receipt_prints (
    event_id TEXT PRIMARY KEY,
    receipt_no TEXT NOT NULL,
    printed_at TEXT NOT NULL,
    reprint INTEGER NOT NULL
);

CREATE TABLE staff (
    staff_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    pin_hash TEXT NOT NULL DEFAULT ''
);
CREATE INDEX staff_name ON staff(name);

CREATE TABLE contacts (
    contact_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(household_id),
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    collector_id TEXT NOT NULL,
    at TEXT NOT NULL,
    override_by TEXT NOT NULL DEFAULT '',
    warnings TEXT NOT NULL DEFAULT '[]',
    event_id TEXT NOT NULL
);
CREATE INDEX contacts_household ON contacts(household_id, at);
CREATE INDEX contacts_day ON contacts(at);

CREATE TABLE promises (
    promise_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(household_id),
    contact_id TEXT NOT NULL DEFAULT '',
    made_at TEXT NOT NULL,
    due_date TEXT NOT NULL,
    window TEXT NOT NULL,
    amount_fen INTEGER,
    collector_id TEXT NOT NULL,
    event_id TEXT NOT NULL
);
CREATE INDEX promises_household ON promises(household_id, due_date);

CREATE TABLE complaints (
    complaint_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(household_id),
    category TEXT NOT NULL,
    text TEXT NOT NULL,
    staff_involved TEXT NOT NULL DEFAULT '',
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    closed_at TEXT,
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaints_household ON complaints(household_id);

CREATE TABLE escalations (
    escalation_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(household_id),
    step TEXT NOT NULL,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    deadline TEXT,
    note TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL
);
CREATE INDEX escalations_household ON escalations(household_id, at);

CREATE TABLE assignments (
    day TEXT NOT NULL,
    household_id TEXT NOT NULL REFERENCES households(household_id),
    staff_id TEXT NOT NULL REFERENCES staff(staff_id),
    event_id TEXT NOT NULL,
    PRIMARY KEY (day, household_id)
);
CREATE INDEX assignments_staff ON assignments(day, staff_id);

CREATE TABLE phone_reveals (
    event_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    at TEXT NOT NULL
);
""" + "".join(_guard(t) for t in _APPEND_ONLY)

MIGRATION_SYNC = """
CREATE TABLE device_enrolments (
    device_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    enrolled_by TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT NOT NULL DEFAULT '',
    revoke_reason TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL
);

CREATE TABLE office_pin (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    office_device_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    pinned_at TEXT NOT NULL
);

CREATE TABLE sync_marks (
    device_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE packs_loaded (
    pack_id TEXT PRIMARY KEY,
    office_device_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    office_seq INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    households INTEGER NOT NULL
);

CREATE TABLE sync_merges (
    merge_id TEXT PRIMARY KEY,
    file_sha256 TEXT NOT NULL,
    device_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    new_events INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    file_created_at TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    merged_by TEXT NOT NULL,
    event_id TEXT NOT NULL
);
CREATE INDEX sync_merges_device ON sync_merges(device_id, merged_at);
CREATE INDEX sync_merges_day ON sync_merges(merged_at);

CREATE TABLE sync_flags (
    flag_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    device_id TEXT NOT NULL DEFAULT '',
    collector_id TEXT NOT NULL DEFAULT '',
    household_id TEXT NOT NULL DEFAULT '',
    subject_event_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    raised_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL
);
CREATE INDEX sync_flags_status ON sync_flags(status, raised_at);

CREATE TABLE sync_parked (
    event_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reason TEXT NOT NULL,
    parked_at TEXT NOT NULL,
    applied_at TEXT
);

CREATE TABLE cash_counts (
    count_id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    collector_id TEXT NOT NULL,
    counted_fen INTEGER NOT NULL CHECK (counted_fen >= 0),
    expected_fen INTEGER NOT NULL,
    difference_fen INTEGER NOT NULL,
    counted_by TEXT NOT NULL,
    counted_at TEXT NOT NULL,
    event_id TEXT NOT NULL
);
CREATE INDEX cash_counts_day ON cash_counts(day, collector_id);
""" + _guard("cash_counts") + _guard("sync_merges")
"""Sync (issue 10): enrolled devices, the office key pinned on a laptop, acknowledgements,
packs, merged files, review flags, events set aside, cash counted by the team lead."""

_FACT_TABLES = ("receipt_prints", "contacts", "promises", "escalations", "phone_reveals", "devices", "communities", "signin_attempts")
"""Tables that record facts and are only ever inserted into: append-only like the money tables.

The tables that projections do update (households, staff, assignments, complaints) are
compared with a replay of the events by ``knock check``."""

MIGRATION_SIGNIN = """
CREATE TABLE signin_attempts (
    event_id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'wrong', 'unlocked')),
    by_staff_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX signin_attempts_staff ON signin_attempts(staff_id, at);
""" + "".join(_guard(t) for t in _FACT_TABLES)

MIGRATION_LIVE_PAYMENTS = """
CREATE VIEW live_payments AS
SELECT p.* FROM payments p
WHERE NOT EXISTS (SELECT 1 FROM payment_voids v WHERE v.payment_id = p.payment_id);
"""
"""``live_payments``: the payments that count. A voided payment stays in ``payments`` (append-only)
and drops out here, so every sum of money collected or paid reads this view and none repeats the rule."""


MIGRATION_BILLING = """
ALTER TABLE households ADD COLUMN billing_code TEXT NOT NULL DEFAULT '';
CREATE INDEX households_billing_code ON households(billing_code);
ALTER TABLE charges ADD COLUMN billing_item TEXT NOT NULL DEFAULT '';

CREATE TABLE payment_exports (
    export_id TEXT PRIMARY KEY,
    exported_at TEXT NOT NULL,
    exported_by TEXT NOT NULL,
    range_from TEXT,
    range_to TEXT,
    since_last INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    lines INTEGER NOT NULL,
    total_fen INTEGER NOT NULL,
    event_id TEXT NOT NULL
);

CREATE TABLE exported_facts (
    fact_event_id TEXT PRIMARY KEY,
    export_id TEXT NOT NULL REFERENCES payment_exports(export_id)
);
""" + "".join(_guard(t) for t in ("payment_exports", "exported_facts"))
"""The billing round trip (issue 16): the billing system's own room code and fee item name kept
beside Knock's, and which payment and void events each export handed back."""

MIGRATION_REMINDERS = """
ALTER TABLE contacts ADD COLUMN template TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX contacts_message ON contacts(message_id) WHERE message_id != '';
ALTER TABLE households ADD COLUMN other_phones TEXT NOT NULL DEFAULT '[]';
"""
"""Reminders: which text template a contact used and the message's id (one message is one
contact, however often it is confirmed), and numbers on file that are not the owner's
(a tenant's or an agent's), which never receive anything about the debt."""


MIGRATION_GUARDRAILS = """
CREATE TABLE guard_overrides (
    event_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    contact_id TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL,
    manager_id TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX guard_overrides_at ON guard_overrides(at);

CREATE TABLE text_flags (
    event_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    source_id TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    categories TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX text_flags_at ON text_flags(at);
""" + _guard("guard_overrides") + _guard("text_flags")
"""Guardrails (issue 14): a manager's override of quiet hours or the daily cap, with the reason;
free text staff typed that the forbidden-content scanner flagged for the manager."""

MIGRATION_PAYER = """
ALTER TABLE payments ADD COLUMN payer TEXT NOT NULL DEFAULT '';
"""
"""Who handed over the money (交款人) when it was not the owner (``knock pay --payer``, the app's payment dialog)."""

_EVENT_LOG = """
CREATE TABLE event_log (
    arrival INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL,
    device_time TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    hash BLOB NOT NULL,
    received_at TEXT,
    prev_hash BLOB,
    UNIQUE (device_id, seq)
)"""

_EVENTS_VIEW = """
CREATE VIEW events AS
SELECT l.event_id, l.device_id, l.seq, l.author, l.device_time, l.kind, l.payload,
    lower(hex(coalesce(
        l.prev_hash,
        (SELECT p.hash FROM event_log p WHERE p.device_id = l.device_id AND p.seq = l.seq - 1),
        CASE WHEN l.seq = 1 THEN zeroblob(32) END
    ))) AS prev_hash,
    lower(hex(l.hash)) AS hash, coalesce(l.received_at, l.device_time) AS received_at, l.arrival AS rowid
FROM event_log l"""

_EVENT_LOG_NO_UPDATE = """
CREATE TRIGGER events_no_update BEFORE UPDATE ON event_log
BEGIN SELECT RAISE(ABORT, 'events is append-only: record a reversing entry instead'); END;
"""

_EVENT_LOG_NO_DELETE = """
CREATE TRIGGER events_no_delete BEFORE DELETE ON event_log
BEGIN SELECT RAISE(ABORT, 'events is append-only: record a reversing entry instead'); END;
"""

_EVENTS_VIEW_TRIGGERS = """
CREATE TRIGGER events_view_update INSTEAD OF UPDATE ON events
BEGIN
    UPDATE event_log SET event_id = NEW.event_id, device_id = NEW.device_id, seq = NEW.seq, author = NEW.author,
        device_time = NEW.device_time, kind = NEW.kind, payload = NEW.payload, received_at = NEW.received_at
    WHERE arrival = OLD.rowid;
END;
CREATE TRIGGER events_view_delete INSTEAD OF DELETE ON events
BEGIN DELETE FROM event_log WHERE arrival = OLD.rowid; END;
"""
"""The view's UPDATE writes the payload as the view shows it (JSON text), which the log also reads."""

_EVENT_LOG_GUARDS = _EVENT_LOG_NO_UPDATE + _EVENT_LOG_NO_DELETE + _EVENTS_VIEW_TRIGGERS


def _compact_events(conn: sqlite3.Connection) -> None:
    """Move the log into ``event_log``: hashes as 32-byte blobs, ``prev_hash`` kept only where it
    cannot be derived from the previous event of its device, ``received_at`` only where it is not
    the device time (a local event is received when it is written); ``events`` becomes a view
    that shows every column as before.

    Rows keep their rowid as ``arrival`` (the order replays follow; an INTEGER PRIMARY KEY, so a
    VACUUM cannot renumber it); the view shows it as ``rowid``. A stored ``prev_hash`` that
    disagrees with its predecessor (a broken chain) is kept, so ``knock check`` still sees it.
    """
    conn.create_function("knock_hash_bytes", 1, hash_bytes, deterministic=True)
    for statement in (
        _EVENT_LOG,
        "INSERT INTO event_log (arrival, event_id, device_id, seq, author, device_time, kind, payload, hash, received_at, prev_hash)"
        " SELECT e.rowid, e.event_id, e.device_id, e.seq, e.author, e.device_time, e.kind, e.payload, knock_hash_bytes(e.hash),"
        " nullif(e.received_at, e.device_time), CASE WHEN e.prev_hash IS coalesce("
        "   (SELECT p.hash FROM events p WHERE p.device_id = e.device_id AND p.seq = e.seq - 1),"
        "   CASE WHEN e.seq = 1 THEN '" + "0" * 64 + "' END)"
        " THEN NULL ELSE knock_hash_bytes(e.prev_hash) END"
        " FROM events e ORDER BY e.rowid",
        "DROP TABLE events",
        _EVENTS_VIEW,
        *split_sql(_EVENT_LOG_GUARDS),
        "DROP INDEX IF EXISTS charges_household",
    ):
        conn.execute(statement)


def split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


MIGRATION_COMPACT_EVENTS = _compact_events
"""Size (issue 13): the log stores hashes as 32 bytes and derives ``prev_hash`` (``events`` is a
view that shows both as hex, as before); ``charges_household`` is dropped because the unique key (household_id, item, …) serves
every look-up by household. ``payments_day`` and ``contacts_day`` stay: the day filters written as
date ranges (``paid_at >= ? AND paid_at < ?``) search them, where ``substr(paid_at, 1, 10) = ?`` scanned."""

MIGRATION_EVENTS_KIND = """
CREATE INDEX IF NOT EXISTS events_kind ON event_log(kind);
"""
"""The kind index is not unused after all: ``knock check``'s quick check (run when the field app
starts) counts the events of each kind against its table, and without the index each count
reads the whole log (0.9 s of CPU became 2.2 s at 100,000 households)."""

_EVENTS_VIEW_DEFLATED = _EVENTS_VIEW.replace("l.kind, l.payload,", "l.kind, knock_payload(l.payload) AS payload,")

_PAYMENT_ITEMS_WITHOUT_ROWID = """
CREATE TABLE payment_items_keyed (
    payment_id TEXT NOT NULL REFERENCES payments(payment_id),
    line INTEGER NOT NULL,
    charge_id TEXT,
    item TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    amount_fen INTEGER NOT NULL,
    PRIMARY KEY (payment_id, line)
) WITHOUT ROWID;
INSERT INTO payment_items_keyed (payment_id, line, charge_id, item, period_start, period_end, amount_fen)
    SELECT payment_id, line, charge_id, item, period_start, period_end, amount_fen FROM payment_items ORDER BY payment_id, line;
DROP TABLE payment_items;
ALTER TABLE payment_items_keyed RENAME TO payment_items;
""" + _guard("payment_items")


def _deflate_payloads(conn: sqlite3.Connection) -> None:
    """Store every payload deflated against its kind's dictionary (:mod:`knock.core.payload_codec`);
    the ``events`` view shows the canonical JSON again through ``knock_payload``. And
    ``payment_items`` becomes a WITHOUT ROWID table on its key (payment, line), so the key is the
    table instead of a second b-tree beside it."""
    payload_codec.register(conn)

    def stored(kind: str, payload: str | bytes) -> str | bytes:
        return payload_codec.stored_payload(kind, payload) if isinstance(payload, str) else payload

    conn.create_function("knock_stored_payload", 2, stored, deterministic=True)
    for statement in (
        "DROP VIEW events",
        "DROP TRIGGER events_no_update",
        "UPDATE event_log SET payload = knock_stored_payload(kind, payload)",
        _EVENTS_VIEW_DEFLATED,
        *split_sql(_EVENT_LOG_NO_UPDATE + _EVENTS_VIEW_TRIGGERS),
        *split_sql(_PAYMENT_ITEMS_WITHOUT_ROWID),
    ):
        conn.execute(statement)


MIGRATION_DEFLATED_PAYLOADS = _deflate_payloads
"""Size (issue 13): payloads deflated per kind, ``payment_items`` keyed without a rowid."""

_EVENT_NAMES = """
CREATE TABLE event_names (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
)"""
"""The device ids, authors and kinds the log names, each stored once: the log keeps their codes
(one or two bytes instead of 6-26 characters in every row and in its indexes)."""

_CODED_EVENT_LOG = """
CREATE TABLE event_log_coded (
    arrival INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    device_code INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    author_code INTEGER NOT NULL,
    device_time NOT NULL,
    kind_code INTEGER NOT NULL,
    payload NOT NULL,
    hash BLOB NOT NULL,
    received_at,
    prev_hash BLOB,
    UNIQUE (device_code, seq)
)"""

_DEVICE_TIME = sql_text("l.device_time")

_EVENTS_VIEW_CODED = f"""
CREATE VIEW events AS
SELECT l.event_id, d.name AS device_id, l.seq, a.name AS author, {_DEVICE_TIME} AS device_time, k.name AS kind,
    knock_payload(l.payload) AS payload,
    lower(hex(coalesce(
        l.prev_hash,
        (SELECT p.hash FROM event_log p WHERE p.device_code = l.device_code AND p.seq = l.seq - 1),
        CASE WHEN l.seq = 1 THEN zeroblob(32) END
    ))) AS prev_hash,
    lower(hex(l.hash)) AS hash,
    CASE WHEN l.received_at IS NULL THEN {_DEVICE_TIME} ELSE {sql_text("l.received_at")} END AS received_at,
    l.arrival AS rowid
FROM event_log l
LEFT JOIN event_names d ON d.code = l.device_code
LEFT JOIN event_names a ON a.code = l.author_code
LEFT JOIN event_names k ON k.code = l.kind_code"""
"""LEFT JOINs on the names' key: a query that does not read a name does not look it up (SQLite
drops the join), and one that filters on it (``WHERE kind = ?``) still starts from the name's index."""

_EVENTS_VIEW_CODED_TRIGGERS = """
CREATE TRIGGER events_view_update INSTEAD OF UPDATE ON events
BEGIN
    INSERT OR IGNORE INTO event_names (name) VALUES (NEW.device_id), (NEW.author), (NEW.kind);
    UPDATE event_log SET event_id = NEW.event_id,
        device_code = (SELECT code FROM event_names WHERE name = NEW.device_id), seq = NEW.seq,
        author_code = (SELECT code FROM event_names WHERE name = NEW.author),
        device_time = NEW.device_time, kind_code = (SELECT code FROM event_names WHERE name = NEW.kind),
        payload = NEW.payload, received_at = NEW.received_at
    WHERE arrival = OLD.rowid;
END;
CREATE TRIGGER events_view_delete INSTEAD OF DELETE ON events
BEGIN DELETE FROM event_log WHERE arrival = OLD.rowid; END;
"""


_FIRST_KINDS = (
    "device.registered", "community.created", "household.registered", "household.updated", "charge.added",
    "charge.reversed", "payment.recorded", "payment.voided", "receipt.printed", "contact.logged", "promise.made",
    "complaint.opened", "complaint.closed", "escalation.recorded", "staff.registered", "staff.updated",
    "assignments.set", "phone.revealed", "guard.overridden", "text.flagged", "payments.exported", "device.enrolled",
    "device.revoked", "sync.merged", "sync.flagged", "sync.flag_resolved", "sync.parked", "sync.unparked",
    "cash.counted", "signin.attempted", "signin.unlocked",
)
"""The event kinds Knock knew when the names table came (fixed here, so this migration does the
same on every ledger whenever it runs): codes 1-31. A kind added later gets its code when first written."""


def _coded_event_log(conn: sqlite3.Connection) -> None:
    """Store device ids, authors and kinds as codes of ``event_names``, and event times packed
    (:mod:`knock.core.stored_time`); the ``events`` view shows every column as before.

    The kinds Knock knows get the first codes (one byte each), then devices and authors, the
    most frequent first. Rows keep their arrival number; the log is rewritten once (the store
    VACUUMs after).
    """
    payload_codec.register(conn)
    conn.create_function("knock_stored_time", 1, stored_time, deterministic=True)
    kinds = list(_FIRST_KINDS)
    for statement in (
        "DROP VIEW events",
        _EVENT_NAMES,
        "INSERT INTO event_names (name) VALUES " + ", ".join("(?)" for _ in kinds),
        "INSERT OR IGNORE INTO event_names (name) SELECT kind FROM event_log GROUP BY kind ORDER BY COUNT(*) DESC",
        "INSERT OR IGNORE INTO event_names (name) SELECT device_id FROM event_log GROUP BY device_id ORDER BY COUNT(*) DESC",
        "INSERT OR IGNORE INTO event_names (name) SELECT author FROM event_log GROUP BY author ORDER BY COUNT(*) DESC",
        _CODED_EVENT_LOG,
        "INSERT INTO event_log_coded (arrival, event_id, device_code, seq, author_code, device_time, kind_code, payload, hash, received_at, prev_hash)"
        " SELECT l.arrival, l.event_id, d.code, l.seq, a.code, knock_stored_time(l.device_time), k.code, l.payload, l.hash,"
        " knock_stored_time(l.received_at), l.prev_hash"
        " FROM event_log l JOIN event_names d ON d.name = l.device_id JOIN event_names a ON a.name = l.author"
        " JOIN event_names k ON k.name = l.kind ORDER BY l.arrival",
        "DROP TABLE event_log",
        "ALTER TABLE event_log_coded RENAME TO event_log",
        "CREATE INDEX events_kind ON event_log(kind_code)",
        _EVENTS_VIEW_CODED,
        *split_sql(_EVENT_LOG_NO_UPDATE + _EVENT_LOG_NO_DELETE + _EVENTS_VIEW_CODED_TRIGGERS),
    ):
        conn.execute(statement, kinds if statement.startswith("INSERT INTO event_names (name) VALUES") else ())


MIGRATION_CODED_EVENT_LOG = _coded_event_log
"""Size (issue 13): names as codes, times packed, in the log and its indexes."""

Migration = str | Callable[[sqlite3.Connection], None]
"""A script of SQL statements, or a function for what SQL alone cannot do (run in the migration's transaction)."""

MIGRATIONS: list[Migration] = [
    MIGRATION_1,
    MIGRATION_SYNC,
    MIGRATION_SIGNIN,
    MIGRATION_LIVE_PAYMENTS,
    MIGRATION_BILLING,
    MIGRATION_REMINDERS,
    MIGRATION_PAYER,
    MIGRATION_GUARDRAILS,
    MIGRATION_COMPACT_EVENTS,
    MIGRATION_EVENTS_KIND,
    MIGRATION_DEFLATED_PAYLOADS,
    MIGRATION_CODED_EVENT_LOG,
]

VACUUM_AFTER: frozenset[int] = frozenset(
    MIGRATIONS.index(migration) + 1 for migration in (MIGRATION_COMPACT_EVENTS, MIGRATION_DEFLATED_PAYLOADS, MIGRATION_CODED_EVENT_LOG)
)
"""Migrations that rewrite most of the file: when an existing ledger has just run one, the store
VACUUMs once, so the space of the old table goes back to the disk instead of staying as free pages."""

APPEND_ONLY_TABLES: tuple[str, ...] = _APPEND_ONLY + _FACT_TABLES + ("cash_counts", "sync_merges", "payment_exports", "exported_facts", "guard_overrides", "text_flags")
"""Every table whose rows are never updated or deleted (``knock check`` looks for their triggers)."""
"""Migration N is MIGRATIONS[N-1]; PRAGMA user_version records how many ran."""
