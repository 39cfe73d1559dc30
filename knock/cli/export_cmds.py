"""``knock export payments``: the payments taken (and receipts voided) handed back to the billing system."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from knock.cli.common import DATE, domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.core.money import format_yuan
from knock.exporting.payments import FORMATS, ExportError, default_file_name, export_payments
from knock.paths import output_dir


@click.group(name="export")
def export_group() -> None:
    """Hand the ledger's payments back to the billing system."""


@export_group.command()
@home_option
@json_option
@click.option("--from", "date_from", type=DATE, help="First day (payment or void date, YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Last day, included.")
@click.option("--since-last", is_flag=True, help="Every payment and void no earlier export carried, whatever its date.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="csv or xlsx (default: from the -o file's suffix, else csv).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="File to write (default: HOME/output/payments-….csv).")
@click.option("--by", "author", default="export", show_default=True, help="Who is exporting (kept with the export's record).")
@domain_errors
def payments(
    home_dir: str | None,
    as_json: bool,
    date_from: date | None,
    date_to: date | None,
    since_last: bool,
    fmt: str | None,
    output: str | None,
    author: str,
) -> None:
    """Write every payment and void in the range, one line per receipt line, in the billing system's shape.

    Columns come from [billing] export_columns in settings; voids are minus lines or
    lines marked 作废 per billing.export_voids. The same range always gives the same
    file. Each export records what it carried, so --since-last hands back each
    payment exactly once.
    """
    if since_last and (date_from or date_to):
        raise click.UsageError("--since-last takes every payment not yet exported; leave out --from and --to")
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in FORMATS else "csv"
    home = open_cli_home(home_dir)
    try:
        from sync.devices import office_work_only

        office_work_only(home.store, "handing payments back to the billing system")
        ledger = home.ledger
        if output:
            path = Path(output)
            suffix = path.suffix.lower().lstrip(".")
            if suffix not in FORMATS:
                raise click.UsageError(f"-o {output}: name the file .csv or .xlsx")
            if suffix != fmt:
                raise click.UsageError(f"-o {output} is a .{suffix} file but --format is {fmt}")
        else:
            path = output_dir(home.path) / default_file_name(date_from, date_to, since_last, fmt, ledger.now())  # type: ignore[arg-type]
        try:
            export = export_payments(ledger, path, fmt=fmt, date_from=date_from, date_to=date_to, since_last=since_last, author=author)  # type: ignore[arg-type]
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
    finally:
        home.close()
    summary = {
        "file": str(path),
        "format": fmt,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "since_last": since_last,
        "lines": len(export.lines),
        "payments": export.payments,
        "voids": export.voids,
        "total_fen": export.total_fen,
        "total_yuan": format_yuan(export.total_fen, grouping=False),
        "by_method_fen": export.by_method(),
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(f"{path}: {len(export.lines)} lines, {export.payments} receipts paid, {export.voids} voided, total {format_yuan(export.total_fen, symbol=True)}")
    for method, fen in export.by_method().items():
        click.echo(f"  {method}: {format_yuan(fen, symbol=True)}")
    if not export.lines:
        click.echo("nothing to export in this range (no export was recorded)")
