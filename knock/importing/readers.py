"""Reading a billing system's export (CSV or .xlsx) into numbered rows of cells.

Row numbers are the ones a person sees: the line in a text editor for CSV
(a quoted cell with a line break inside still starts its record on the line
where it begins), the row number in Excel for .xlsx. The header is wherever
it is found (exports often put a title such as "XX小区欠费明细" above it).

CSV encodings: UTF-8 (with or without a BOM, as Excel writes it) first, then
GB18030 (a superset of GBK and GB2312, what Chinese Windows and most billing
systems write). Anything that decodes as neither is reported as an unknown
encoding, naming the line where the first undecodable byte is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

ENCODINGS = ("utf-8-sig", "gb18030")
"""CSV encodings tried, in order."""

_UTF8_EVIDENCE = 4
"""Non-ASCII UTF-8 characters before a bad byte that make a file damaged UTF-8 rather than GB18030."""

EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm")
"""File types an import reads."""

Cell = Any
"""A cell: ``str`` from CSV; ``str``, ``int``, ``float``, ``datetime`` or ``None`` from .xlsx."""


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``row`` is where the problem is (0: the file itself)."""

    def __init__(self, file: str, row: int, message: str) -> None:
        super().__init__(f"{file}:{row}: {message}")
        self.file = file
        self.row = row
        self.message = message


Rows = Iterator[tuple[int, list[Cell]]]


@dataclass(frozen=True)
class Sheet:
    """The rows of one file, each with its row number, read afresh each time they are asked for.

    A 100,000-row list held as Python lists of cells takes hundreds of MiB; the file's text
    (or the workbook) is small, so the rows are streamed from it instead, as often as needed
    (once for the header, once for the data).
    """

    file: str
    """The file's name as given, for messages."""
    encoding: str
    """``utf-8-sig``, ``gb18030`` or ``xlsx``."""
    source: Callable[[], Rows] = field(repr=False)
    """Makes a new iterator over ``(row number, cells)`` for every row, blank ones included."""

    @property
    def rows(self) -> Rows:
        """``(row number, cells)`` for every row, blank ones included, from the top."""
        return self.source()


def read_sheet(path: str | Path) -> Sheet:
    """Read a CSV or .xlsx file; raises :class:`ImportFileError` when it cannot."""
    file = str(path)
    suffix = Path(file).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ImportFileError(file, 0, f"unsupported file type {suffix or '(none)'!r}: save the list as .csv or .xlsx")
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(file)
        data = Path(file).read_bytes()
    except FileNotFoundError:
        raise ImportFileError(file, 0, "no such file") from None
    except OSError as exc:
        raise ImportFileError(file, 0, f"cannot read the file: {exc.strerror or exc}") from None
    return _read_csv(file, data)


def decode(file: str, data: bytes) -> tuple[str, str]:
    """The file's text and the encoding that read it."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        bad = exc
    line = data.count(b"\n", 0, bad.start) + 1
    where = f"byte 0x{data[bad.start : bad.start + 1].hex()} at offset {bad.start}"
    # GB18030 accepts most byte sequences, so a UTF-8 file with one damaged byte
    # would "decode" as GB18030 into nonsense. If plenty of real UTF-8 came
    # before the damage, say so instead of importing mojibake.
    good = data[: bad.start].decode("utf-8-sig", errors="replace")
    looks_utf8 = sum(1 for ch in good if ord(ch) > 0x7F) >= _UTF8_EVIDENCE
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        hint = "; the text before it is UTF-8" if looks_utf8 else ""
        raise ImportFileError(
            file, line, f"unknown encoding: neither UTF-8 nor GB18030 ({where}{hint}); save the file as UTF-8 or GBK"
        ) from None
    if looks_utf8:
        raise ImportFileError(file, line, f"damaged UTF-8 text ({where}); export the list again")
    return text, "gb18030"


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
"""One line with its ending, split where ``open(newline="")`` splits: at \r\n, \r or \n."""


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, one at a time: a StringIO over a 100,000-row
    file holds four bytes per character, so the reader is fed slices instead."""
    for match in _LINE.finditer(text):
        yield match.group()


def _delimiter(text: str) -> str:
    first = next((part for line in _lines(text) for part in line.splitlines() if part.strip()), "")
    counts = {sep: first.count(sep) for sep in (",", "\t", ";", "，")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(file: str, data: bytes) -> Sheet:
    text, encoding = decode(file, data)
    delimiter = _delimiter(text)

    def rows() -> Rows:
        reader = csv.reader(_lines(text), delimiter=delimiter)
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFileError(file, start, f"not a readable CSV row: {exc}") from None

    for _ in rows():  # read it all once now, so that an unreadable row is reported before anything is checked
        pass
    return Sheet(file, encoding, rows)


def _read_xlsx(file: str) -> Sheet:
    import zipfile

    from openpyxl import load_workbook

    def open_workbook() -> Any:
        try:
            return load_workbook(file, read_only=True, data_only=True)
        except FileNotFoundError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ImportFileError(file, 0, f"not a readable .xlsx workbook: {exc}") from None

    def rows() -> Rows:
        workbook = open_workbook()
        try:
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
                yield number, list(values)
        finally:
            workbook.close()

    open_workbook().close()  # a file that is no workbook is reported now, before anything is checked
    return Sheet(file, "xlsx", rows)


def iter_data(sheet: Sheet, header_row: int) -> Iterator[tuple[int, list[Cell]]]:
    """The rows after the header."""
    for number, cells in sheet.rows:
        if number > header_row:
            yield number, cells


def is_blank(cells: list[Cell]) -> bool:
    """True when every cell is empty."""
    try:
        return not "".join(cells).strip()  # a CSV row: only text, checked in one pass
    except TypeError:
        return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def cell_text(cell: Cell) -> str:
    """A cell as text: whole numbers without ``.0``, dates as ISO, None as ''."""
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()
