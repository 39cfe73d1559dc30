"""The ``knock`` console script: one group whose subcommands are imported only when run.

Every command lives in a ``knock/cli/*_cmds.py`` module that imports what it
needs (the ledger, WeasyPrint, Textual, openpyxl…). Importing them all made every
``knock`` start pay for all of them, so the group below is click's documented
lazy-loading pattern: :data:`COMMANDS` maps each name to where the command
lives and carries its one-line help, so ``knock --help`` lists every command
without importing any of them, and ``knock pay`` imports only ``pay``'s module.
A test checks the table against the real commands (their help included).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click
from gettext import gettext as _


class Entry(NamedTuple):
    """Where a subcommand lives, and the one-line help ``knock --help`` shows for it."""

    module: str
    attribute: str
    summary: str
    """The command's short help, untruncated (what ``get_short_help_str`` gives with no limit)."""


COMMANDS: dict[str, Entry] = {
    "status": Entry("knock.cli.ledger_cmds", "status", "Households, arrears, collection rate and each collector's load."),
    "pay": Entry("knock.cli.ledger_cmds", "pay", "Record a payment for ROOM of AMOUNT yuan, such as 1234.50, and number its receipt."),
    "void": Entry("knock.cli.ledger_cmds", "void", "Void a receipt with a reversing entry; the receipt stays on record, marked void."),
    "visit": Entry("knock.cli.ledger_cmds", "visit", "Log a visit, call, SMS or letter to ROOM and its outcome."),
    "promise": Entry("knock.cli.ledger_cmds", "promise", "Record a promise by ROOM to pay on a day, in a part of the day."),
    "check": Entry("knock.cli.ledger_cmds", "check", "Check the ledger's integrity: hash chains, receipt numbers, tables against the events."),
    "sample": Entry(
        "knock.cli.sample_cmds", "sample", "Build a realistic sample community (households, staff, bills, payments, history) into an EMPTY home."
    ),
    "field": Entry("knock.cli.field_cmds", "field", "Open the field app: today's households, record visits, take payments."),
    "set-pin": Entry("knock.cli.field_cmds", "set_pin_cmd", "Set the sign-in PIN of staff member NAME (stored as a slow salted hash)."),
    "unlock": Entry(
        "knock.cli.field_cmds", "unlock", "Lift the sign-in lockout of staff member NAME after too many wrong PINs (logged in the ledger)."
    ),
    "import": Entry("knock.cli.import_cmds", "import_group", "Import the billing system's arrears list or the staff list (CSV or .xlsx)."),
    "assign": Entry("knock.cli.assign_cmds", "assign", "Split the day's arrears households among active staff and record it."),
    "advise": Entry(
        "knock.cli.advice_cmds", "advise_command", "Debtor type with reasons, next action and window, cards and objections for ROOM."
    ),
    "plan": Entry("knock.cli.advice_cmds", "plan", "A collector's households for the day, in visiting order."),
    "receipt": Entry("knock.cli.document_cmds", "receipt", "Print (or save) receipt RECEIPT_NO; a second print is marked as a reprint."),
    "notice": Entry(
        "knock.cli.document_cmds",
        "notice",
        "A sealed door notice for ROOM: the outside shows only the room, the inside the arrears and a payment QR.",
    ),
    "letter": Entry(
        "knock.cli.document_cmds", "letter", "Dunning letter (催费函) or lawyer's letter (律师函) for ROOM, or --due for the whole step."
    ),
    "payqr": Entry("knock.cli.document_cmds", "payqr", "A payment QR code (PNG) for what ROOM owes, in the scheme set in settings."),
    "verify": Entry(
        "knock.cli.document_cmds", "verify", "Check a receipt's QR text (from a scan; or '-' / nothing to read stdin) against this ledger."
    ),
    "demo": Entry(
        "knock.cli.demo_cmds", "demo", "Open the field app on a generated sample community, signed in as a sample collector (PIN 1234)."
    ),
    "complaints": Entry("knock.cli.complaint_cmds", "complaints", "List and close complaints and repair requests."),
    "device": Entry("knock.cli.sync_cmds", "device", "Enrol laptops with the office and revoke lost ones."),
    "sync": Entry(
        "knock.cli.sync_cmds",
        "sync",
        "Sync files: write them on the laptop, merge and review them at the office; or sync online with --server.",
    ),
    "serve": Entry(
        "knock.cli.sync_cmds", "serve", "At the office: serve this home's ledger to the laptops (push, pull) and a status page at /."
    ),
    "summary": Entry(
        "knock.cli.summary_cmds",
        "summary",
        "The nightly summary: collection rate, each collector's day, buildings, promises, complaints, escalation, risk and hard cases.",
    ),
    "export": Entry("knock.cli.export_cmds", "export_group", "Hand the ledger's payments back to the billing system."),
    "remind": Entry("knock.cli.remind_cmds", "remind", "Reminders that go out: the day's texts and calls."),
}
"""Every ``knock`` subcommand: name → module, attribute and one-line help."""


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is asked for.

    ``list_commands`` and ``get_command`` are click's public hooks for this
    (the "lazily loading subcommands" pattern in click's documentation); the
    command list in ``--help`` comes from the table, so it imports nothing.
    """

    def __init__(self, *args: object, lazy_commands: dict[str, Entry], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy_commands.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        command = getattr(importlib.import_module(entry.module), entry.attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise RuntimeError(f"knock's command table is wrong: {entry.module}.{entry.attribute} is not the command {cmd_name!r}")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the table: click's layout, no imports."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            entry = self.lazy_commands.get(name)
            if entry is not None:
                # A bare command with the same help: click's own shortening, without importing the real one.
                rows.append((name, click.Command(name, help=entry.summary).get_short_help_str(limit)))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="knock")
def cli() -> None:
    """Knock: collect overdue property fees door to door, offline first."""
