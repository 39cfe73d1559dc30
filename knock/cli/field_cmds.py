"""``knock field`` opens the collectors' app; ``knock set-pin`` gives a staff member a PIN."""

from __future__ import annotations

import click

from knock.cli.common import ask_pin, domain_errors, emit_json, home_option, json_option, open_cli_home, pin_from_stdin_option


@click.command()
@home_option
@click.option("--as", "as_name", default=None, help="Put this staff member's name on the sign-in screen (the PIN is still asked).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Screen language (default: settings ui.locale, Chinese).")
@domain_errors
def field(home_dir: str | None, as_name: str | None, lang: str | None) -> None:
    """Open the field app: today's households, record visits, take payments."""
    from field_app.start import start_up

    with start_up():
        from field_app.app import make_app

        home = open_cli_home(home_dir)
        try:
            preselect = home.ledger.staff(as_name).staff_id if as_name else None
            app = make_app(home, locale=lang, preselect=preselect)
        except BaseException:
            home.close()
            raise
    try:
        app.run()
    finally:
        home.close()
    if app.return_code:  # the app stopped on a problem it has just printed (e.g. a device key that does not match)
        raise SystemExit(app.return_code)


@click.command("set-pin")
@home_option
@json_option
@click.argument("name")
@click.option("--pin", default=None, help="The new PIN (4-8 digits). Without it, the PIN is asked twice, hidden.")
@click.option("--by", "manager_name", default=None, help="Manager allowing the change (needed when NAME already has a PIN); their PIN is asked.")
@pin_from_stdin_option
@domain_errors
def set_pin_cmd(home_dir: str | None, as_json: bool, name: str, pin: str | None, manager_name: str | None, pin_from_stdin: bool) -> None:
    """Set the sign-in PIN of staff member NAME (stored as a slow salted hash).

    A first PIN may be set by the office; changing an existing PIN, or a manager's
    first PIN once some manager has one, needs a manager's PIN (``--by MANAGER``),
    so nobody can take over a colleague's or a manager's name. PINs are the
    office's: on a laptop enrolled with an office this is refused.
    """
    from knock.core.pins import authorise_manager, check_pin_shape, set_pin
    from sync.devices import office_work_only

    if pin is not None:
        check_pin_shape(pin)
    home = open_cli_home(home_dir)
    office_work_only(home.store, "setting a PIN")
    staff = home.ledger.staff(name)
    author = ""
    # A manager's first PIN is a manager's word too, once some manager has a PIN (the very first is the office's):
    # otherwise whoever sits at the keyboard could give a manager without a PIN one they know, and act in their name.
    needs_manager = bool(staff.pin_hash) or (staff.role == "manager" and _a_manager_has_a_pin(home))
    if needs_manager:
        if not manager_name:
            why = "already has a PIN" if staff.pin_hash else "is a manager"
            raise click.ClickException(f"{staff.name} {why}: a manager must allow this (--by MANAGER)")
        manager = authorise_manager(home.ledger, manager_name, ask_pin(f"PIN of {manager_name}", pin_from_stdin), home.ledger.now())
        author = manager.staff_id
    if pin is None:
        pin = ask_pin(f"new PIN for {staff.name}", pin_from_stdin, confirm=True)
    set_pin(home.ledger, staff.staff_id, pin, author=author)
    if as_json:
        emit_json({"staff_id": staff.staff_id, "name": staff.name, "pin_set": True, "allowed_by": author})
    else:
        click.echo(f"PIN set for {staff.name}")


def _a_manager_has_a_pin(home) -> bool:  # type: ignore[no-untyped-def]
    return home.store.query_one("SELECT 1 FROM staff WHERE role = 'manager' AND active AND pin_hash != ''") is not None


@click.command()
@home_option
@json_option
@click.argument("name")
@click.option("--by", "manager_name", required=True, help="Manager lifting the lockout; their PIN is asked.")
@pin_from_stdin_option
@domain_errors
def unlock(home_dir: str | None, as_json: bool, name: str, manager_name: str, pin_from_stdin: bool) -> None:
    """Lift the sign-in lockout of staff member NAME after too many wrong PINs (logged in the ledger)."""
    from knock.core.pins import authorise_manager, lock_state, unlock as unlock_member

    home = open_cli_home(home_dir)
    staff = home.ledger.staff(name)
    now = home.ledger.now()
    manager = authorise_manager(home.ledger, manager_name, ask_pin(f"PIN of {manager_name}", pin_from_stdin), now)
    was_locked = lock_state(home.ledger, staff.staff_id, now).locked_until is not None
    unlock_member(home.ledger, staff.staff_id, manager=manager, now=now)
    if as_json:
        emit_json({"staff_id": staff.staff_id, "name": staff.name, "was_locked": was_locked, "unlocked_by": manager.staff_id})
    else:
        click.echo(f"{staff.name} unlocked by {manager.name}" if was_locked else f"{staff.name} was not locked; wrong tries cleared by {manager.name}")
