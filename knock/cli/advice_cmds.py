"""``knock advise`` and ``knock plan``: the playbook for one household or one collector's day."""

from __future__ import annotations

from datetime import date

import click

from knock.advice import advise_room, plan_for_collector
from knock.cli.common import DATE, domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.core.money import format_yuan
from knock.playbook.rules import Advice

LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (default: settings ui.locale).")


def _print_advice(advice: Advice, owed_fen: int, months: int, locale: str, *, full: bool) -> None:
    data = advice.to_dict(locale)  # type: ignore[arg-type]
    types = " / ".join(t["name"] for t in data["types"]) or "—"  # type: ignore[index]
    click.echo(f"{advice.room}  {format_yuan(owed_fen, symbol=True)}  ({months})  [{data['group_label']}] {types}")
    for t in data["types"]:  # type: ignore[union-attr]
        for reason in t["reasons"]:
            click.echo(f"    · {reason}")
    action = data["next_action"]
    window = action["window"]["label"] if action["window"] else ""  # type: ignore[index]
    click.echo(f"  → {action['label']}  {window}")  # type: ignore[index]
    for reason in action["reasons"]:  # type: ignore[index]
        click.echo(f"    · {reason}")
    for alert in data["alerts"]:  # type: ignore[union-attr]
        click.echo(f"  ! {alert}")
    if not full:
        return
    if data["goal"]:
        click.echo(f"\n  {data['goal']}")
    if data["tactics"]:
        click.echo("")
        for tactic in data["tactics"]:  # type: ignore[union-attr]
            click.echo(f"  - {tactic}")
    for card in data["cards"]:  # type: ignore[union-attr]
        click.echo(f"\n  [{card['title']}]")
        for line in card["lines"]:
            click.echo(f"    {line}")
    click.echo("")
    for objection in data["objections"]:  # type: ignore[union-attr]
        mark = "*" if objection["raised"] else " "
        click.echo(f" {mark}「{objection['says']}」 → {objection['follow_up_label']}")
        for line in objection["answer"]:
            click.echo(f"      {line}")


@click.command()
@home_option
@json_option
@LANG
@click.argument("room")
@domain_errors
def advise(home_dir: str | None, as_json: bool, lang: str | None, room: str) -> None:
    """Debtor type with reasons, next action and window, cards and objections for ROOM."""
    home = open_cli_home(home_dir)
    locale = lang or home.settings.ui.locale
    entry = advise_room(home, room)
    if as_json:
        emit_json({**entry.advice.to_dict(locale), "owed_fen": entry.facts.owed_fen, "months_owed": entry.facts.months_owed})  # type: ignore[arg-type]
        return
    _print_advice(entry.advice, entry.facts.owed_fen, entry.facts.months_owed, locale, full=True)


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
    entries = plan_for_collector(home, staff.staff_id, day)
    if as_json:
        emit_json([{**e.advice.to_dict(locale), "owed_fen": e.facts.owed_fen, "months_owed": e.facts.months_owed} for e in entries])  # type: ignore[arg-type]
        return
    if not entries:
        click.echo(f"{staff.name}: no households assigned for {day or home.ledger.today()} (run: knock assign)")
        return
    click.echo(f"{staff.name} — {len(entries)} households")
    for number, e in enumerate(entries, start=1):
        click.echo(f"{number:>3}. ", nl=False)
        _print_advice(e.advice, e.facts.owed_fen, e.facts.months_owed, locale, full=False)


def register(cli: click.Group) -> None:
    """Add these commands to ``knock``."""
    cli.add_command(advise)
    cli.add_command(plan)
