"""The sample is built in a private file beside the ledger and renamed over it when complete.

What that must not change: the finished ledger is WAL with synchronous=FULL, has every index a
ledger has, passes the full check, keeps its owner-only permissions and the events the home had
before; the home goes on working on it. What it adds: a failed build leaves the old file exactly
as it was and no private file behind, and a ledger another program has open is refused.
"""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from knock.core import integrity
from knock.core.store import Store, StoreError
from knock.home import Home, open_home
from knock.sample import build_sample
from knock.sample import community

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 19, 30, tzinfo=CST)


def _open(path: Path) -> Home:
    return open_home(path, clock=lambda: NOW)


def _schema(db: Path | str) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()


def _dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name)


def test_the_built_ledger_is_durable_complete_and_in_use(tmp_path: Path) -> None:
    home = _open(tmp_path / "home")
    before = [tuple(r) for r in home.store.query("SELECT event_id, hash FROM events ORDER BY rowid")]
    assert before  # the device's own registration, written when the home was opened
    summary = build_sample(home, seed=3, households=120, arrears=40, staff=8)
    db = tmp_path / "home" / "knock.db"
    assert home.store.scalar("PRAGMA journal_mode") == "wal"
    assert home.store.scalar("PRAGMA synchronous") == 2
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # the file itself, as any program opens it
    empty = Store(tmp_path / "empty.db")
    empty.close()
    assert _schema(db) == _schema(tmp_path / "empty.db")  # every index back, nothing else
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert _leftovers(db.parent) == []
    assert [tuple(r) for r in home.store.query("SELECT event_id, hash FROM events ORDER BY rowid LIMIT ?", (len(before),))] == before
    assert home.store.scalar("SELECT COUNT(*) FROM households") == summary.households == 120
    assert home.store.scalar("SELECT COUNT(*) FROM assignments") > 0
    assert integrity.full_check(home.store) == []  # what `knock check --full` runs
    # The home writes on: the new file, its own chain continued.
    room = home.store.scalar("SELECT room FROM households ORDER BY room LIMIT 1")
    home.ledger.log_contact(room, channel="door", outcome="not_home", collector=home.store.scalar("SELECT staff_id FROM staff LIMIT 1"),
                            at=NOW - timedelta(hours=1))
    assert home.ledger.journal.verify_chain(home.ledger.device.device_id) == []
    home.close()
    again = _open(tmp_path / "home")
    assert again.store.scalar("SELECT COUNT(*) FROM contacts") == summary.contacts + 1
    again.close()


def test_a_failed_build_leaves_the_old_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _open(tmp_path / "home")
    db = tmp_path / "home" / "knock.db"
    before = _dump(db)
    real = community.write_plan

    def failing(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # everything written, then the failure at the very end
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(community, "write_plan", failing)
    with pytest.raises(RuntimeError, match="disk went away"):
        build_sample(home, seed=3, households=60, arrears=20, staff=5)
    assert _leftovers(db.parent) == []
    assert _dump(db) == before  # every table, row and index as it was (only the header's change counter moved)
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 0
    assert home.store.scalar("PRAGMA journal_mode") == "wal"
    monkeypatch.setattr(community, "write_plan", real)
    assert build_sample(home, seed=3, households=60, arrears=20, staff=5).households == 60  # and it can be built after all
    home.close()


def test_a_ledger_another_program_has_open_is_refused_and_left_alone(tmp_path: Path) -> None:
    home = _open(tmp_path / "home")
    other = sqlite3.connect(tmp_path / "home" / "knock.db")
    other.execute("SELECT COUNT(*) FROM event_log").fetchone()  # open, and idle
    try:
        with pytest.raises(StoreError, match="another program has this ledger open"):
            build_sample(home, seed=3, households=30, arrears=10, staff=4)
    finally:
        other.close()
    assert _leftovers(tmp_path / "home") == []
    assert home.store.scalar("PRAGMA journal_mode") == "wal"
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 0
    assert build_sample(home, seed=3, households=30, arrears=10, staff=4).households == 30
    home.close()


@pytest.mark.parametrize("fails", [False, True])
@pytest.mark.parametrize("collecting", [True, False])
def test_the_cycle_collector_is_paused_for_the_build_and_handed_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool, collecting: bool
) -> None:
    import gc

    home = _open(tmp_path / "home")
    seen: list[bool] = []
    real = community.write_plan

    def watching(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        if fails:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(community, "write_plan", watching)
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        if fails:
            with pytest.raises(OSError):
                build_sample(home, seed=3, households=20, arrears=5, staff=3)
        else:
            build_sample(home, seed=3, households=20, arrears=5, staff=3)
        assert seen == [False]
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
        home.close()


def test_a_file_left_by_a_killed_build_is_cleared_by_the_next_one(tmp_path: Path) -> None:
    home = _open(tmp_path / "home")
    folder = tmp_path / "home"
    (folder / ".knock.db.building-99999").write_bytes(b"half a ledger")
    (folder / ".knock.db.building-99999-journal").write_bytes(b"")
    build_sample(home, seed=3, households=20, arrears=5, staff=3)
    assert _leftovers(folder) == []
    assert home.store.scalar("SELECT COUNT(*) FROM households") == 20
    home.close()
