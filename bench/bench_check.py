"""What the ledger's integrity check costs: the quick check the field app runs at every start, and ``--full``.

Builds a sample community, then times the quick check against a floor measured
in the same run (one ``SELECT COUNT(*) FROM events``), interleaved, and the full
check (every hash, a replay of every event). Prints medians, wall and CPU time.

    .venv/bin/python bench/bench_check.py [--households 1800] [--repeat 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knock.core.integrity import full_check, quick_check  # noqa: E402
from knock.home import open_home  # noqa: E402
from knock.sample.community import build_sample  # noqa: E402


def _time(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1800)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = open_home(Path(tmp) / "home")
        build_sample(home.ledger, seed=1, households=args.households, arrears=args.households // 3, staff=max(4, args.households // 30))
        events = home.store.scalar("SELECT COUNT(*) FROM events")
        floor: list[tuple[float, float]] = []
        quick: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            floor.append(_time(lambda: home.store.scalar("SELECT COUNT(*) FROM events")))
            quick.append(_time(lambda: quick_check(home.store)))
        full = [_time(lambda: full_check(home.store)) for _ in range(max(1, args.repeat // 3))]
        home.close()

    def med(rows: list[tuple[float, float]], i: int) -> float:
        return statistics.median(r[i] for r in rows)

    print(f"{args.households:,} households, {events:,} events")
    print(f"  floor (COUNT events)   wall {med(floor, 0):8.1f} ms   cpu {med(floor, 1):8.1f} ms")
    print(f"  quick check (app start) wall {med(quick, 0):8.1f} ms   cpu {med(quick, 1):8.1f} ms")
    print(f"  full check (--full)    wall {med(full, 0):8.1f} ms   cpu {med(full, 1):8.1f} ms")


if __name__ == "__main__":
    main()
