"""How fast ``knock`` starts: ``knock --help`` and ``knock pay`` as whole processes, against their floors.

Every figure is a fresh process, as a person at a terminal (or a script) runs it,
with Python's byte code cached (as an installed Knock has it).
Each command is measured against a floor run in the same round, interleaved
(the order flips every round), and medians are reported, CPU time (the child's
user + system time from ``getrusage(RUSAGE_CHILDREN)``) beside wall time. CPU
time is the figure to trust on a shared machine.

- ``knock --help`` and ``knock pay --help`` against ``python -c "import sqlite3"``;
- ``knock pay`` (one real payment on a small sample home) against a script that
  opens a copy of the same ledger with the same pragmas (WAL, synchronous=FULL),
  inserts one row and commits.

    .venv/bin/python bench/bench_startup.py [--rounds 15] [--households 200]

Targets (issue 13): ``--help`` <= 5x its floor, ``pay`` <= 6x its floor (CPU medians).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR_COMMIT = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA synchronous=FULL")
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO bench_floor (note) VALUES (?)", ("one payment's worth of durable write",))
conn.execute("COMMIT")
conn.close()
"""
"""The floor for ``knock pay``: open the ledger as the store does, write one row durably, commit."""


@dataclass
class Sample:
    """The runs of one command: wall and CPU milliseconds per run."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median_wall(self) -> float:
        return statistics.median(self.wall)

    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def knock_command() -> list[str]:
    """The installed ``knock`` console script next to this interpreter (what a person runs)."""
    script = Path(sys.executable).parent / "knock"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from knock.cli.main import cli; sys.exit(cli())"]


def run(argv: list[str], sample: Sample, env: dict[str, str]) -> None:
    """Run one process to its end; add its wall and CPU time to ``sample``. A failing run stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"benchmark run failed ({done.returncode}): {' '.join(argv)}\n{done.stderr.decode(errors='replace')}")
    sample.wall.append(wall * 1000)
    sample.cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)


def build_home(target: Path, households: int, env: dict[str, str]) -> tuple[str, str]:
    """A small sample home; returns a room that owes money and a collector's name."""
    subprocess.run([*knock_command(), "sample", "--home", str(target), "--households", str(households)], env=env, check=True, stdout=subprocess.DEVNULL)
    import sqlite3

    conn = sqlite3.connect(target / "knock.db")
    try:
        room = conn.execute(
            "SELECT h.room FROM households h JOIN charges c USING (household_id) GROUP BY h.room ORDER BY SUM(c.amount_fen) DESC LIMIT 1"
        ).fetchone()[0]
        collector = conn.execute("SELECT name FROM staff WHERE active = 1 ORDER BY staff_id LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return room, collector


def floor_ledger(source: Path, target: Path) -> Path:
    """A copy of the ledger with one extra table for the floor to write to."""
    target.mkdir(parents=True)
    db = target / "knock.db"
    shutil.copy2(source / "knock.db", db)
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
    conn.commit()
    conn.close()
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="Interleaved rounds; medians over these.")
    parser.add_argument("--households", type=int, default=200, help="Households in the small sample home for knock pay.")
    args = parser.parse_args()
    knock = knock_command()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        # Byte code is cached, as on a machine where Knock is installed: a shell with
        # PYTHONDONTWRITEBYTECODE would otherwise recompile every Knock module on every start.
        # The cache goes to a folder of the run's own (the floor's runs share it too).
        env = {k: v for k, v in os.environ.items() if k not in ("KNOCK_HOME", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE")}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        home = Path(tmp) / "home"
        room, collector = build_home(home, args.households, env)
        floor_db = floor_ledger(home, Path(tmp) / "floor")
        floor_script = Path(tmp) / "floor_commit.py"
        floor_script.write_text(FLOOR_COMMIT, encoding="utf-8")
        # Amount 0.01 with --again: every round is a real, accepted payment on the same household.
        pay = [*knock, "pay", room, "0.01", "--method", "cash", "--collector", collector, "--again", "--home", str(home)]
        pairs: list[tuple[str, list[str], str, list[str]]] = [
            ("knock --help", [*knock, "--help"], 'python -c "import sqlite3"', [sys.executable, "-c", "import sqlite3"]),
            ("knock pay --help", [*knock, "pay", "--help"], 'python -c "import sqlite3"', [sys.executable, "-c", "import sqlite3"]),
            ("knock pay (small home)", pay, "open ledger, insert 1 row, commit", [sys.executable, str(floor_script), str(floor_db)]),
        ]
        samples = {label: (Sample(), Sample()) for label, *_ in pairs}
        for warm in pairs:  # one untimed run each: the page cache and the byte-code cache are warm for every round
            run(warm[1], Sample(), env)
            run(warm[3], Sample(), env)
        for round_no in range(args.rounds):
            for label, command, _floor_label, floor in pairs:
                a, b = samples[label]
                order = [(command, a), (floor, b)]
                for argv, sample in order if round_no % 2 == 0 else reversed(order):
                    run(argv, sample, env)

    print(f"knock start-up: {args.rounds} interleaved rounds, medians; small home = {args.households} households")
    print(f"{'measure':<26} {'cpu ms':>8} {'wall ms':>8}   {'floor':<34} {'cpu ms':>8} {'wall ms':>8}   {'cpu x':>6} {'wall x':>6}")
    for label, _command, floor_label, _floor in pairs:
        a, b = samples[label]
        print(
            f"{label:<26} {a.median_cpu():8.1f} {a.median_wall():8.1f}   {floor_label:<34} {b.median_cpu():8.1f} {b.median_wall():8.1f}"
            f"   {a.median_cpu() / b.median_cpu():5.1f}x {a.median_wall() / b.median_wall():5.1f}x"
        )
    print("targets: knock --help <= 5x, knock pay <= 6x its floor (CPU)")


if __name__ == "__main__":
    main()
