"""``knock`` imports a subcommand only when it runs, yet shows and finds every one.

The command table in :mod:`knock.cli.main` stands in for the modules at
``knock --help``; these tests keep it true to the real commands, and check in a
fresh interpreter that the light paths stay light (what a start costs is in
``bench/bench_startup.py``; here only what is imported, never how long it takes).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import knock.cli
from knock.cli.main import COMMANDS, cli

HEAVY = ("weasyprint", "textual", "jinja2", "openpyxl", "qrcode", "sqlite_utils", "field_app", "starlette", "uvicorn")
"""Packages only documents, the field app, imports/exports or the server need."""


def _loaded() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    commands = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    assert all(commands.values()), [name for name, command in commands.items() if command is None]
    return commands  # type: ignore[return-value]


def test_the_table_names_each_command_where_it_lives_with_its_own_help() -> None:
    for name, command in _loaded().items():
        summary = COMMANDS[name].summary
        assert summary == command.get_short_help_str(limit=10_000), f"the help of `knock {name}` in knock/cli/main.py's COMMANDS is stale"
        for limit in (20, 45, 60, 73, 94, 200):
            assert click.Command(name, help=summary).get_short_help_str(limit) == command.get_short_help_str(limit), (name, limit)


def test_every_top_level_command_in_the_cli_modules_is_in_the_table() -> None:
    """A command added to a ``*_cmds`` module but not to the table would silently never run."""
    tabled = {(entry.module, entry.attribute) for entry in COMMANDS.values()}
    for info in pkgutil.iter_modules(knock.cli.__path__):
        if not info.name.endswith("_cmds"):
            continue
        module = importlib.import_module(f"knock.cli.{info.name}")
        commands = {attr: value for attr, value in vars(module).items() if isinstance(value, click.Command)}
        nested = {id(sub) for value in commands.values() if isinstance(value, click.Group) for sub in value.commands.values()}
        for attr, command in commands.items():
            if id(command) not in nested:
                assert (module.__name__, attr) in tabled, f"{module.__name__}.{attr} (`knock {command.name}`) is missing from COMMANDS"


def test_help_lists_every_command_as_an_eagerly_built_group_would() -> None:
    eager = click.Group(name=cli.name, commands=_loaded(), help=cli.help, params=list(cli.params), context_settings=cli.context_settings)
    for width in (80, 100, 200):
        lazy_help = CliRunner().invoke(cli, ["--help"], terminal_width=width, prog_name="knock")
        eager_help = CliRunner().invoke(eager, ["--help"], terminal_width=width, prog_name="knock")
        assert lazy_help.exit_code == 0 and lazy_help.output == eager_help.output
    assert all(f"  {name} " in lazy_help.output for name in COMMANDS)


def test_an_unknown_command_is_a_clear_usage_error() -> None:
    result = CliRunner().invoke(cli, ["pya"])
    assert result.exit_code == 2 and "No such command 'pya'" in result.output and "Traceback" not in result.output


_RUNNER = """
import json, sys
from knock.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="knock")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _imports(*args: str) -> tuple[int, set[str]]:
    """Run ``knock ARGS`` in a fresh interpreter; its exit code and every module it imported."""
    done = subprocess.run([sys.executable, "-c", _RUNNER, *args], capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("args", [["--help"], *([name, "--help"] for name in COMMANDS)])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    """Any ``knock … --help`` answers without loading documents, the app, spreadsheets or the server."""
    code, modules = _imports(*args)
    assert code == 0 and not _heavy(modules), _heavy(modules)


def test_knock_help_imports_no_command_at_all() -> None:
    code, modules = _imports("--help")
    assert code == 0
    assert not {m for m in modules if m.startswith("knock.") and m not in ("knock.cli", "knock.cli.main")}
    assert not {"msgspec", "cryptography", "yaml", "sqlite3"} & modules


def test_a_payment_imports_nothing_heavy(tmp_path: Path) -> None:
    """``knock pay`` on a real home: the payment path needs no documents, app or spreadsheet code."""
    code, modules = _imports("pay", "9-9-999", "1", "--method", "cash", "--collector", "nobody", "--home", str(tmp_path / "home"))
    assert code == 1  # no such room in an empty home: a clear error, and the ledger was opened to find that out
    assert "knock.core.ledger" in modules and not _heavy(modules), _heavy(modules)
