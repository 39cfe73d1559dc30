"""``knock advise`` and ``knock plan``: the playbook for one household or one collector's day."""

from __future__ import annotations

from datetime import date

import click

from knock.advice import AdviceView, advise, plan_for_collector
from knock.cli.common import DATE, domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.core.money import format_yuan

LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (default: settings ui.locale).")


def _print_advice(advice: AdviceView, *, full: bool) -> None:
    types = " / ".join(t.name for t in advice.types) or "—"
    click.echo(f"{advice.room}  {format_yuan(advice.owed_fen, symbol=True)}  ({advice.months_owed})  [{advice.group_label}] {types}")
    for t in advice.types:
        for reason in t.reasons:
            click.echo(f"    · {reason}")
    action = advice.next_action
    click.echo(f"  → {action.label}  {action.window.label if action.window else ''}")
    for reason in action.reasons:
        click.echo(f"    · {reason}")
    for alert in advice.alerts:
        click.echo(f"  ! {alert}")
    if not full:
        return
    if advice.goal:
        click.echo(f"\n  {advice.goal}")
    if advice.tactics:
        click.echo("")
        for tactic in advice.tactics:
            click.echo(f"  - {tactic}")
    for card in advice.cards:
        click.echo(f"\n  [{card.title}]")
        for line in card.lines:
            click.echo(f"    {line}")
    click.echo("")
    for objection in advice.objections:
        mark = "*" if objection.raised else " "
        click.echo(f" {mark}「{objection.says}」 → {objection.follow_up_label}")
        for line in objection.answer:
            click.echo(f"      {line}")


@click.command("advise")
@home_option
@json_option
@LANG
@click.argument("room")
@domain_errors
def advise_command(home_dir: str | None, as_json: bool, lang: str | None, room: str) -> None:
    """Debtor type with reasons, next action and window, cards and objections for ROOM."""
    home = open_cli_home(home_dir)
    locale = lang or home.settings.ui.locale
    advice = advise(home, room, locale=locale)
    if as_json:
        emit_json(advice.to_json())
        return
    _print_advice(advice, full=True)


@click.command()
@home_option
@json_option
@LANG
@click.option("--collector", required=True, help="Name or id of the staff member.")
@click.option("--date", "day", type=DATE, default=None, help="Day (default today).")
@domain_errors
def plan(home_dir: str | None, as_json: bool, lang: str | None, collector: str, day: date | None) -> None:
    """A collector's households for the day, in visiting order."""
    home = open_cli_home(home_dir)
    locale = lang or home.settings.ui.locale
    staff = home.ledger.staff(collector)
    entries = plan_for_collector(home, staff.staff_id, day, locale=locale)
    if as_json:
        emit_json([e.to_json() for e in entries])
        return
    if not entries:
        click.echo(f"{staff.name}: no households assigned for {day or home.ledger.today()} (run: knock assign)")
        return
    click.echo(f"{staff.name} — {len(entries)} households")
    for number, e in enumerate(entries, start=1):
        click.echo(f"{number:>3}. ", nl=False)
        _print_advice(e, full=False)
