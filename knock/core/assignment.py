"""Contracting the day's arrears households out to staff: the planner.

The campaign gives every household in arrears to one named staff member, and
the team lead re-runs the split every night. The split has to respect rules
in a fixed order of importance, and this module is built around that order:

1. Hard cases (wilful refusal, letter stage) go only to customer-service
   staff or managers; a guard must never walk into a lawyer's-letter dispute.
2. Nobody is sent to a household whose open complaint names them: the seeds
   say to send "someone other than the person involved".
3. Loads are even: the most and the least loaded collector differ by at most
   one household. Rules 1 and 2 can make that impossible (say, 40 hard cases
   and two managers); then the spread is made as small as the rules allow, and
   the plan says so, rather than quietly handing a hard case to a guard.
4. Stability: a collector keeps yesterday's households wherever 1-3 allow,
   because the relationship with the owner is the collector's main tool.
5. Locality: a building's households stay with as few collectors as possible
   (short walks, and one familiar face per stairwell).

Why the steps look the way they do:

* Households are walked in (building, unit, floor, room) order and handed out
  greedily, preferring the collector who already works that unit, then that
  building, then the nearest building. On a first day this cuts the sorted
  list into contiguous runs, which is the best a simple rule can do for
  locality; on later days new households join the collector already nearby.
* Yesterday's pairs are placed first and the greedy fills up around them, so
  stability costs nothing unless the balance forces a move.
* Hard cases are placed before ordinary households and shared evenly among
  the staff allowed to take them, so that one customer-service person does not
  end up with every difficult door while a colleague has none. Ordinary
  households then fill everybody up to a common level, so that when hard cases
  overload the few who may take them, the rest still split the remainder
  evenly and the repair has little left to do.
* The greedy alone cannot guarantee rules 1-3 together (a collector allowed
  to take a hard case may already be full). The repair step uses the theory of
  semi-matchings (Harvey, Ladner, Lovász and Tamir, 2003): an assignment has
  the most even loads that the eligibility rules allow exactly when there is
  no chain "A gives a household to B, B gives one to C, ..., ending at a
  collector with at least two fewer households than A". The repair finds such
  chains with a breadth-first search (the fewest hand-overs, so the fewest
  owners who see a new face) and applies them until none is left. When it
  stops, the spread is provably the smallest possible, so "balance within one
  whenever feasible" is a theorem here, not a hope. A collector with no chain
  keeps having none until a chain touches someone they can reach, so such
  collectors are not searched again; without that, a community with many hard
  cases and few managers took a minute instead of a fraction of a second.
* Within a chain, the household handed over is the one that hurts least:
  never one kept from yesterday if another will do, then one that does not
  open a new building for the receiver or leaves the giver's building.

The planner is a pure function of plain values: no database, no clock. The
result does not depend on the order of its inputs; ties are broken by staff
id and by location, so the same inputs always give the same plan.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from knock.core.rooms import natural_key, walk_key

HARD_CASE_ROLES = frozenset({"customer_service", "manager"})
"""Roles that may be given hard cases (wilful refusal, letter stage)."""

K = TypeVar("K")

_MAX_LISTED = 10
"""How many room codes a problem message lists before it says "and N more"."""


@dataclass(frozen=True)
class AssignableHousehold:
    """One household in arrears, as the planner sees it."""

    household_id: str
    building: str
    unit: str
    floor: int
    room: str
    """The room number within the unit (``501``)."""
    hard_case: bool = False
    """Only customer-service staff or managers may take it."""
    excluded_staff: frozenset[str] = frozenset()
    """Staff ids named in the household's open complaints: never send them."""

    @property
    def code(self) -> str:
        """The ``building-unit-room`` code, for messages."""
        return f"{self.building}-{self.unit}-{self.room}"


@dataclass(frozen=True)
class AssignableStaff:
    """One active staff member who can be given households."""

    staff_id: str
    name: str
    role: str

    @property
    def can_take_hard(self) -> bool:
        """Customer-service staff and managers may take hard cases."""
        return self.role in HARD_CASE_ROLES


@dataclass(frozen=True)
class CollectorPlan:
    """One collector's share of the day."""

    staff_id: str
    name: str
    role: str
    households: int
    hard_cases: int
    kept: int
    """How many of these households the collector also had yesterday."""
    buildings: tuple[str, ...]
    """Buildings the collector works in, in walking order."""


@dataclass(frozen=True)
class AssignmentPlan:
    """The day's split: who visits which household, and what could not be done."""

    assignments: Mapping[str, str]
    """household_id -> staff_id, for every household that could be assigned."""
    unassigned: tuple[str, ...]
    """household_ids that no active staff member may take (see ``problems``)."""
    problems: tuple[str, ...]
    """Plain sentences for the team lead: what the rules made impossible."""
    collectors: tuple[CollectorPlan, ...]
    """Every active staff member, including those given nothing, by staff id."""
    kept: int
    """Households that stay with yesterday's collector."""
    carried_over: int
    """Households that were assigned yesterday and are still in arrears today."""
    loads: Mapping[str, int] = field(init=False)
    """staff_id -> households, for every active staff member (0 included)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "loads", {c.staff_id: c.households for c in self.collectors})

    @property
    def min_load(self) -> int:
        """The lightest collector's count (0 with no staff)."""
        return min(self.loads.values(), default=0)

    @property
    def max_load(self) -> int:
        """The heaviest collector's count (0 with no staff)."""
        return max(self.loads.values(), default=0)

    @property
    def spread(self) -> int:
        """max - min load; at most 1 whenever the rules allow it."""
        return self.max_load - self.min_load

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "assignments": dict(sorted(self.assignments.items())),
            "unassigned": list(self.unassigned),
            "problems": list(self.problems),
            "collectors": [
                {
                    "staff_id": c.staff_id,
                    "name": c.name,
                    "role": c.role,
                    "households": c.households,
                    "hard_cases": c.hard_cases,
                    "kept": c.kept,
                    "buildings": list(c.buildings),
                }
                for c in self.collectors
            ],
            "min_load": self.min_load,
            "max_load": self.max_load,
            "kept": self.kept,
            "carried_over": self.carried_over,
        }


def location_key(h: AssignableHousehold) -> tuple[object, ...]:
    """The walking order (:func:`knock.core.rooms.walk_key`), then id, so the order is total."""
    return (walk_key(h.building, h.unit, h.floor, h.room), h.household_id)


def _listed(codes: Sequence[str]) -> str:
    shown = ", ".join(codes[:_MAX_LISTED])
    more = len(codes) - _MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


class _Board:
    """The assignment being built: who holds what, with per-building counts for locality."""

    def __init__(self, homes: list[AssignableHousehold], staff: list[AssignableStaff], previous: Mapping[str, str]) -> None:
        self.homes = homes
        self.staff = staff
        self.index = {s.staff_id: i for i, s in enumerate(staff)}
        self.capable = [s.can_take_hard for s in staff]
        self.excluded = [frozenset(self.index[x] for x in h.excluded_staff if x in self.index) for h in homes]
        # A household eligible for everybody makes its holder a neighbour of everybody in the repair search.
        self.free = [not h.hard_case and not self.excluded[i] for i, h in enumerate(homes)]
        self.was = [self.index.get(previous.get(h.household_id, ""), -1) for h in homes]
        buildings = sorted({h.building for h in homes}, key=natural_key)
        self.building_pos = {b: i for i, b in enumerate(buildings)}
        self.owner: list[int] = [-1] * len(homes)
        self.holdings: list[set[int]] = [set() for _ in staff]
        self.hard_load = [0] * len(staff)
        self.in_building: list[dict[str, int]] = [{} for _ in staff]
        self.in_unit: list[dict[tuple[str, str], int]] = [{} for _ in staff]
        # The same counts seen from the other side, so the greedy asks a unit or a building who
        # works there instead of asking every collector (that made the planner O(households x staff)).
        self.building_staff: list[set[int]] = [set() for _ in buildings]
        """building position -> staff holding at least one household there."""
        self.unit_staff: dict[tuple[str, str], set[int]] = {}
        """(building, unit) -> staff holding at least one household there."""
        self.capable_staff = [s for s in range(len(staff)) if self.capable[s]]

    def eligible(self, i: int, s: int) -> bool:
        """Rules 1 and 2: may staff ``s`` take household ``i``?"""
        return (self.capable[s] or not self.homes[i].hard_case) and s not in self.excluded[i]

    def load(self, s: int) -> int:
        return len(self.holdings[s])

    def may_anyone(self, i: int) -> bool:
        """Is at least one staff member allowed to take household ``i``?"""
        pool = self.capable_staff if self.homes[i].hard_case else range(len(self.staff))
        return any(s not in self.excluded[i] for s in pool)

    def give(self, i: int, s: int) -> None:
        old = self.owner[i]
        h = self.homes[i]
        unit = (h.building, h.unit)
        if old >= 0:
            self.holdings[old].discard(i)
            self.hard_load[old] -= h.hard_case
            if not _bump(self.in_building[old], h.building, -1):
                self.building_staff[self.building_pos[h.building]].discard(old)
            if not _bump(self.in_unit[old], unit, -1):
                self.unit_staff[unit].discard(old)
        self.owner[i] = s
        self.holdings[s].add(i)
        self.hard_load[s] += h.hard_case
        if _bump(self.in_building[s], h.building, 1) == 1:
            self.building_staff[self.building_pos[h.building]].add(s)
        if _bump(self.in_unit[s], unit, 1) == 1:
            self.unit_staff.setdefault(unit, set()).add(s)

    def distance(self, s: int, building: str) -> int:
        """How many buildings (in walking order) lie between ``building`` and the nearest one ``s`` works in."""
        if not self.in_building[s]:
            return len(self.building_pos) + 1
        here = self.building_pos[building]
        return min(abs(self.building_pos[b] - here) for b in self.in_building[s])

    # -- rule 3: the repair ----------------------------------------------------------------

    def neighbours(self, a: int) -> list[int]:
        """Staff that ``a`` could hand at least one of its households to."""
        m = len(self.staff)
        if any(self.free[i] for i in self.holdings[a]):
            return [b for b in range(m) if b != a]
        found = [False] * m
        for i in self.holdings[a]:
            for b in range(m):
                if not found[b] and b != a and self.eligible(i, b):
                    found[b] = True
        return [b for b in range(m) if found[b]]

    def reducing_chain(self, src: int) -> tuple[list[int] | None, set[int]]:
        """The shortest chain of hand-overs from ``src`` to a collector with 2+ fewer households.

        Also returns everyone ``src`` can reach: while none of them changes,
        ``src`` stays without a chain, which lets :meth:`balance` skip it.
        """
        parent = {src: src}
        dist = {src: 0}
        queue = deque([src])
        while queue:
            a = queue.popleft()
            for b in self.neighbours(a):
                if b not in parent:
                    parent[b] = a
                    dist[b] = dist[a] + 1
                    queue.append(b)
        limit = self.load(src) - 2
        targets = [t for t in parent if t != src and self.load(t) <= limit]
        if not targets:
            return None, set(parent)
        target = min(targets, key=lambda t: (dist[t], self.load(t), t))
        chain = [target]
        while chain[-1] != src:
            chain.append(parent[chain[-1]])
        chain.reverse()
        return chain, set(parent)

    def hand_over_cost(self, i: int, a: int, b: int) -> tuple[object, ...]:
        """How much moving household ``i`` from ``a`` to ``b`` hurts stability and locality."""
        h = self.homes[i]
        opens = 1 if self.in_building[b].get(h.building, 0) == 0 else 0
        leaves = 1 if self.in_building[a].get(h.building, 0) == 1 else 0
        unit_opens = 1 if self.in_unit[b].get((h.building, h.unit), 0) == 0 else 0
        unit_leaves = 1 if self.in_unit[a].get((h.building, h.unit), 0) == 1 else 0
        return (
            self.was[i] == a,
            opens - leaves,
            unit_opens - unit_leaves,
            self.distance(b, h.building),
            -self.in_building[a].get(h.building, 0),
            i,
        )

    def apply_chain(self, chain: list[int]) -> None:
        # Hand over from the far end first; the chain is shortest, so no household travels twice.
        for a, b in reversed(list(zip(chain, chain[1:]))):
            i = min((i for i in self.holdings[a] if self.eligible(i, b)), key=lambda i: self.hand_over_cost(i, a, b))
            self.give(i, b)

    def balance(self) -> None:
        """Apply reducing chains until none is left: the loads are then as even as the rules allow."""
        m = len(self.staff)
        # src -> the staff it reached when it had no chain. A chain that touches none of them
        # changes none of their holdings, so src still has no chain and need not be searched again.
        stuck: dict[int, set[int]] = {}
        while True:
            loads = [self.load(s) for s in range(m)]
            lowest = min(loads)
            for src in sorted(range(m), key=lambda s: (-loads[s], s)):
                if loads[src] - lowest < 2:
                    return
                if src in stuck:
                    continue
                chain, reached = self.reducing_chain(src)
                if chain is None:
                    stuck[src] = reached
                    continue
                self.apply_chain(chain)
                touched = set(chain)
                stuck = {s: seen for s, seen in stuck.items() if not (seen & touched)}
                break
            else:
                return

    def stuck_group(self) -> list[int]:
        """The heaviest collectors and everyone they could hand households to (all at least max-1)."""
        top = max(self.load(s) for s in range(len(self.staff)))
        seen = [s for s in range(len(self.staff)) if self.load(s) == top]
        queue = deque(seen)
        found = set(seen)
        while queue:
            a = queue.popleft()
            for b in self.neighbours(a):
                if b not in found:
                    found.add(b)
                    seen.append(b)
                    queue.append(b)
        return sorted(seen)


def _water_level(loads: list[int], k: int) -> tuple[int, int]:
    """Pour ``k`` households onto ``loads``: the level everyone below reaches, and how many get one more."""
    level = min(loads)
    while True:
        needed = sum(max(0, level + 1 - x) for x in loads)
        if needed > k:
            return level, k - sum(max(0, level - x) for x in loads)
        level += 1


def _bump(counts: dict[K, int], key: K, by: int) -> int:
    """Add ``by`` to ``counts[key]``, dropping the key at zero; returns the new count."""
    value = counts.get(key, 0) + by
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)
    return value


class _Fill:
    """One pass of the greedy (the hard cases, or the ordinary households): who gets the next household.

    The greedy gives household ``i`` to the collector that minimises, over everyone ``ok``
    (allowed to take it, and not yet full)::

        (-households in its unit, -households in its building, distance to the nearest building
         it works in, not the collector of the previous household, load, staff index)

    Looking at every collector for every household made the planner O(households x staff):
    34 s of a 100,000-household sample. This finds the same collector from the board's indexes:
    first among those who work in the unit, then in the building, then building by building
    outwards in walking order (the first ring with anyone ``ok`` holds exactly the collectors
    at that distance), and last among those who hold nothing yet (all at the same, largest,
    distance, so the lowest index wins).

    ``full(s)`` says a collector can take nothing more in this pass. It must never turn back to
    False during the pass (loads only grow while the greedy places households, and the limits
    only tighten), so a building whose collectors are all full is dropped from the outward walk
    for good, and the walk stays short. Every collector that ``ok`` accepts is not ``full``.
    """

    def __init__(self, board: _Board, members: Sequence[int], full: Callable[[int], bool]) -> None:
        self.board = board
        self.full = full
        self.members = frozenset(members)
        self.positions = [p for p, there in enumerate(board.building_staff) if any(self._open(s) for s in there)]
        """Building positions (ascending) where someone may still be ``ok``."""
        self.listed = set(self.positions)
        self.empties = [s for s in sorted(members) if not board.holdings[s]]
        """Members who held nothing when the pass began, by index; they only fill up."""
        self.first_empty = 0

    def _open(self, s: int) -> bool:
        return s in self.members and not self.full(s)

    def choose(self, i: int, ok: Callable[[int], bool], last: int) -> int | None:
        """The collector the greedy prefers for household ``i`` among those ``ok``, or None if nobody is."""
        board = self.board
        h = board.homes[i]
        unit = (h.building, h.unit)
        found = [s for s in board.unit_staff.get(unit, ()) if ok(s)]
        if found:
            return min(found, key=lambda s: (-board.in_unit[s][unit], -board.in_building[s][h.building], s != last, board.load(s), s))
        here = board.building_pos[h.building]
        found = [s for s in board.building_staff[here] if ok(s)]
        if found:
            return min(found, key=lambda s: (-board.in_building[s][h.building], s != last, board.load(s), s))
        positions = self.positions
        below, above = bisect_left(positions, here) - 1, bisect_right(positions, here)
        closed: list[int] = []
        while not found and (below >= 0 or above < len(positions)):
            down = here - positions[below] if below >= 0 else len(board.building_pos)
            up = positions[above] - here if above < len(positions) else len(board.building_pos)
            step = min(down, up)
            if down == step:
                self._look(positions[below], ok, found, closed)
                below -= 1
            if up == step:
                self._look(positions[above], ok, found, closed)
                above += 1
        for p in closed:
            positions.pop(bisect_left(positions, p))
            self.listed.discard(p)
        if found:
            return min(found, key=lambda s: (s != last, board.load(s), s))
        empties = self.empties
        while self.first_empty < len(empties) and board.holdings[empties[self.first_empty]]:
            self.first_empty += 1
        for k in range(self.first_empty, len(empties)):
            s = empties[k]
            if board.holdings[s] or s in board.excluded[i]:
                continue
            return s if ok(s) else None  # those who hold nothing are all equally full or not
        return None

    def _look(self, position: int, ok: Callable[[int], bool], found: list[int], closed: list[int]) -> None:
        still_open = False
        for s in self.board.building_staff[position]:
            if self._open(s):
                still_open = True
                if ok(s):
                    found.append(s)
        if not still_open:
            closed.append(position)

    def gave(self, i: int) -> None:
        """After household ``i`` was given: its building may have a new collector who is not full."""
        position = self.board.building_pos[self.board.homes[i].building]
        if position not in self.listed:
            self.listed.add(position)
            insort(self.positions, position)


def plan_assignment(
    households: Sequence[AssignableHousehold],
    staff: Sequence[AssignableStaff],
    previous: Mapping[str, str],
) -> AssignmentPlan:
    """Split ``households`` among ``staff`` (all active), keeping ``previous`` pairs where the rules allow.

    ``previous`` maps household_id -> staff_id (yesterday's assignment); pairs
    whose household or staff member is gone are ignored. Households that no
    staff member may take are left out of ``assignments`` and explained in
    ``problems``; they are never given to someone the rules forbid.
    """
    staff_list = sorted(staff, key=lambda s: s.staff_id)
    if len({s.staff_id for s in staff_list}) != len(staff_list):
        raise ValueError("staff ids must be unique")
    homes = sorted(households, key=location_key)
    if len({h.household_id for h in homes}) != len(homes):
        raise ValueError("household ids must be unique")
    board = _Board(homes, staff_list, previous)
    m = len(staff_list)
    problems: list[str] = []

    # Who may take what; households nobody may take are reported and set aside.
    unassignable: list[int] = []
    if m == 0:
        unassignable = list(range(len(homes)))
        if homes:
            problems.append(f"{len(homes)} households in arrears but no active staff: nobody was assigned")
    else:
        anyone_capable = any(board.capable)
        no_capable = [i for i, h in enumerate(homes) if h.hard_case and not anyone_capable]
        if no_capable:
            problems.append(
                f"{len(no_capable)} hard cases but no active customer-service staff or manager: "
                f"left unassigned ({_listed([homes[i].code for i in no_capable])})"
            )
        set_aside = set(no_capable)
        all_excluded = [i for i in range(len(homes)) if i not in set_aside and not board.may_anyone(i)]
        if all_excluded:
            problems.append(
                f"{len(all_excluded)} households have an open complaint naming every staff member allowed to visit them: "
                f"left unassigned ({_listed([homes[i].code for i in all_excluded])})"
            )
        unassignable = sorted(no_capable + all_excluded)
    skip = set(unassignable)
    todo = [i for i in range(len(homes)) if i not in skip]

    if todo:
        # Rule 4 first: yesterday's pairs that the rules still allow.
        fresh: list[int] = []
        for i in todo:
            s = board.was[i]
            if s >= 0 and board.eligible(i, s):
                board.give(i, s)
            else:
                fresh.append(i)

        # Hard cases first, aiming at the even split (everybody q, r collectors q + 1), shared evenly
        # among the staff allowed to take them.
        q, r = divmod(len(todo), m)
        hard_q, hard_r = divmod(sum(1 for i in todo if homes[i].hard_case), sum(board.capable) or 1)
        last = -1
        # Each household goes to the collector who already works its unit, then its building, then
        # the nearest building, among those not yet full (_Fill finds them without asking everyone);
        # when everyone allowed is full, the lightest is overfilled and the repair sorts it out.

        def lightest(i: int) -> int:
            pool = board.capable_staff if homes[i].hard_case else range(m)
            return min((s for s in pool if s not in board.excluded[i]), key=lambda s: (board.load(s), s))

        over = sum(1 for t in range(m) if board.load(t) > q)
        hard_over = sum(1 for t in range(m) if board.hard_load[t] > hard_q)

        def roomy_q(s: int) -> bool:
            return board.load(s) < q or (board.load(s) == q and over < r)

        hard_fill = _Fill(board, board.capable_staff, lambda s: not roomy_q(s))
        for i in fresh:
            if not homes[i].hard_case:
                continue
            excluded = board.excluded[i]

            def may(s: int) -> bool:
                return board.capable[s] and s not in excluded and roomy_q(s)  # noqa: B023 (used within this iteration)

            def evenly(s: int) -> bool:
                return may(s) and (board.hard_load[s] < hard_q or (board.hard_load[s] == hard_q and hard_over < hard_r))

            chosen = hard_fill.choose(i, evenly, last)
            if chosen is None:
                chosen = hard_fill.choose(i, may, last)
            last = lightest(i) if chosen is None else chosen
            board.give(i, last)
            hard_fill.gave(i)
            over += board.load(last) == q + 1
            hard_over += board.hard_load[last] == hard_q + 1

        # Ordinary households then fill everybody up to a common water level. When hard cases
        # overload the few who may take them, the level is lower than q, and the others share
        # the ordinary households evenly instead of leaving the repair a long way to go.
        ordinary = [i for i in fresh if not homes[i].hard_case]
        level, extra = _water_level([board.load(s) for s in range(m)], len(ordinary))

        def roomy_level(s: int) -> bool:
            return board.load(s) < level or (board.load(s) == level and extra > 0)

        fill = _Fill(board, range(m), lambda s: not roomy_level(s))
        for i in ordinary:
            excluded = board.excluded[i]
            chosen = fill.choose(i, lambda s: s not in excluded and roomy_level(s), last)  # noqa: B023
            last = lightest(i) if chosen is None else chosen
            if board.load(last) == level:
                extra -= 1
            board.give(i, last)
            fill.gave(i)

        # Rule 3: make the loads as even as rules 1 and 2 allow.
        board.balance()

    return _finished_plan(board, homes, staff_list, todo, unassignable, previous, problems)


def _finished_plan(
    board: _Board,
    homes: Sequence[AssignableHousehold],
    staff_list: Sequence[AssignableStaff],
    todo: Sequence[int],
    unassignable: Sequence[int],
    previous: Mapping[str, str],
    problems: list[str],
) -> AssignmentPlan:
    """The plan as the office reads it, from a filled board: why loads are uneven, who holds what.

    Why its own function: the reference planner in the tests fills the same board by the old rules
    and must report it the same way, so the equivalence test compares the filling, not two copies
    of this report.
    """
    m = len(staff_list)
    if m:
        loads = [board.load(s) for s in range(m)]
        if max(loads) - min(loads) > 1:
            group = board.stuck_group()
            hard = sum(board.hard_load[s] for s in group)
            causes = []
            if hard:
                causes.append(f"{hard} hard cases that only customer-service staff or managers may take")
            if any(board.excluded[i] for s in group for i in board.holdings[s]):
                causes.append("open complaints that rule out other collectors")
            names = ", ".join(staff_list[s].name for s in group)
            problems.append(
                f"loads range from {min(loads)} to {max(loads)} households, not within one of each other: "
                f"{names} hold households nobody else may take ({'; '.join(causes) or 'eligibility rules'})"
            )

    assignments = {homes[i].household_id: staff_list[board.owner[i]].staff_id for i in todo}
    kept = sum(1 for i in todo if board.was[i] == board.owner[i])
    carried_over = sum(1 for h in homes if h.household_id in previous)
    collectors = []
    for s, member in enumerate(staff_list):
        mine = sorted(board.holdings[s])
        buildings: list[str] = []
        for i in mine:
            if not buildings or buildings[-1] != homes[i].building:
                buildings.append(homes[i].building)
        collectors.append(
            CollectorPlan(
                staff_id=member.staff_id,
                name=member.name,
                role=member.role,
                households=len(mine),
                hard_cases=board.hard_load[s],
                kept=sum(1 for i in mine if board.was[i] == s),
                buildings=tuple(buildings),
            )
        )
    return AssignmentPlan(
        assignments=assignments,
        unassigned=tuple(homes[i].household_id for i in unassignable),
        problems=tuple(problems),
        collectors=tuple(collectors),
        kept=kept,
        carried_over=carried_over,
    )
