"""The planner on a realistic community: day-to-day stability, short walks, and what it reports."""

from __future__ import annotations

import math
import random
from statistics import mean

import pytest

from knock.core.assignment import AssignableHousehold, AssignableStaff, AssignmentPlan, plan_assignment
from knock.core.rooms import natural_key


def _community(buildings: int = 30, units: int = 2, floors: int = 6, per_floor: int = 2) -> list[AssignableHousehold]:
    return [
        AssignableHousehold(f"{b}-{u}-{f}{r:02d}", str(b), str(u), f, f"{f}{r:02d}")
        for b in range(1, buildings + 1)
        for u in range(1, units + 1)
        for f in range(1, floors + 1)
        for r in range(1, per_floor + 1)
    ]


def _staff(n: int, capable: int = 0) -> list[AssignableStaff]:
    return [AssignableStaff(f"s{k:03d}", f"员工{k}", "customer_service" if k < capable else "guard") for k in range(n)]


def _collectors_per_building(plan: AssignmentPlan, households: list[AssignableHousehold]) -> dict[str, int]:
    seen: dict[str, set[str]] = {}
    for h in households:
        seen.setdefault(h.building, set()).add(plan.assignments[h.household_id])
    return {b: len(v) for b, v in seen.items()}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_collectors_keep_their_households_from_day_to_day(seed: int) -> None:
    rng = random.Random(seed)
    everyone = _community()
    day1 = rng.sample(everyone, 600)
    staff = _staff(58, capable=6)
    plan1 = plan_assignment(day1, staff, {})
    assert plan1.spread <= 1 and not plan1.problems
    # overnight: about one in ten pays up, a few dozen new households fall behind
    still = [h for h in day1 if rng.random() > 0.1]
    fresh = rng.sample([h for h in everyone if h not in day1], 45)
    day2 = still + fresh
    plan2 = plan_assignment(day2, staff, plan1.assignments)
    assert plan2.spread <= 1 and not plan2.problems
    kept = sum(plan2.assignments[h.household_id] == plan1.assignments[h.household_id] for h in still)
    assert plan2.kept == kept and plan2.carried_over == len(still)
    assert kept >= 0.9 * len(still)


def test_a_collector_who_leaves_hands_over_only_their_own_households() -> None:
    households = _community(buildings=10)
    staff = _staff(12)
    plan1 = plan_assignment(households, staff, {})
    gone = staff[5].staff_id
    plan2 = plan_assignment(households, [s for s in staff if s.staff_id != gone], plan1.assignments)
    assert plan2.spread <= 1
    moved = [hid for hid, sid in plan2.assignments.items() if plan1.assignments[hid] != sid]
    theirs = [hid for hid, sid in plan1.assignments.items() if sid == gone]
    # the leaver's households are shared out; everyone else's stay put
    assert sorted(moved) == sorted(theirs)


def test_a_buildings_households_stay_with_few_collectors() -> None:
    households = _community(buildings=30)  # 24 households a building, 720 in all
    staff = _staff(50)
    plan = plan_assignment(households, staff, {})
    assert plan.spread <= 1
    per_building = _collectors_per_building(plan, households)
    # nobody can take more than max_load, so a building needs at least ceil(24 / max_load) collectors
    floor_avg = mean(math.ceil(24 / plan.max_load) for _ in per_building)
    assert mean(per_building.values()) <= floor_avg + 1
    # and a collector's round is one or two neighbouring buildings
    for c in plan.collectors:
        assert len(c.buildings) <= 2
        if len(c.buildings) == 2:
            first, second = sorted(c.buildings, key=natural_key)
            assert int(second) - int(first) == 1


def test_locality_with_scattered_arrears_and_hard_cases() -> None:
    rng = random.Random(7)
    households = [
        AssignableHousehold(h.household_id, h.building, h.unit, h.floor, h.room, hard_case=rng.random() < 0.05)
        for h in rng.sample(_community(buildings=40), 600)
    ]
    staff = _staff(58, capable=6)
    plan = plan_assignment(households, staff, {})
    assert plan.spread <= 1
    per_building = _collectors_per_building(plan, households)
    sizes = {b: sum(h.building == b for h in households) for b in per_building}
    bound = mean(math.ceil(n / plan.max_load) for n in sizes.values())
    # guards work contiguous runs; the scattered hard cases add about one visitor a building
    assert mean(per_building.values()) <= bound + 1.5
    assert all(len(c.buildings) <= 2 for c in plan.collectors if c.role == "guard")


def test_hard_cases_without_customer_service_are_reported_not_given_to_guards() -> None:
    households = [
        AssignableHousehold(f"1-1-{k}01", "1", "1", k, f"{k}01", hard_case=k <= 12)
        for k in range(1, 21)
    ]
    plan = plan_assignment(households, _staff(3), {})
    assert len(plan.unassigned) == 12 and len(plan.assignments) == 8
    assert plan.problems == (
        "12 hard cases but no active customer-service staff or manager: left unassigned "
        "(1-1-101, 1-1-201, 1-1-301, 1-1-401, 1-1-501, 1-1-601, 1-1-701, 1-1-801, 1-1-901, 1-1-1001 and 2 more)",
    )
    assert plan.spread <= 1


def test_more_hard_cases_than_balance_allows_relaxes_balance_only_as_needed() -> None:
    households = [
        AssignableHousehold(f"{b}-1-{f}01", str(b), "1", f, f"{f}01", hard_case=b == 1)
        for b in (1, 2, 3)
        for f in range(1, 11)
    ]  # 10 hard cases in building 1, 20 ordinary households
    staff = _staff(5, capable=1)
    plan = plan_assignment(households, staff, {})
    hard_taker = staff[0].staff_id
    assert plan.loads[hard_taker] == 10
    assert sorted(plan.loads[s.staff_id] for s in staff[1:]) == [5, 5, 5, 5]
    assert len(plan.problems) == 1 and "loads range from 5 to 10" in plan.problems[0] and "10 hard cases" in plan.problems[0]


def test_the_person_named_in_a_complaint_is_replaced_even_if_they_had_it_yesterday() -> None:
    households = _community(buildings=2)
    staff = _staff(4)
    plan1 = plan_assignment(households, staff, {})
    target = households[0]
    named = plan1.assignments[target.household_id]
    households[0] = AssignableHousehold(target.household_id, target.building, target.unit, target.floor, target.room, excluded_staff=frozenset({named}))
    plan2 = plan_assignment(households, staff, plan1.assignments)
    assert plan2.assignments[target.household_id] != named
    assert plan2.spread <= 1
    assert plan2.kept >= len(households) - 2  # the household itself, and at most one to rebalance


def test_nothing_to_do_and_nobody_to_do_it() -> None:
    empty = plan_assignment([], _staff(3), {})
    assert empty.assignments == {} and empty.spread == 0 and not empty.problems
    nobody = plan_assignment(_community(buildings=1), [], {})
    assert nobody.assignments == {} and len(nobody.unassigned) == 24
    assert nobody.problems == ("24 households in arrears but no active staff: nobody was assigned",)


def test_many_hard_cases_and_few_managers_is_quick_and_as_even_as_possible() -> None:
    rng = random.Random(11)
    households = [
        AssignableHousehold(h.household_id, h.building, h.unit, h.floor, h.room, hard_case=rng.random() < 0.4)
        for h in rng.sample(_community(buildings=60), 1200)
    ]
    staff = _staff(40, capable=4)
    hard = sum(h.hard_case for h in households)
    plan = plan_assignment(households, staff, {h.household_id: rng.choice(staff).staff_id for h in households})
    managers = sorted(plan.loads[s.staff_id] for s in staff[:4])
    guards = sorted(plan.loads[s.staff_id] for s in staff[4:])
    assert managers[-1] - managers[0] <= 1 and sum(managers) == hard  # they take every hard case and nothing else
    assert guards[-1] - guards[0] <= 1 and sum(guards) == 1200 - hard
    assert len(plan.problems) == 1 and f"{hard} hard cases" in plan.problems[0]
