"""The planner's greedy as it was before it was indexed (issue 13): the oracle for the equivalence test.

``plan_assignment`` used to pick each household's collector with a ``min()`` over every staff
member (O(households x staff)); it now finds the same collector from indexes by unit, building
and distance. This copy of the old function, running on the same ``_Board``, must give the very
same plan for any input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from knock.core.assignment import (
    AssignableHousehold,
    AssignableStaff,
    AssignmentPlan,
    _Board,
    _finished_plan,
    _listed,
    _water_level,
    location_key,
)


def reference_plan(
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
        no_capable = [i for i, h in enumerate(homes) if h.hard_case and not any(board.capable)]
        if no_capable:
            problems.append(
                f"{len(no_capable)} hard cases but no active customer-service staff or manager: "
                f"left unassigned ({_listed([homes[i].code for i in no_capable])})"
            )
        set_aside = set(no_capable)
        all_excluded = [i for i in range(len(homes)) if i not in set_aside and not any(board.eligible(i, s) for s in range(m))]
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

        def place(i: int, roomy: list[int], allowed: list[int]) -> int:
            h = homes[i]
            if not roomy:  # everyone allowed is full: overfill the lightest, and let the repair sort it out
                return min(allowed, key=lambda s: (board.load(s), s))
            return min(
                roomy,
                key=lambda s: (
                    -board.in_unit[s].get((h.building, h.unit), 0),
                    -board.in_building[s].get(h.building, 0),
                    board.distance(s, h.building),
                    s != last,
                    board.load(s),
                    s,
                ),
            )

        for i in fresh:
            if not homes[i].hard_case:
                continue
            allowed = [s for s in range(m) if board.eligible(i, s)]
            over = sum(1 for t in range(m) if board.load(t) > q)
            hard_over = sum(1 for t in range(m) if board.hard_load[t] > hard_q)
            roomy = [s for s in allowed if board.load(s) < q or (board.load(s) == q and over < r)]
            roomy = [s for s in roomy if board.hard_load[s] < hard_q or (board.hard_load[s] == hard_q and hard_over < hard_r)] or roomy
            last = place(i, roomy, allowed)
            board.give(i, last)

        # Ordinary households then fill everybody up to a common water level. When hard cases
        # overload the few who may take them, the level is lower than q, and the others share
        # the ordinary households evenly instead of leaving the repair a long way to go.
        ordinary = [i for i in fresh if not homes[i].hard_case]
        level, extra = _water_level([board.load(s) for s in range(m)], len(ordinary))
        for i in ordinary:
            allowed = [s for s in range(m) if board.eligible(i, s)]
            roomy = [s for s in allowed if board.load(s) < level or (board.load(s) == level and extra > 0)]
            last = place(i, roomy, allowed)
            if board.load(last) == level:
                extra -= 1
            board.give(i, last)

        # Rule 3: make the loads as even as rules 1 and 2 allow.
        board.balance()

    return _finished_plan(board, homes, staff_list, todo, unassignable, previous, problems)  # the same report of the board
