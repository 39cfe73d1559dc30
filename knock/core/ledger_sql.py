"""Read a ledger with SQL from a shell, the ``events`` view included: ``python -m knock.core.ledger_sql DB SQL``.

Why: the log stores payloads deflated and names as codes (issue 13), so a plain ``sqlite3`` shell
reads every table but not the ``events`` view, which needs Knock's ``knock_payload`` function.
This opens the file read-only with that function and prints each row tab-separated under a
header line, for an auditor or a developer:

    .venv/bin/python -m knock.core.ledger_sql ~/knock/knock.db \\
        "SELECT device_time, kind, json_extract(payload, '$.amount_fen') FROM events WHERE kind = 'payment.recorded'"
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from knock.core.payload_codec import PayloadDictionaryError
from knock.core.store import Store, StoreError


def run(db: Path, sql: str) -> int:
    """Print the rows of ``sql`` on ``db``; returns the exit status (2 with a message on stderr when it cannot)."""
    if not db.is_file():
        print(f"{db}: no such ledger file", file=sys.stderr)
        return 2
    try:
        store = Store(db, read_only=True)
    except (StoreError, PayloadDictionaryError) as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        cursor = store.conn.execute(sql)
        if cursor.description:
            print("\t".join(c[0] for c in cursor.description))
            for row in cursor:
                print("\t".join("" if v is None else v.hex() if isinstance(v, bytes) else str(v) for v in row))
    except sqlite3.Error as exc:
        print(f"{db}: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m knock.core.ledger_sql DB SQL``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m knock.core.ledger_sql LEDGER.db 'SELECT …'", file=sys.stderr)
        return 2
    return run(Path(args[0]), args[1])


if __name__ == "__main__":
    raise SystemExit(main())
