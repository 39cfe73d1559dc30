"""``knock assign``: contract every arrears household out to one active staff member for the day."""

from __future__ import annotations

from datetime import date

import click

from knock.cli.common import DATE, domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.core.assignment import AssignmentPlan
from knock.core.assignment_db import assign_day, plan_day


@click.command()
@home_option
@json_option
@click.option("--date", "day", type=DATE, help="The day to assign (default today).")
@click.option("--by", "author", default="", help="Name or id of the staff member making the assignment.")
@click.option("--dry-run", is_flag=True, help="Show the plan without recording it.")
@domain_errors
def assign(home_dir: str | None, as_json: bool, day: date | None, author: str, dry_run: bool) -> None:
    """Split the day's arrears households among active staff and record it.

    Loads are even to within one household; hard cases go only to
    customer-service staff or managers; nobody is sent to a household whose
    open complaint names them; yesterday's collector is kept where possible.
    """
    home = open_cli_home(home_dir)
    try:
        day = day or home.ledger.today()
        author_id = home.ledger.staff(author).staff_id if author else "system"
        inputs, plan = plan_day(home.store, home.settings, day)
        if not dry_run:
            plan = assign_day(home.ledger, day, author=author_id)
    finally:
        home.close()
    if as_json:
        data = plan.to_dict()
        data.update({"day": day.isoformat(), "previous_day": inputs.previous_day.isoformat() if inputs.previous_day else None, "recorded": not dry_run})
        emit_json(data)
        return
    _print_plan(plan, day, inputs.previous_day, recorded=not dry_run)


def _print_plan(plan: AssignmentPlan, day: date, previous_day: date | None, *, recorded: bool) -> None:
    assigned = len(plan.assignments)
    heading = "assignment" if recorded else "plan (not recorded)"
    if not assigned and not plan.unassigned:
        click.echo(f"{heading} for {day}: no households in arrears")
        return
    click.echo(f"{heading} for {day}: {assigned} households, {len(plan.collectors)} collectors, {plan.min_load}–{plan.max_load} households each")
    if previous_day is not None:
        click.echo(f"  kept with the same collector as on {previous_day}: {plan.kept} of {plan.carried_over}")
    if plan.collectors:
        click.echo(f"  {'name':<10} {'role':<17} {'households':>10} {'hard':>5} {'kept':>5}  buildings")
        for c in plan.collectors:
            click.echo(f"  {c.name:<10} {c.role:<17} {c.households:>10} {c.hard_cases:>5} {c.kept:>5}  {', '.join(c.buildings) or '-'}")
    if plan.problems:
        click.echo("problems:")
        for problem in plan.problems:
            click.echo(f"  - {problem}")
