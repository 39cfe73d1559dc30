"""The nightly summary's tables as CSV files (one per table) and as one .xlsx workbook.

The files hold the same tables as the printout, every row (the printout cuts
long lists short), with headers in the report's language. Money is written as
yuan with two decimals (``1234.50``) in CSV and as a number formatted
``#,##0.00`` in the workbook, never as a float computed from fen.

Every file is written beside its target and renamed into place only when all
are complete, so a failed export leaves no half-written file behind.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from knock.core.money import format_yuan
from knock.documents.summary_tables import Cell, Money, Table


class ExportError(OSError):
    """A summary file that could not be written; the message names the path."""


def _discard(part: Path) -> None:
    """Remove a half-written file; if even that is impossible there is nothing of it to remove."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        part.unlink()


def csv_value(value: Cell) -> str:
    """A cell as CSV text: money as plain yuan, dates ISO, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return format_yuan(value.fen, grouping=False)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_name(table: Table) -> str:
    """The file a table is written to: its key, e.g. ``collectors.csv``."""
    return f"{table.key}.csv"


def write_csv(tables: Sequence[Table], folder: Path) -> list[Path]:
    """One UTF-8 CSV per table (with a byte-order mark, so Excel shows Chinese correctly)."""
    folder = Path(folder)
    parts: list[tuple[Path, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for table in tables:
            target = folder / csv_name(table)
            part = target.with_name(target.name + ".part")
            parts.append((part, target))
            with open(part, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(table.headers)
                writer.writerows([csv_value(v) for v in row] for row in table.rows)
    except OSError as exc:
        for part, _ in parts:
            _discard(part)
        raise ExportError(f"cannot write the summary CSV files to {folder}: {exc.strerror or exc}") from exc
    for part, target in parts:
        os.replace(part, target)
    return [target for _, target in parts]


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(table: Table, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", table.title)[:28].strip() or table.key
    title, n = base, 2
    while title.lower() in used:
        title, n = f"{base[:26]} {n}", n + 1
    used.add(title.lower())
    return title


def write_xlsx(tables: Sequence[Table], path: Path) -> Path:
    """One workbook, one worksheet per table, headers bold and frozen.

    Written in openpyxl's streaming mode: a 100,000-household community's
    lists (tens of thousands of rows) take a second or two, not ten.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    path = Path(path)
    book = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table, used))
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers):
            sheet.column_dimensions[_column_letter(index)].width = max(10, min(40, len(header) * 2 + 2))
        header_cells = []
        for header in table.headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        money_columns = {i for row in table.rows[:1] for i, v in enumerate(row) if isinstance(v, Money)}
        for row in table.rows:
            values: list[object] = []
            for index, value in enumerate(row):
                if isinstance(value, Money) or index in money_columns:
                    cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
                    cell.number_format = "#,##0.00"
                    values.append(cell)
                else:
                    values.append(_xlsx_value(value))
            sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)  # in memory first: the streaming sheets are closed whatever happens to the file
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(buffer.getvalue())
        os.replace(part, path)
    except OSError as exc:
        _discard(part)
        raise ExportError(f"cannot write the summary workbook {path}: {exc.strerror or exc}") from exc
    return path


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _xlsx_value(value: Cell) -> object:
    if isinstance(value, Money):
        return Decimal(value.fen) / 100
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value
