"""``knock sample``: build the demo community into an empty home."""

from __future__ import annotations

import click

from knock.cli.common import domain_errors, emit_json, home_option, is_tty, json_option, open_cli_home
from knock.core.money import format_yuan
from knock.core.reports import community_status
from knock.sample import build_sample, default_sizes

SITUATION_LABELS: dict[str, str] = {
    "paid_up": "paid up",
    "not_yet_paid": "not yet paid",
    "agrees_no_show": "agrees but never comes (broken promises)",
    "unreachable": "unreachable",
    "defect_dispute": "building-defect dispute (open complaint)",
    "vacant": "vacant home",
    "soured": "soured relationship (past staff complaint)",
    "busy_away": "busy or away",
    "wilful_refusal": "wilful refusal (dunning letters sent)",
}
"""How the summary names each debtor situation."""


@click.command()
@home_option
@json_option
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same community.")
@click.option("--households", type=click.IntRange(min=1), default=1800, show_default=True, help="Number of homes.")
@click.option("--arrears", type=click.IntRange(min=0), help="Homes in arrears (default: a third of the homes).")
@click.option("--staff", type=click.IntRange(min=1), help="Staff members (default: 58 per 1,800 homes).")
@click.option("--buildings", type=click.IntRange(min=1), help="Buildings (default: one per 100 homes).")
@domain_errors
def sample(
    home_dir: str | None, as_json: bool, seed: int, households: int, arrears: int | None, staff: int | None,
    buildings: int | None,
) -> None:
    """Build a realistic sample community (households, staff, bills, payments, history) into an EMPTY home.

    Every debtor type appears: broken promises, unreachable owners, an open
    defect dispute, vacant homes, a soured relationship, owners who are busy
    or away, and long-term refusers with dunning and lawyer's letters.
    """
    home = open_cli_home(home_dir)
    existing = int(home.store.scalar("SELECT COUNT(*) FROM households"))
    if existing:
        raise click.ClickException(
            f"{home.path} already has {existing} households; a sample is never mixed into other data. Build the sample into a new, empty home: "
            f"knock sample --home NEW_FOLDER"
        )
    arrears, staff, buildings = default_sizes(households, arrears, staff, buildings)
    if arrears > households:
        raise click.BadParameter(f"cannot exceed --households ({households})", param_hint="--arrears")
    if buildings > households:
        raise click.BadParameter(f"cannot exceed --households ({households})", param_hint="--buildings")

    def progress(done: int, total: int) -> None:
        if is_tty() and not as_json:
            click.echo(f"\r  {done:,} / {total:,} households", nl=done == total)

    summary = build_sample(home, seed=seed, households=households, arrears=arrears, staff=staff, buildings=buildings, progress=progress)
    report = community_status(home.store, summary.today, home.settings.targets.collection_rate_percent, home.settings.escalation.limitation_years)
    if as_json:
        emit_json({**summary.to_dict(), "home": str(home.path), "status": report.to_dict()})
        return
    click.echo(f"{summary.community} — {summary.address}")
    click.echo(f"  home: {home.path}   seed {summary.seed}, as of {summary.today}, built in {summary.seconds:.1f} s")
    click.echo(f"  {summary.buildings} buildings, {summary.households:,} households, {summary.arrears_households:,} in arrears")
    roles = ", ".join(f"{role} {n}" for role, n in summary.staff_by_role.items())
    click.echo(f"  {summary.staff} staff: {roles}")
    click.echo("  households by debtor situation:")
    for key, n in summary.situations.items():
        click.echo(f"    {SITUATION_LABELS.get(key, key):<44} {n:>7,}")
    click.echo(
        f"  {summary.charges:,} charges, {summary.payments:,} payments, {summary.contacts:,} contacts, "
        f"{summary.promises:,} promises, {summary.complaints:,} complaints, {summary.escalations:,} letters "
        f"({summary.lawyer_letters} from a lawyer)"
    )
    click.echo(
        f"  arrears {format_yuan(report.overdue_fen, symbol=True)}; collection rate {report.rate_by_households}% of households, "
        f"{report.rate_by_amount}% of the amount (target {report.target_percent}%)"
    )
