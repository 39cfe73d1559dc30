"""The day's assignment from the ledger: gather the planner's inputs, plan, record.

The planner (:mod:`knock.core.assignment`) never sees the database; this
module reads what it needs from the projections, decides which households
are hard cases and who is ruled out by a complaint, and records the result
as one ``assignments.set`` event through the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knock.core.accounts import account
from knock.core.assignment import AssignableHousehold, AssignableStaff, AssignmentPlan, plan_assignment
from knock.core.ledger import ESCALATION_STEPS, Ledger
from knock.core.reports import overdue_by_household
from knock.core.store import Store
from knock.settings import Settings

HARD_CASE_MIN_MONTHS = 3
"""Months owed that, with enough refusals, make a household a hard case."""
HARD_CASE_MIN_REFUSALS = 2
"""Refusals at the door or on the phone that, with enough months owed, make a hard case."""


def is_hard_case(*, escalated: bool, months_owed: int, refusals: int) -> bool:
    """Whether only customer-service staff or managers should visit.

    A household is a hard case once a letter has gone out (dunning letter,
    lawyer's letter or the legal department), or when it owes three months or
    more and has refused at least twice. The playbook's ``wilful_refusal``
    debtor type may replace this rule; it is kept in this one place for that.
    """
    return escalated or (months_owed >= HARD_CASE_MIN_MONTHS and refusals >= HARD_CASE_MIN_REFUSALS)


@dataclass(frozen=True)
class AssignmentInputs:
    """What the planner needs for one day, read from the ledger."""

    day: date
    households: tuple[AssignableHousehold, ...]
    staff: tuple[AssignableStaff, ...]
    previous: dict[str, str]
    """household_id -> staff_id on ``previous_day``."""
    previous_day: date | None
    """The most recent earlier day with an assignment, if any."""


def load_assignment_inputs(store: Store, settings: Settings, day: date) -> AssignmentInputs:
    """Households in arrears on ``day``, active staff, and the last earlier assignment."""
    overdue = overdue_by_household(store, day)
    staff_rows = store.query("SELECT staff_id, name, role FROM staff WHERE active = 1 ORDER BY staff_id")
    staff = tuple(AssignableStaff(r["staff_id"], r["name"], r["role"]) for r in staff_rows)
    # A complaint may name the staff member by id or by name; a shared name rules out all who bear it.
    ids_by_key: dict[str, set[str]] = {}
    for r in store.query("SELECT staff_id, name FROM staff"):
        ids_by_key.setdefault(r["staff_id"], set()).add(r["staff_id"])
        ids_by_key.setdefault(r["name"], set()).add(r["staff_id"])
    excluded: dict[str, set[str]] = {}
    for r in store.query("SELECT household_id, staff_involved FROM complaints WHERE status = 'open' AND staff_involved != ''"):
        excluded.setdefault(r["household_id"], set()).update(ids_by_key.get(r["staff_involved"].strip(), ()))
    marks = ",".join("?" * len(ESCALATION_STEPS))
    escalated = {r["household_id"] for r in store.query(f"SELECT DISTINCT household_id FROM escalations WHERE step IN ({marks})", ESCALATION_STEPS)}
    refusals = {
        r["household_id"]: int(r["n"])
        for r in store.query("SELECT household_id, COUNT(*) AS n FROM contacts WHERE outcome = 'refused' AND substr(at, 1, 10) <= ? GROUP BY household_id", (day.isoformat(),))
    }
    households = []
    for r in store.query("SELECT household_id, building, unit, floor, room_no FROM households ORDER BY household_id"):
        hid = r["household_id"]
        if hid not in overdue:
            continue
        n_refused = refusals.get(hid, 0)
        # Months owed needs the household's account; only worth reading when the refusals already count.
        months = account(store, hid, day, settings).months_owed if n_refused >= HARD_CASE_MIN_REFUSALS and hid not in escalated else 0
        households.append(
            AssignableHousehold(
                household_id=hid,
                building=r["building"],
                unit=r["unit"],
                floor=int(r["floor"]),
                room=r["room_no"],
                hard_case=is_hard_case(escalated=hid in escalated, months_owed=months, refusals=n_refused),
                excluded_staff=frozenset(excluded.get(hid, ())),
            )
        )
    previous_day_text = store.scalar("SELECT MAX(day) FROM assignments WHERE day < ?", (day.isoformat(),))
    previous: dict[str, str] = {}
    if previous_day_text:
        previous = {r["household_id"]: r["staff_id"] for r in store.query("SELECT household_id, staff_id FROM assignments WHERE day = ?", (previous_day_text,))}
    return AssignmentInputs(
        day=day,
        households=tuple(households),
        staff=staff,
        previous=previous,
        previous_day=date.fromisoformat(previous_day_text) if previous_day_text else None,
    )


def plan_day(store: Store, settings: Settings, day: date) -> tuple[AssignmentInputs, AssignmentPlan]:
    """Plan ``day`` without recording anything (for a preview)."""
    inputs = load_assignment_inputs(store, settings, day)
    return inputs, plan_assignment(inputs.households, inputs.staff, inputs.previous)


def assign_day(ledger: Ledger, day: date, *, author: str = "system") -> AssignmentPlan:
    """Plan ``day`` and record it with :meth:`Ledger.set_assignments` (one event, replacing that day)."""
    # Read and write in one transaction, so a payment merged meanwhile cannot slip between them.
    with ledger.store.transaction():
        _, plan = plan_day(ledger.store, ledger.settings, day)
        ledger.set_assignments(day, plan.assignments, author=author)
    return plan
