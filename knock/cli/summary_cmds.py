"""``knock summary``: the nightly summary for the managers' meeting, as PDF, CSV, XLSX or JSON."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from knock.cli.common import DATE, domain_errors, emit_json, home_option, json_option, open_cli_home


@click.command()
@home_option
@json_option
@click.option("--date", "day", type=DATE, default=None, help="Day to report (default: today).")
@click.option("--team", default=None, help="Only this team's collectors and the households contracted to them that day.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Where to save the PDF (default: HOME/output/summaries/).")
@click.option("--print", "send", is_flag=True, help="Send the PDF to the printer (CUPS); it is kept on disk either way.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Also write every table as CSV into this folder.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write every table into this .xlsx workbook.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the report (default: settings ui.locale).")
@domain_errors
def summary(
    home_dir: str | None,
    as_json: bool,
    day: date | None,
    team: str | None,
    output: Path | None,
    send: bool,
    csv_dir: Path | None,
    xlsx: Path | None,
    lang: str | None,
) -> None:
    """The nightly summary: collection rate, each collector's day, buildings, promises, complaints, escalation, risk and hard cases.

    Saves an A4 PDF (and prints it with --print); --csv and --xlsx write the same tables.
    """
    from knock.documents.service import produce_summary
    from knock.documents.summary_files import ExportError

    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{xlsx}: the workbook's name must end in .xlsx", param_hint="--xlsx")
    home = open_cli_home(home_dir)
    locale = lang or home.settings.ui.locale
    try:
        made = produce_summary(home, day, team=team, locale=locale, output=output, send_to_printer=send, csv_dir=csv_dir, xlsx=xlsx)  # type: ignore[arg-type]
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        emit_json(
            {
                "summary": made.summary.to_dict(),
                "pdf": None if made.pdf is None else {"path": str(made.pdf.path), "printed": made.pdf.printed, "message": made.pdf.message},
                "csv": [str(p) for p in made.csv_files],
                "xlsx": None if made.xlsx is None else str(made.xlsx),
            }
        )
        return
    h = made.summary.headline
    click.echo(
        f"{made.summary.day}: rate {h.rate_by_households}% of households, {h.rate_by_amount}% of the amount (target {h.target_percent}%);"
        f" collected today ¥{h.collected_today_fen // 100:,}.{h.collected_today_fen % 100:02d}"
    )
    if made.pdf is not None:
        click.echo(made.pdf.message)
    if made.csv_files:
        click.echo(f"{len(made.csv_files)} CSV files in {made.csv_files[0].parent}")
    if made.xlsx is not None:
        click.echo(f"Workbook saved at {made.xlsx}")
