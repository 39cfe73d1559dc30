"""``knock import households FILE`` and ``knock import staff FILE``: the office's lists into the ledger.

Problems go to stderr one per line as ``file:row:column: message`` (warnings
as ``file:row:column: warning: message``), the summary to stdout. Exit code 1
when anything is wrong, and then nothing was imported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from knock.cli.common import domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.core.ledger import Ledger
from knock.importing import ImportReport, import_households, import_staff

_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GB18030/GBK", "xlsx": "Excel"}


def _summary(report: ImportReport) -> list[str]:
    name = Path(report.file).name
    read = f"{name}: {report.rows} rows read"
    if report.encoding:
        read += f" ({_ENCODING_NAMES.get(report.encoding, report.encoding)})"
    if report.rows_skipped:
        read += f", {report.rows_skipped} blank or total lines skipped"
    lines = [read]
    if report.kind == "staff":
        lines.append(f"staff: {report.staff_new} new, {report.staff_existing} already registered")
    else:
        lines.append(f"households: {report.households_new} new, {report.households_existing} already registered")
        lines.append(f"charges: {report.charges_new} new, {report.charges_present} already present")
    if report.warnings:
        lines.append(f"{len(report.warnings)} warning(s)")
    if report.errors:
        lines.append(f"{len(report.errors)} error(s): nothing was imported")
    elif report.dry_run:
        lines.append("dry run: nothing was written")
    elif not (report.households_new or report.charges_new or report.staff_new):
        lines.append("nothing new: the ledger already has everything in this file")
    else:
        lines.append("imported")
    return lines


def _run(importer: Callable[..., ImportReport], home_dir: str | None, file: str, dry_run: bool, as_json: bool, author: str) -> None:
    home = open_cli_home(home_dir)
    try:
        ledger: Ledger = home.ledger
        report = importer(ledger, file, dry_run=dry_run, author=author)
    finally:
        home.close()
    for warning in report.warnings:
        click.echo(f"{warning.file}:{warning.row}:{warning.column}: warning: {warning.message}", err=True)
    for error in report.errors:
        click.echo(str(error), err=True)
    if as_json:
        emit_json(report.to_dict())
    else:
        for line in _summary(report):
            click.echo(line)
    if report.errors:
        raise click.exceptions.Exit(1)


@click.group(name="import")
def import_group() -> None:
    """Import the billing system's arrears list or the staff list (CSV or .xlsx)."""


_by_option = click.option("--by", "author", default="import", show_default=True, help="Who is importing (kept with every entry).")
_dry_run_option = click.option("--dry-run", is_flag=True, help="Check the file and report what would be imported; write nothing.")


@import_group.command()
@home_option
@json_option
@_dry_run_option
@_by_option
@click.argument("file", type=click.Path(dir_okay=False))
@domain_errors
def households(home_dir: str | None, as_json: bool, dry_run: bool, author: str, file: str) -> None:
    """Import an arrears list: households and their charges.

    Columns (Chinese or English): 楼栋 单元 房号 业主姓名 联系电话 建筑面积 收费项目
    起始日期 截止日期 应收金额, optional 应缴日期 入住状态 备注. Any bad row: nothing is
    imported. Charges already in the ledger with the same amount are skipped, so
    next month's list can be imported over this one.
    """
    _run(import_households, home_dir, file, dry_run, as_json, author)


@import_group.command()
@home_option
@json_option
@_dry_run_option
@_by_option
@click.argument("file", type=click.Path(dir_okay=False))
@domain_errors
def staff(home_dir: str | None, as_json: bool, dry_run: bool, author: str, file: str) -> None:
    """Import a staff list: 姓名 岗位 (保安/保洁/维修/客服/经理), optional 班组 电话 在职.

    Names already registered are left as they are. Any bad row: nothing is imported.
    """
    _run(import_staff, home_dir, file, dry_run, as_json, author)


def register(cli: click.Group) -> None:
    """Add ``knock import`` to the console script."""
    cli.add_command(import_group)
