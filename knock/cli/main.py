"""The ``knock`` console script: one group, one module per family of subcommands."""

from __future__ import annotations

import importlib

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="knock")
def cli() -> None:
    """Knock: collect overdue property fees door to door, offline first."""


COMMAND_MODULES = [
    "knock.cli.ledger_cmds",
    "knock.cli.sample_cmds",
    "knock.cli.field_cmds",
    "knock.cli.import_cmds",
    "knock.cli.assign_cmds",
    "knock.cli.advice_cmds",
    "knock.cli.document_cmds",
    "knock.cli.demo_cmds",
    "knock.cli.complaint_cmds",
    "knock.cli.sync_cmds",
    "knock.cli.summary_cmds",
    "knock.cli.export_cmds",
    "knock.cli.remind_cmds",
]
"""Each module has a ``register(cli)`` function that adds its commands."""

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)
