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
from knock.core.money import format_yuan
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
        if report.billing_codes_recorded:
            lines.append(f"billing room codes recorded for {report.billing_codes_recorded} registered households")
        charges = f"charges: {report.charges_new} new, {report.charges_present} already present"
        if report.penalties_new:
            charges += f" ({report.penalties_new} of the new are penalties)"
        if report.charges_settled:
            charges += f", {report.charges_settled} rows settled (nothing outstanding)"
        lines.append(charges)
        if report.penalty_ignored_fen:
            lines.append(f"penalties reported and not imported: {format_yuan(report.penalty_ignored_fen)} yuan")
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


def _columns(report: ImportReport) -> list[str]:
    """How each column was read, for ``--dry-run``."""
    lines = ["columns:"]
    for reading in report.columns:
        where = f"  {reading.column:>2}. {reading.header}"
        if reading.field:
            line = f"{where} -> {reading.field}: {reading.meaning} [{reading.origin}]"
        else:
            line = f"{where}: {reading.meaning} [{reading.origin}]"
        if reading.example:
            line += f"; first row {reading.example}"
        lines.append(line)
    return lines


def _run(
    importer: Callable[..., ImportReport], home_dir: str | None, file: str, dry_run: bool, as_json: bool, author: str, **options: object
) -> None:
    home = open_cli_home(home_dir)
    try:
        if importer is import_staff:  # staff and roles are the office's (a merge sets a laptop's aside)
            from sync.devices import office_work_only

            office_work_only(home.store, "importing staff")
        ledger: Ledger = home.ledger
        try:
            report = importer(ledger, file, dry_run=dry_run, author=author, **options)
        except ValueError as exc:  # a bad column mapping, before the file is read
            raise click.UsageError(str(exc)) from None
    finally:
        home.close()
    for warning in report.warnings:
        click.echo(f"{warning.file}:{warning.row}:{warning.column}: warning: {warning.message}", err=True)
    for error in report.errors:
        click.echo(str(error), err=True)
    if as_json:
        emit_json(report.to_dict())
    else:
        if dry_run and report.columns:
            for line in _columns(report):
                click.echo(line)
        for line in _summary(report):
            click.echo(line)
    if report.errors:
        raise click.exceptions.Exit(1)


@click.group(name="import")
def import_group() -> None:
    """Import the billing system's arrears list or the staff list (CSV or .xlsx)."""


_by_option = click.option("--by", "author", default="import", show_default=True, help="Who is importing (kept with every entry).")
_dry_run_option = click.option("--dry-run", is_flag=True, help="Check the file and report what would be imported; write nothing.")


def _parse_map(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    """``--map 欠费=outstanding,滞纳=penalty`` (repeatable) -> {header: field}."""
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.replace("，", ",").split(","):
            if not pair.strip():
                continue
            header, sep, target = pair.partition("=")
            if not sep or not header.strip() or not target.strip():
                raise click.BadParameter(f"{pair.strip()!r} is not HEADER=FIELD (e.g. 欠费=outstanding)", ctx, param)
            mapping[header.strip()] = target.strip()
    return mapping


@import_group.command()
@home_option
@json_option
@_dry_run_option
@_by_option
@click.option(
    "--map",
    "mapping",
    multiple=True,
    callback=_parse_map,
    metavar="HEADER=FIELD,...",
    help="Read a column Knock does not know as one of its fields (e.g. 欠费=outstanding, 旧编号=ignore); "
    "on top of the [billing.columns] mapping in settings.",
)
@click.argument("file", type=click.Path(dir_okay=False))
@domain_errors
def households(home_dir: str | None, as_json: bool, dry_run: bool, author: str, mapping: dict[str, str], file: str) -> None:
    """Import an arrears list: households and their charges.

    Columns (Chinese or English): 楼栋 单元 房号 (or one room code such as
    1栋1单元101) 业主姓名 联系电话 建筑面积 收费项目, a period (所属期间, or 起始日期 and
    截止日期) and money: 欠费金额 (outstanding) and/or 应收金额 实收金额 减免金额, and
    滞纳金; optional 房屋编码 应缴日期 入住状态 备注. Any bad row: nothing is imported.
    Charges already in the ledger with the same amount are skipped, so next
    month's list can be imported over this one. --dry-run shows how each column
    was read.
    """
    _run(import_households, home_dir, file, dry_run, as_json, author, mapping=mapping)


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
