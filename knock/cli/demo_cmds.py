"""``knock demo``: one command from a fresh checkout to a collector's screen.

It builds the sample community into a demo home (only the first time),
contracts today's arrears out (only if today has no assignment yet), gives
the sample collector the PIN 1234 (only if they have none) and opens the field
app with that collector on the sign-in screen. Running it again resumes the
same demo; ``--fresh`` starts over in a new folder.
"""

from __future__ import annotations

from pathlib import Path

import click

from knock import paths
from knock.cli.common import domain_errors, open_cli_home
from knock.home import Home

DEMO_PIN = "1234"


def demo_home_dir() -> Path:
    """Where the demo lives unless ``--home`` says otherwise (kept apart from real data)."""
    return Path(paths.user_data_dir()) / "demo"


def sample_collector(home: Home) -> tuple[str, str]:
    """(staff_id, name) of the guard or cleaner with the most households today: the demo's collector."""
    row = home.store.query_one(
        "SELECT s.staff_id, s.name, COUNT(*) AS n FROM assignments a JOIN staff s ON s.staff_id = a.staff_id"
        " WHERE a.day = ? AND s.role IN ('guard', 'cleaner') GROUP BY s.staff_id ORDER BY n DESC, s.name LIMIT 1",
        (home.ledger.today().isoformat(),),
    )
    if row is None:
        raise click.ClickException("the demo community has no guard or cleaner with households today")
    return row["staff_id"], row["name"]


def prepare_demo(home: Home, *, seed: int, echo: bool = True) -> tuple[str, str]:
    """Build, assign and set the PIN as needed; returns the sample collector."""
    from knock.core.pins import set_pin
    from knock.core.assignment_db import assign_day
    from knock.sample.community import build_sample

    from knock.core.signing import load_or_create_device_key
    from knock.home import ledger_for_key

    say = click.echo if echo else (lambda *_a, **_k: None)
    if not home.store.scalar("SELECT COUNT(*) FROM households"):
        say("正在生成示例小区（约 1,800 户，第一次需要十几秒）… / Building the sample community…")
        # The community, its history and today's assignment come from "the office", as in real
        # life, so this laptop's own to-sync count starts near zero.
        office_key = load_or_create_device_key(home.path / "demo-office.key")
        office = ledger_for_key(home.store, home.settings, office_key, clock=home.ledger.clock, name="demo-office")
        summary = build_sample(office, seed=seed)
        say(f"  {summary.households:,} 户，其中 {summary.arrears_households:,} 户欠费 / households, in arrears")
    today = home.ledger.today()
    if not home.store.scalar("SELECT COUNT(*) FROM assignments WHERE day = ?", (today.isoformat(),)):
        assign_day(home.ledger, today)  # a later day: this laptop plans it, as a team lead's would
    staff_id, name = sample_collector(home)
    if not home.ledger.staff(staff_id).pin_hash:
        set_pin(home.ledger, staff_id, DEMO_PIN, author="system")
    return staff_id, name


@click.command()
@click.option(
    "--home", "home_dir", type=click.Path(file_okay=False), envvar="KNOCK_HOME", default=None,
    help="Demo data folder, or KNOCK_HOME (default: a 'demo' folder beside Knock's data).",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Screen language (default Chinese).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the sample community.")
@click.option("--prepare-only", is_flag=True, help="Build and assign, then print the collector instead of opening the app.")
@domain_errors
def demo(home_dir: str | None, lang: str | None, seed: int, prepare_only: bool) -> None:
    """Open the field app on a generated sample community, signed in as a sample collector (PIN 1234)."""
    from field_app.app import make_app

    folder = Path(home_dir) if home_dir else demo_home_dir()
    home = open_cli_home(str(folder), device_name="demo-laptop")
    try:
        staff_id, name = prepare_demo(home, seed=seed)
        click.echo(f"示例收费员 / sample collector: {name}   PIN: {DEMO_PIN}   数据 / data: {folder}")
        if prepare_only:
            return
        app = make_app(home, locale=lang, preselect=staff_id)
        app.run()
    finally:
        home.close()
    if app.return_code:  # the app stopped on a problem it has just printed
        raise SystemExit(app.return_code)
