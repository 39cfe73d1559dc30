"""The indexed greedy picks exactly the collector the old scan over every staff member picked.

``plan_assignment`` no longer asks every collector about every household (issue 13: that was
O(households x staff), a third of a 100,000-household sample build). The old function is kept
in :mod:`tests.assignment.reference_planner` as the oracle; on random communities, with hard
cases, complaints, yesterday's pairs, staff who left and buildings spread apart, both must
return the very same plan.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knock.core.assignment import AssignableHousehold, AssignableStaff, plan_assignment
from tests.assignment.reference_planner import reference_plan

ROLES = ("guard", "cleaner", "maintenance", "customer_service", "manager")


def _random_case(rng: random.Random, *, households: int, staff: int, buildings: int) -> tuple[list[AssignableHousehold], list[AssignableStaff], dict[str, str]]:
    hard_share = rng.choice([0.0, 0.05, 0.3, 0.8])
    capable_share = rng.choice([0.0, 0.1, 0.3, 1.0])
    excluded_share = rng.choice([0.0, 0.02, 0.2])
    previous_share = rng.choice([0.0, 0.3, 0.9])
    members = [
        AssignableStaff(f"s{k:04d}", f"员工{k}", rng.choice(("customer_service", "manager")) if rng.random() < capable_share else rng.choice(ROLES[:3]))
        for k in rng.sample(range(10 * staff + 10), staff)
    ]
    ids = [s.staff_id for s in members]
    # Buildings with gaps in their numbers and names that sort naturally (2 before 10), some with letters.
    names = rng.sample([*map(str, range(1, 4 * buildings + 2)), "A", "B12", "C3"], buildings)
    rooms: set[tuple[str, str, int, int]] = set()
    households = min(households, buildings * 3 * 12 * 4)  # no more households than rooms
    while len(rooms) < households:
        rooms.add((rng.choice(names), str(rng.randint(1, 3)), rng.randint(1, 12), rng.randint(1, 4)))
    homes = [
        AssignableHousehold(
            f"h{b}-{u}-{f}{r:02d}", b, u, f, f"{f}{r:02d}",
            hard_case=rng.random() < hard_share,
            excluded_staff=frozenset(rng.sample(ids, min(len(ids), rng.randint(1, 3)))) if ids and rng.random() < excluded_share else frozenset(),
        )
        for b, u, f, r in sorted(rooms)
    ]
    previous = {h.household_id: rng.choice([*ids, "gone"]) for h in homes if ids and rng.random() < previous_share}
    return homes, members, previous


@pytest.mark.parametrize("seed", range(60))
def test_same_plan_as_the_scan_over_every_collector(seed: int) -> None:
    rng = random.Random(seed)
    case = _random_case(rng, households=rng.randint(0, 400), staff=rng.randint(1, 40), buildings=rng.randint(1, 25))
    assert plan_assignment(*case) == reference_plan(*case)


def test_same_plan_on_a_sample_sized_community() -> None:
    """The sample's shape: about 30 arrears households per collector, 6% hard cases, no yesterday."""
    rng = random.Random(13)
    homes, members, _ = _random_case(rng, households=3000, staff=100, buildings=60)
    assert plan_assignment(homes, members, {}) == reference_plan(homes, members, {})


@st.composite
def communities(draw: st.DrawFn):
    n_staff = draw(st.integers(1, 8))
    members = [AssignableStaff(f"s{k:02d}", f"staff{k}", draw(st.sampled_from(ROLES))) for k in range(n_staff)]
    ids = [s.staff_id for s in members]
    rooms = draw(st.lists(st.tuples(st.integers(1, 9), st.integers(1, 2), st.integers(1, 6), st.integers(1, 2)), max_size=40, unique=True))
    homes = []
    for b, u, f, r in rooms:
        excluded = frozenset(draw(st.lists(st.sampled_from(ids), max_size=3)) if draw(st.integers(0, 4)) == 0 else [])
        homes.append(AssignableHousehold(f"h{b}-{u}-{f}{r:02d}", str(b), str(u), f, f"{f}{r:02d}", draw(st.integers(0, 3)) == 0, excluded))
    previous = {h.household_id: draw(st.sampled_from([*ids, "gone"])) for h in homes if draw(st.booleans())}
    return homes, members, previous


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(communities())
def test_same_plan_on_small_edge_cases(case) -> None:
    assert plan_assignment(*case) == reference_plan(*case)
