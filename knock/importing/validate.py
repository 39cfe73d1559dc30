"""Checking cells and rows: what a bad row is, and how it is reported.

Every problem is a :class:`RowError` that says ``file:row:column: why``, with
the column named as the file names it, so the office can find the cell in
Excel. Parsers here raise :class:`CellError`; the row readers turn that into a
RowError for the cell, and go on to check the rest of the file, so one run
lists every bad cell at once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from knock.core.bulk import paused_cycle_collection
from knock.core.ledger import Ledger
from knock.core.money import MoneyError, format_yuan, parse_yuan
from knock.core.rooms import Room, RoomError, make_room, parse_room
from knock.importing.headers import IGNORE, MONEY_FIELDS, Column, label_of, match_headers, normalise
from knock.importing.readers import Cell, ImportFileError, Sheet, cell_text, is_blank, read_sheet

T = TypeVar("T")

HEADER_SEARCH_ROWS = 10
"""How many non-blank rows at the top may hold titles before the header row."""

TOTAL_WORDS = frozenset(normalise(w) for w in ("合计", "总计", "小计", "共计", "total", "sum", "subtotal", "grand total"))
"""A row whose first filled cell says this is a total line, not a household: skipped."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (or row) of an import file."""

    file: str
    row: int
    """1-based row as a person sees it: the header is row 1 unless titles sit above it; 0 = the whole file."""
    column: str
    """The column's header as the file writes it; ``-`` when the problem is not in one column."""
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """For ``--json``."""
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ColumnReading:
    """How one column of the header was read (``--dry-run`` prints these)."""

    column: int
    """1-based position, as Excel counts (A = 1)."""
    header: str
    """The header as the file writes it."""
    field: str
    """Knock's field, or '' when the column is ignored."""
    origin: str
    """``known header``, ``--map``, ``settings`` (billing.columns), ``ignored (mapping)`` or ``unknown``."""
    meaning: str
    example: str = ""
    """The first data row's cell and what it was read as, e.g. ``'2026年1月-6月' -> 2026-01-01..2026-06-30``."""

    def to_dict(self) -> dict[str, Any]:
        """For ``--json``."""
        return {"column": self.column, "header": self.header, "field": self.field, "origin": self.origin, "meaning": self.meaning, "example": self.example}


@dataclass
class ImportReport:
    """What an import found and did (or, on a dry run or with errors, would do)."""

    file: str
    kind: str
    """``households`` or ``staff``."""
    dry_run: bool = False
    encoding: str = ""
    rows: int = 0
    """Data rows read (not counting the header, titles, blank and total lines)."""
    rows_skipped: int = 0
    """Blank lines and total (合计) lines below the header."""
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    households_new: int = 0
    households_existing: int = 0
    """Rooms in the file that the ledger already has: not registered again."""
    charges_new: int = 0
    charges_present: int = 0
    """Charges the ledger already has with the same amount: skipped, which makes re-importing safe."""
    charges_settled: int = 0
    """Rows whose outstanding amount is 0 (billed and paid in full): nothing to collect, no charge."""
    penalties_new: int = 0
    """Penalty charges (滞纳金 column) that become their own charge item."""
    penalty_ignored_fen: int = 0
    """Penalty amounts reported and not imported (``billing.penalty_column = "ignore"``)."""
    billing_codes_recorded: int = 0
    """Households already in the ledger that get the billing system's room code now."""
    staff_new: int = 0
    staff_existing: int = 0
    columns: list[ColumnReading] = field(default_factory=list)
    """How each header cell was read."""
    applied: bool = False
    """True once everything was written (never on a dry run or with errors)."""
    examples_pending: dict[str, ColumnReading] = field(default_factory=dict, repr=False, compare=False)
    """Columns still without an example (field -> reading). A row asks ``name in examples_pending``
    before noting one: a dictionary lookup, since a column that is blank in every row (or
    that nothing parses, such as 备注) stays pending to the end of the file."""

    def describe(self, reading: ColumnReading) -> None:
        """Add a column's reading to :attr:`columns`; its example is noted from the first data row that fills it."""
        self.columns.append(reading)
        if reading.field:
            self.examples_pending[reading.field] = reading

    def note_example(self, field_name: str, text: str, value: object) -> None:
        """Keep the first value read from a column, for the column report."""
        reading = self.examples_pending.pop(field_name, None)
        if reading is not None:
            reading.example = f"{text!r} -> {_show(field_name, value)}"

    @property
    def ok(self) -> bool:
        """No errors: the import was (or on a dry run, would be) written."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """For ``--json``."""
        counts: dict[str, int]
        if self.kind == "staff":
            counts = {"staff_new": self.staff_new, "staff_existing": self.staff_existing}
        else:
            counts = {
                "households_new": self.households_new,
                "households_existing": self.households_existing,
                "charges_new": self.charges_new,
                "charges_present": self.charges_present,
                "charges_settled": self.charges_settled,
                "penalties_new": self.penalties_new,
                "penalty_ignored_fen": self.penalty_ignored_fen,
                "billing_codes_recorded": self.billing_codes_recorded,
            }
        return {
            "file": self.file,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "ok": self.ok,
            "encoding": self.encoding,
            "rows": self.rows,
            "rows_skipped": self.rows_skipped,
            **counts,
            "columns": [c.to_dict() for c in self.columns],
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _show(field_name: str, value: object) -> str:
    if field_name in MONEY_FIELDS and isinstance(value, int):
        return f"{format_yuan(value, grouping=False)} yuan"
    if field_name == "area" and isinstance(value, int):
        return f"{value / 100:.2f} m²"
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, date) for v in value):
        return f"{value[0].isoformat()}..{value[1].isoformat()}"
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value) or "(none)"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class ApplyFailed(Exception):
    """Writing failed at ``row`` (the import's transaction is rolled back); ``cause`` says why."""

    def __init__(self, row: int, cause: BaseException) -> None:
        super().__init__(f"row {row}: {cause}")
        self.row = row
        self.cause = cause


class Refused(Exception):
    """Checking found errors: leave the import's transaction without writing anything."""


class CellError(ValueError):
    """A cell that cannot be read as what its column needs."""


# -- the run ----------------------------------------------------------------------------------

P = TypeVar("P")


@paused_cycle_collection()
def run_import(
    ledger: Ledger,
    path: str | Path,
    kind: str,
    *,
    dry_run: bool,
    header: Callable[[Sheet, ImportReport], Header | None],
    check: Callable[[Ledger, Sheet, Header, ImportReport], P],
    apply: Callable[[P, str], None],
) -> ImportReport:
    """Read, check and (unless ``dry_run`` or any error) write one import file, all or nothing.

    On a real run the check and the writing share one ``BEGIN IMMEDIATE``
    transaction: the ledger cannot change between them, and a failure while
    writing (raised as :class:`ApplyFailed`) rolls every row back. A dry run
    only reads. Never raises for a bad file: see ``report.errors``.
    """
    report = ImportReport(file=str(path), kind=kind, dry_run=dry_run)
    try:
        sheet = read_sheet(path)
    except ImportFileError as exc:
        report.errors.append(RowError(exc.file, exc.row, "-", exc.message))
        return report
    report.encoding = sheet.encoding
    found = header(sheet, report)
    if found is None:
        return report
    if dry_run:
        check(ledger, sheet, found, report)
        return report
    try:
        with ledger.store.transaction():
            plan = check(ledger, sheet, found, report)
            if report.errors:
                raise Refused
            apply(plan, Path(report.file).name)
    except Refused:
        return report
    except ApplyFailed as exc:
        report.errors.append(RowError(report.file, exc.row, "-", f"import stopped, nothing was written: {exc.cause}"))
        return report
    report.applied = True
    return report


# -- header -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Where the header is and which column holds which field."""

    row: int
    index: Mapping[str, int]
    """field -> position of its column in the row."""
    names: Mapping[str, str]
    """field -> the header text as the file writes it (the Chinese label when the file lacks it)."""
    textual: bool = False
    """Every cell is text (a CSV file): a cell's trimmed text is what its parser reads, so the
    parsers see the same string for the same value whatever spaces surround it."""
    slots: Mapping[str, int] = field(init=False, repr=False, compare=False)
    """field -> its place in :attr:`RowCells.texts` (the mapped columns, in field order)."""
    positions: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """The mapped columns' positions in a row, in :attr:`slots` order."""
    width: int = field(init=False, repr=False, compare=False)
    """Cells a row needs for every mapped column to be there (a shorter row reads its missing cells as blank)."""
    pick: Callable[[list[Cell]], tuple[Cell, ...]] = field(init=False, repr=False, compare=False)
    """The mapped cells of a row that has them all, in :attr:`slots` order, picked in one call."""

    def __post_init__(self) -> None:
        # Worked out once per file, so that a row is read with one pass over its mapped cells.
        object.__setattr__(self, "slots", {f: slot for slot, f in enumerate(self.index)})
        object.__setattr__(self, "positions", tuple(self.index.values()))
        object.__setattr__(self, "width", max(self.positions, default=-1) + 1)
        positions = self.positions
        pick = itemgetter(*positions) if len(positions) > 1 else lambda cells: tuple(cells[i] for i in positions)
        object.__setattr__(self, "pick", pick)


ColumnMapping = Mapping[str, tuple[str, str]]
"""Normalised header -> (field or ``ignore``, where the mapping came from: ``--map`` or ``settings``)."""


def find_header(
    sheet: Sheet,
    columns: tuple[Column, ...],
    required: Iterable[str],
    report: ImportReport,
    *,
    mapping: ColumnMapping | None = None,
    meanings: Mapping[str, str] | None = None,
) -> Header | None:
    """Find the header row (the first row, unless titles sit above it) and check its columns.

    Missing required columns, and two columns meaning the same field, are
    errors on the header row; columns nobody knows are warnings (ignored).
    ``mapping`` names fields for headers Knock does not know (or overrides it).
    How each column was read goes to ``report.columns``.
    """
    required = tuple(required)
    targets = {key: target for key, (target, _) in (mapping or {}).items()}
    candidates = list(islice(((number, cells) for number, cells in sheet.rows if not is_blank(cells)), HEADER_SEARCH_ROWS))
    if not candidates:
        report.errors.append(RowError(sheet.file, 0, "-", "the file is empty: expected a header row and data rows"))
        return None
    best_number, best_cells = candidates[0]
    best_found: dict[str, int] = {}
    for number, cells in candidates:
        found, _, _ = match_headers(cells, columns, targets)
        if len(found) > len(best_found):
            best_number, best_cells, best_found = number, cells, found
        if all(f in found for f in required):
            break
    found, unknown, repeated = match_headers(best_cells, columns, targets)
    _describe_columns(best_cells, found, repeated, mapping or {}, meanings or {}, report)
    # Columns the file lacks are named by their Chinese label in messages.
    names = {c.field: c.label for c in columns} | {f: cell_text(best_cells[i]) for f, i in found.items()}
    ok = True
    for f in required:
        if f not in found:
            expected = ", ".join(c.aliases[0] + "/" + next((a for a in c.aliases if a.isascii()), c.field) for c in columns if c.field == f)
            report.errors.append(RowError(sheet.file, best_number, label_of(f, columns), f"required column missing (expected a header such as {expected})"))
            ok = False
    for index, f, first in repeated:
        report.errors.append(
            RowError(sheet.file, best_number, cell_text(best_cells[index]),
                     f"this column means the same as {cell_text(best_cells[first])!r} ({f}); keep only one of them")
        )
        ok = False
    for _, text in unknown:
        report.warnings.append(RowError(sheet.file, best_number, text, "unknown column, ignored (map it with --map HEADER=FIELD if it matters)"))
    return Header(best_number, found, names, textual=sheet.encoding != "xlsx") if ok else None


def _describe_columns(
    cells: list[Cell],
    found: Mapping[str, int],
    repeated: list[tuple[int, str, int]],
    mapping: ColumnMapping,
    meanings: Mapping[str, str],
    report: ImportReport,
) -> None:
    by_index = {index: f for f, index in found.items()}
    again = {index: f for index, f, _ in repeated}
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        key = normalise(text)
        if not key:
            continue
        mapped = mapping.get(key)
        f = by_index.get(index) or again.get(index, "")
        if mapped is not None and mapped[0] == IGNORE:
            origin, meaning = f"ignored ({mapped[1]})", "not read"
        elif not f:
            origin, meaning = "unknown", "not read"
        else:
            origin = mapped[1] if mapped is not None else "known header"
            meaning = meanings.get(f, f.replace("_", " "))
            if index in again:
                meaning += " (again: an error)"
        report.describe(ColumnReading(index + 1, text, f, origin, meaning))


# -- one row ----------------------------------------------------------------------------------


class RowCells:
    """The cells of one data row, read by field name; problems go to the report.

    A 100,000-row list reads a million cells: each mapped cell is turned into text once, into
    a list laid out by the header (:attr:`Header.slots`), and nothing else is built per row.
    """

    __slots__ = ("file", "row", "cells", "header", "report", "failed", "texts")

    def __init__(self, file: str, row: int, cells: list[Cell], header: Header, report: ImportReport) -> None:
        self.file = file
        self.row = row
        self.cells = cells
        self.header = header
        self.report = report
        self.failed = False
        if header.textual and len(cells) >= header.width:
            texts = list(map(str.strip, header.pick(cells)))  # a CSV row: only text, every mapped cell there
        else:
            width = len(cells)
            texts = [cell_text(cells[i]) if i < width else "" for i in header.positions]
        self.texts = texts
        """The mapped cells as trimmed text, in :attr:`Header.slots` order ('' where the row is short)."""

    def has(self, name: str) -> bool:
        """True when the file has this column."""
        return name in self.header.slots

    def raw(self, name: str) -> Cell:
        """The cell as read (None when the column is absent or the row short)."""
        i = self.header.index.get(name)
        return self.cells[i] if i is not None and i < len(self.cells) else None

    def text(self, name: str) -> str:
        """The cell as trimmed text ('' when blank or absent)."""
        slot = self.header.slots.get(name)
        return "" if slot is None else self.texts[slot]

    def column(self, name: str) -> str:
        """The column's header as the file writes it."""
        return self.header.names.get(name, name)

    def error(self, name: str, message: str) -> None:
        """Report a problem in this row's ``name`` cell."""
        self.failed = True
        self.report.errors.append(RowError(self.file, self.row, self.column(name) if name != "-" else "-", message))

    def warn(self, name: str, message: str) -> None:
        """Report something worth knowing that does not stop the import."""
        self.report.warnings.append(RowError(self.file, self.row, self.column(name), message))

    def parse(self, name: str, parser: Callable[[Cell], T], *, required: bool = True, what: str = "") -> T | None:
        """Read a cell with ``parser``; a blank cell is None, or an error when required.

        From a CSV file the parser is handed the cell's trimmed text (what it would make of
        the cell anyway), so its cache sees one key per value."""
        slot = self.header.slots.get(name)
        text = "" if slot is None else self.texts[slot]
        if not text:
            if required:
                self.error(name, f"{what or name.replace('_', ' ')} is missing")
            return None
        try:
            parsed = parser(text if self.header.textual else self.raw(name))
        except CellError as exc:
            self.error(name, str(exc))
            return None
        if name in self.report.examples_pending:
            self.report.note_example(name, text, parsed)
        return parsed


def is_total_row(cells: list[Cell]) -> bool:
    """True for a 合计/总计 line under the data."""
    for cell in cells:
        text = cell_text(cell)
        if text:
            return _is_total_word(text)
    return False


@lru_cache(maxsize=1024)
def _is_total_word(text: str) -> bool:
    """Remembered: the first cell of most rows is one of a few building numbers."""
    return normalise(text) in TOTAL_WORDS


# -- cell parsers -----------------------------------------------------------------------------

_CACHE = 8192
"""Parsed values kept per parser: an arrears list repeats the same dates, amounts and areas."""

_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


@lru_cache(maxsize=_CACHE, typed=True)
def parse_date(cell: Cell) -> date:
    """A date: an Excel date, ``2026-03-01``, ``2026/3/1``, ``2026.3.1``, ``2026年3月1日`` or ``20260301``."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if float(cell).is_integer() and 19000101 <= cell <= 29991231:
            text = str(int(cell))
        elif 1 <= cell < 2958466 and float(cell).is_integer():
            # An Excel serial day number in a cell not formatted as a date.
            return _EXCEL_EPOCH + timedelta(days=int(cell))
        else:
            raise CellError(f"not a date: {cell!r}")
    else:
        text = cell_text(cell)
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match is None:
        raise CellError(f"not a date: {text!r} (write 2026-03-01, 2026/3/1 or 2026年3月1日)")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"no such date: {text!r}") from None


@lru_cache(maxsize=_CACHE, typed=True)
def parse_amount(cell: Cell) -> int:
    """A positive yuan amount, exactly, in fen: three decimals, negative or zero is an error."""
    fen = parse_money(cell)
    if fen == 0:
        raise CellError("amount is zero: a charge must be more than 0.00")
    return fen


@lru_cache(maxsize=_CACHE, typed=True)
def parse_money(cell: Cell) -> int:
    """A yuan amount, exactly, in fen, zero allowed (a 实收 or 减免 of 0.00); negative is an error.

    The one amount parser (:func:`knock.core.money.parse_yuan`) also refuses anything above
    ``MAX_FEN``, so no sum of cells can overflow SQLite's integers."""
    if isinstance(cell, bool):
        raise CellError(f"not an amount: {cell!r}")
    try:
        if isinstance(cell, float):
            # repr is the shortest text that reads back as the same float: 1234.5, not 1234.4999...
            fen = parse_yuan(Decimal(repr(cell)))
        elif isinstance(cell, int):
            fen = parse_yuan(cell)
        else:
            fen = parse_yuan(cell_text(cell))
    except MoneyError as exc:
        raise CellError(str(exc)) from None
    return fen


_AREA_UNITS = re.compile(r"(平方米|平米|㎡|m²|m2|sqm)$", re.IGNORECASE)


@lru_cache(maxsize=_CACHE, typed=True)
def parse_area(cell: Cell) -> int:
    """A floor area in m² (up to two decimals) as hundredths of a m²."""
    text = repr(cell) if isinstance(cell, float) else cell_text(cell)
    text = _AREA_UNITS.sub("", text.replace(",", "").strip()).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"not a floor area in m²: {cell_text(cell)!r}") from None
    if not value.is_finite() or value < 0:
        raise CellError(f"not a floor area in m²: {cell_text(cell)!r}")
    centi = value * 100
    if centi != centi.to_integral_value():
        raise CellError(f"floor area has more than two decimal places: {cell_text(cell)!r}")
    return int(centi)


_PHONE_SPLIT = re.compile(r"\s*[/;,、，；|]\s*")
_PHONE_OK = re.compile(r"^\+?[\d\s()（）-]{5,24}(?:(?:转|ext\.?|x)\d{1,6})?$", re.IGNORECASE)


@lru_cache(maxsize=_CACHE, typed=True)
def parse_phones(cell: Cell) -> tuple[str, ...]:
    """Phone numbers, several separated by ``/ ; , 、``; each kept as written, without duplicates."""
    numbers: list[str] = []
    for part in _PHONE_SPLIT.split(cell_text(cell)):
        if not part:
            continue
        if not _PHONE_OK.match(part):
            raise CellError(f"not a phone number: {part!r}")
        if part not in numbers:
            numbers.append(part)
    return tuple(numbers)


def parse_word(words: Mapping[str, str], what: str, shown: Iterable[str]) -> Callable[[Cell], str]:
    """A parser that maps a vocabulary word (a key of ``words``) to its code."""
    listed = ", ".join(shown)

    def parser(cell: Cell) -> str:
        found = words.get(normalise(cell_text(cell)))
        if found is None:
            raise CellError(f"unknown {what} {cell_text(cell)!r} (use one of {listed})")
        return found

    return parser


_ROOM_SUFFIX = re.compile(r"\s*(号楼|栋|幢|座|#|号|单元|室)$")


def read_room(row: RowCells) -> Room | None:
    """The room from 楼栋/单元/房号, or a whole room code such as ``3-2-501`` in 房号 alone."""
    room, problems = room_of(row.text("building"), row.text("unit"), row.text("room"), row.has("building") or row.has("unit"))
    for name, message in problems:
        row.error(name, message)
    return room


def room_of(building_text: str, unit_text: str, room_text: str, has_parts: bool) -> tuple[Room | None, tuple[tuple[str, str], ...]]:
    """The room the three cells name and the problems found (field, message), without reporting them: :func:`read_room`'s rule."""
    return _room(building_text, unit_text, room_text, has_parts)


@lru_cache(maxsize=_CACHE)
def _bare(text: str) -> str:
    """A room cell without its 号楼/栋/单元/室 word (remembered: the same buildings and units come back row after row)."""
    return _ROOM_SUFFIX.sub("", text)


@lru_cache(maxsize=_CACHE)
def _room(building_text: str, unit_text: str, room_text: str, has_parts: bool) -> tuple[Room | None, tuple[tuple[str, str], ...]]:
    building, unit, room_no = _bare(building_text), _bare(unit_text), _bare(room_text)
    if not room_no:
        return None, (("room", "room number is missing"),)
    if not building and not unit:
        try:
            return parse_room(room_text), ()
        except RoomError as exc:
            if not has_parts:
                return None, (("room", str(exc)),)
    if building_text.strip().endswith("座") and not unit:
        # A tower in a 楼栋 column (A座) with the room beside it: the room rule's tower form.
        try:
            return parse_room(f"{building_text.strip()}{room_text}"), ()
        except RoomError as exc:
            return None, (("room", str(exc)),)
    missing = tuple((name, f"{name} is missing") for name, value in (("building", building), ("unit", unit)) if not value)
    if missing:
        return None, missing
    try:
        return make_room(building, unit, room_no), ()
    except RoomError as exc:
        return None, (("room", str(exc)),)


@lru_cache(maxsize=_CACHE)
def due_date_for(period_start: date, due_day_of_month: int) -> date:
    """The default due date: the first ``due_day_of_month`` on or after the period's start.

    A March bill (2026-03-01..2026-03-31) with the default due day 15 is due
    2026-03-15; a period starting on the 20th is due on the 15th of the next month.
    """
    if period_start.day <= due_day_of_month:
        return period_start.replace(day=due_day_of_month)
    year, month = (period_start.year + 1, 1) if period_start.month == 12 else (period_start.year, period_start.month + 1)
    return date(year, month, due_day_of_month)
