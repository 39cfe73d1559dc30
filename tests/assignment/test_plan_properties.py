"""The planner's rules, checked on random communities against an independent max-flow oracle."""

from __future__ import annotations

import random
from collections import Counter, deque

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knock.core.assignment import AssignableHousehold, AssignableStaff, plan_assignment

ROLES = ("guard", "cleaner", "maintenance", "customer_service", "manager")


# -- an oracle that knows nothing of the planner: can loads lie in [low, high]? ---------------------


def _max_flow(capacity: dict[int, dict[int, int]], source: int, sink: int) -> int:
    """Edmonds-Karp on a dict-of-dicts graph (small graphs only)."""
    flow = 0
    while True:
        parent = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            a = queue.popleft()
            for b, cap in capacity[a].items():
                if cap > 0 and b not in parent:
                    parent[b] = a
                    queue.append(b)
        if sink not in parent:
            return flow
        b = sink
        while b != source:
            a = parent[b]
            capacity[a][b] -= 1
            capacity[b][a] = capacity[b].get(a, 0) + 1
            b = a
        flow += 1


def _feasible(edges: list[list[int]], m: int, low: int, high: int) -> bool:
    """Is there an assignment with every staff load in [low, high]? (edges[i] = staff household i may go to)

    Each staff member gets ``low`` compulsory slots straight to the sink and
    ``high - low`` optional ones through a shared node that only lets the
    remainder through; a full flow saturates every compulsory slot.
    """
    n = len(edges)
    if n < m * low or n > m * high:
        return False
    source, sink, extra = 0, 1, 2
    hh = lambda i: 3 + i  # noqa: E731
    ss = lambda s: 3 + n + s  # noqa: E731
    cap: dict[int, dict[int, int]] = {v: {} for v in range(3 + n + m)}
    for i, allowed in enumerate(edges):
        cap[source][hh(i)] = 1
        for s in allowed:
            cap[hh(i)][ss(s)] = 1
    for s in range(m):
        cap[ss(s)][sink] = low
        cap[ss(s)][extra] = high - low
    cap[extra][sink] = n - m * low
    return _max_flow(cap, source, sink) == n


def _best_spread(edges: list[list[int]], m: int) -> int:
    n = len(edges)
    q = n // m
    best = n
    for low in range(q + 1):
        for high in range(max(low, -(-n // m)), n + 1):
            if high - low >= best:
                break
            if _feasible(edges, m, low, high):
                best = high - low
                break
    return best


# -- random communities ---------------------------------------------------------------------------


@st.composite
def communities(draw: st.DrawFn, *, free: bool = False, max_households: int = 30):
    n_staff = draw(st.integers(1, 7))
    staff = [AssignableStaff(f"s{k:02d}", f"staff{k}", "guard" if free else draw(st.sampled_from(ROLES))) for k in range(n_staff)]
    ids = [s.staff_id for s in staff]
    n = draw(st.integers(0, max_households))
    households = []
    rooms = draw(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(1, 9), st.integers(1, 2)), min_size=n, max_size=n, unique=True))
    for b, u, f, r in rooms:
        hard = False if free else draw(st.integers(0, 3)) == 0
        excluded = frozenset() if free else frozenset(draw(st.lists(st.sampled_from(ids), max_size=2)) if draw(st.integers(0, 4)) == 0 else [])
        households.append(AssignableHousehold(f"h{b}-{u}-{f}{r:02d}", str(b), str(u), f, f"{f}{r:02d}", hard, excluded))
    previous = {}
    for h in households:
        if draw(st.booleans()):
            previous[h.household_id] = draw(st.sampled_from([*ids, "gone"]))
    return households, staff, previous


def _allowed(h: AssignableHousehold, s: AssignableStaff) -> bool:
    return (s.can_take_hard or not h.hard_case) and s.staff_id not in h.excluded_staff


FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Quick enough for every run; the oracle test below gets more examples."""


@settings(FAST, max_examples=100)
@given(communities())
def test_rules_hold_and_loads_are_as_even_as_the_rules_allow(case) -> None:
    households, staff, previous = case
    plan = plan_assignment(households, staff, previous)
    by_id = {s.staff_id: s for s in staff}
    # every household assigned exactly once, or set aside because nobody may take it
    assert set(plan.assignments).isdisjoint(plan.unassigned)
    assert set(plan.assignments) | set(plan.unassigned) == {h.household_id for h in households}
    for h in households:
        if h.household_id in plan.assignments:
            assert _allowed(h, by_id[plan.assignments[h.household_id]])  # rules 1 and 2
        else:
            assert not any(_allowed(h, s) for s in staff)
            assert plan.problems
    # loads cover every active staff member and add up
    assert set(plan.loads) == set(by_id)
    assert sum(plan.loads.values()) == len(plan.assignments) == Counter(plan.assignments.values()).total()
    assert all(plan.loads[sid] == n for sid, n in Counter(plan.assignments.values()).items())
    # rule 3: the spread is the smallest any assignment could have (within one whenever that is possible)
    order = sorted(staff, key=lambda s: s.staff_id)
    edges = [[k for k, s in enumerate(order) if _allowed(h, s)] for h in households if h.household_id in plan.assignments]
    best = _best_spread(edges, len(order))
    assert plan.spread == best
    assert (plan.spread > 1) == any("loads range" in p for p in plan.problems)


@FAST
@given(communities(), st.randoms(use_true_random=False))
def test_same_inputs_in_any_order_give_the_same_plan(case, rnd: random.Random) -> None:
    households, staff, previous = case
    first = plan_assignment(households, staff, previous)
    households, staff = list(households), list(staff)
    rnd.shuffle(households)
    rnd.shuffle(staff)
    again = plan_assignment(households, staff, dict(reversed(list(previous.items()))))
    assert again == first


@FAST
@given(communities())
def test_a_plan_fed_back_as_yesterday_comes_back_unchanged(case) -> None:
    households, staff, previous = case
    first = plan_assignment(households, staff, previous)
    second = plan_assignment(households, staff, first.assignments)
    assert second.assignments == first.assignments
    assert second.kept == len(first.assignments)


@FAST
@given(communities(free=True, max_households=40))
def test_only_the_balance_moves_anyone_from_yesterdays_collector(case) -> None:
    """With no hard cases or complaints, exactly as many households move as the even split forces."""
    households, staff, previous = case
    plan = plan_assignment(households, staff, previous)
    ids = {s.staff_id for s in staff}
    had = Counter(previous[h.household_id] for h in households if previous.get(h.household_id) in ids)
    q, r = divmod(len(households), len(staff))
    # the cheapest even split gives the r extra places to those who had most
    ranked = sorted(ids, key=lambda sid: -had[sid])
    must_move = sum(max(0, had[sid] - (q + 1 if k < r else q)) for k, sid in enumerate(ranked))
    assert plan.spread <= 1
    assert sum(had.values()) - plan.kept == must_move
