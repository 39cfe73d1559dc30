"""The README's command table and the ``knock`` command line never drift apart.

Every command and option the table shows must exist, and every option a
command requires must be shown in its row, so a reader who copies a row gets a
command that runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from knock.cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"
_CELL = re.compile(r"(?<!\\)\|")


def table_forms() -> list[str]:
    """Each command form in the first cell of the command table (``knock pay ROOM AMOUNT --method M …``)."""
    forms: list[str] = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `knock"):
            continue
        first_cell = _CELL.split(line)[1]
        spans = [span.replace("\\|", "|") for span in re.findall(r"`([^`]+)`", first_cell)]
        group: list[str] = []
        for span in spans:
            words = span.split()
            if words[0] == "knock":
                group = []
                for word in words[1:]:
                    if not re.fullmatch(r"[a-z][a-z-]*", word):
                        break
                    group.append(word)
                forms.append(span)
            else:
                # "/ `open ROOM …`" continues the group of the form before it: knock complaints open …
                forms.append(" ".join(["knock", *group[:-1], span]))
    return forms


def resolve(form: str) -> tuple[click.Command, list[str]]:
    """The click command a form names, and the option words it shows."""
    words = form.split()[1:]
    command: click.Command = cli
    ctx = click.Context(cli)
    while isinstance(command, click.Group) and words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
        found = command.get_command(ctx, words[0])
        assert found is not None, f"README shows `{form}` but `{words[0]}` is not a command"
        command, words = found, words[1:]
    options = [re.sub(r"[\[\]]", "", w) for w in words if re.sub(r"[\[\]]", "", w).startswith("-")]
    return command, options


FORMS = table_forms()


def test_the_table_lists_the_commands() -> None:
    assert len(FORMS) >= 20 and any(f.startswith("knock check") for f in FORMS) and any(f.startswith("knock unlock") for f in FORMS)


@pytest.mark.parametrize("form", FORMS)
def test_every_command_and_option_in_the_table_exists(form: str) -> None:
    command, shown = resolve(form)
    known = {opt for param in command.params if isinstance(param, click.Option) for opt in (*param.opts, *param.secondary_opts)}
    for option in shown:
        name = option.split("=")[0]
        assert name in known, f"README shows `{form}` but `{command.name}` has no option {name}"


@pytest.mark.parametrize("form", FORMS)
def test_every_required_option_is_shown(form: str) -> None:
    command, shown = resolve(form)
    for param in command.params:
        if isinstance(param, click.Option) and param.required:
            assert set(param.opts) & set(shown), f"`{command.name}` requires {param.opts[0]} but the README row `{form}` does not show it"


def test_every_command_is_in_the_table() -> None:
    ctx = click.Context(cli)
    named = {tuple(f.split()[1:3]) for f in FORMS} | {(f.split()[1],) for f in FORMS}
    for name in cli.list_commands(ctx):
        assert (name,) in named, f"`knock {name}` is missing from the README's command table"
