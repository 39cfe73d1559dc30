"""Write NEW payload dictionaries (knock/core/payload_codec.py) from a sample ledger.

A shipped dictionary never changes: this writes files under new id bytes, starting at
``--first-id``; add them to ``DICTIONARIES`` with the SHA-256 it prints. Use a sample built by
``knock sample`` (fake people only), so no real person's data ends up in the package:

    knock sample --home /tmp/dicts --households 20000
    .venv/bin/python scripts/payload_dicts.py /tmp/dicts/knock.db --first-id 1

Each file is payloads of its kind (one JSON line each, a fixed-seed random choice), up to
``--size`` bytes, the most typical last (deflate reaches the end of a dictionary with the
shortest codes). Kinds with fewer than ``--min-events`` events share the ``*`` dictionary,
made of payloads of every kind.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from knock.core import payload_codec  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "knock" / "core" / "payload_dicts"


def _fill(lines: list[bytes], size: int) -> bytes:
    out: list[bytes] = []
    total = 0
    for line in lines:
        if total + len(line) + 1 > size:
            continue
        out.append(line)
        total += len(line) + 1
    return b"\n".join(reversed(out)) + b"\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--first-id", type=int, required=True)
    parser.add_argument("--size", type=int, default=16000)
    parser.add_argument("--min-events", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    payload_codec.register(conn)
    by_kind: dict[str, list[bytes]] = defaultdict(list)
    for kind, payload in conn.execute("SELECT kind, payload FROM events ORDER BY rowid"):
        text = payload.encode("utf-8")
        if len(text) < args.size // 4:
            by_kind[kind].append(text)
    rng = random.Random(args.seed)
    files: list[tuple[str, bytes]] = []
    mixed: list[bytes] = []
    for kind in sorted(by_kind):
        lines = by_kind[kind]
        rng.shuffle(lines)
        mixed += lines[:200]
        if len(lines) >= args.min_events:
            files.append((kind, _fill(lines, args.size)))
    rng.shuffle(mixed)
    files.insert(0, ("*", _fill(mixed, args.size)))
    number = args.first_id
    for kind, data in files:
        name = f"{number:02d}-{'any' if kind == '*' else kind}.jsonl"
        (OUT / name).write_bytes(data)
        print(f'    {number}: ("{kind}", "{name}", "{hashlib.sha256(data).hexdigest()}"),')
        number += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
