"""``knock field`` opens the collectors' app; ``knock set-pin`` gives a staff member a PIN."""

from __future__ import annotations

import click

from knock.cli.common import domain_errors, home_option, open_cli_home


@click.command()
@home_option
@click.option("--as", "as_name", default=None, help="Put this staff member's name on the sign-in screen (the PIN is still asked).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Screen language (default: settings ui.locale, Chinese).")
@domain_errors
def field(home_dir: str | None, as_name: str | None, lang: str | None) -> None:
    """Open the field app: today's households, record visits, take payments."""
    from field_app.app import make_app

    home = open_cli_home(home_dir)
    preselect = home.ledger.staff(as_name).staff_id if as_name else None
    try:
        make_app(home, locale=lang, preselect=preselect).run()
    finally:
        home.close()


@click.command("set-pin")
@home_option
@click.argument("name")
@click.option("--pin", default=None, help="The PIN (4-8 digits). Without it, the PIN is asked twice, hidden.")
@domain_errors
def set_pin_cmd(home_dir: str | None, name: str, pin: str | None) -> None:
    """Set the sign-in PIN of staff member NAME (stored as a slow salted hash)."""
    from field_app.auth import set_pin

    home = open_cli_home(home_dir)
    if pin is None:
        pin = click.prompt("PIN", hide_input=True, confirmation_prompt=True)
    staff = set_pin(home.ledger, name, pin)
    click.echo(f"PIN set for {staff.name}")


def register(cli: click.Group) -> None:
    """Add these commands to ``knock``."""
    cli.add_command(field)
    cli.add_command(set_pin_cmd)
