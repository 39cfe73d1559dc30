"""Importing an arrears list: households and their charges, all or nothing.

One row of the list is one charge (收费项目, a period, its money) of one
household (楼栋/单元/房号 or one room code, 业主姓名, 联系电话, 建筑面积). A row
without any charge cells only registers its household.

Money, as billing systems export it:

- The arrears Knock collects are the **outstanding** amount (欠费/未收). Without
  an outstanding column they are billed - paid - reduction (应收 - 实收 - 减免),
  and a list with only 应收金额 (the classic arrears list) owes its 应收.
- When billed, paid and outstanding are all in the file they must agree:
  billed - paid - reduction = outstanding, or the row is an error that names
  the three figures.
- A row with nothing outstanding (billed and paid in full) makes no charge;
  it is counted as settled. Paid more than billed is a warning: credit is
  not imported.
- A penalty already charged (滞纳金/违约金) is never added to the fee: with
  ``billing.penalty_column = "charge"`` (the default) it becomes its own
  ``penalty`` charge for the same period (several rows' penalties for one
  room and period make one charge); with ``"ignore"`` each amount is reported
  as a warning and none is imported.

Periods come from 起始日期/截止日期, or from one period column (所属期间 ...,
see :mod:`knock.importing.periods`). One row per month and one row per period
both work. Occupancy not in the file is ``unknown``, never assumed.

The billing system's own room code (a 房屋编码 column, else the room cell as
written, else the building, unit and room cells joined by ``-``) is kept on the
household, so the payments export matches it exactly. A household already in the
ledger without one learns it from the first file that writes the room differently
from Knock's code; a code that *is* Knock's code (``1-1-101``) is not recorded
there, since the export writes the room code when no billing code is kept: an
update event per household would say nothing.

The rules:

- Every row is checked before anything is written; any error means nothing is
  imported. On a real run the check and the writing happen inside one
  ``BEGIN IMMEDIATE`` transaction, so nobody can change the ledger in between
  and a failure halfway (a full disk) leaves the ledger as it was.
- A room the ledger already has is not registered again, and its details are
  not changed (an owner name that differs is a warning; the ledger's is kept).
  Rooms new to the ledger take their details from their first row, with phone
  numbers gathered from all their rows.
- A charge is identified by room, fee item and period. The same charge twice
  in one file is an error naming both rows. A charge the ledger already has
  with the same amount is counted as *already present* and skipped: that is
  what makes importing next month's list (which repeats the unpaid months)
  safe. The same charge with a *different* amount is an error: it needs a
  correction in the ledger, not a second import.
- Without a due-date column (应缴日期) a charge is due on the first
  ``settings.fees.due_day_of_month`` on or after its period's start (see
  :func:`knock.importing.validate.due_date_for`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from knock.core.bulk import LedgerBatch
from knock.core.errors import LedgerError
from knock.core.ledger import OCCUPANCIES, Ledger
from knock.core.money import format_yuan
from knock.core.rooms import Room
from knock.core.store import Store
from knock.importing.headers import (
    FIELD_MEANINGS,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_REQUIRED,
    OCCUPANCY_WORDS,
    fee_item,
    label_of,
    mapping_target,
    normalise,
)
from knock.importing.periods import PeriodError, parse_period
from knock.importing.readers import Cell, Sheet, is_blank, iter_data
from knock.importing.validate import (
    ApplyFailed,
    CellError,
    ColumnMapping,
    Header,
    ImportReport,
    RowCells,
    RowError,
    due_date_for,
    find_header,
    is_total_row,
    parse_area,
    parse_date,
    parse_money,
    parse_phones,
    parse_word,
    room_of,
    run_import,
)

_OCCUPANCY = parse_word(OCCUPANCY_WORDS, "occupancy", ("已入住", "空置", "出租", *OCCUPANCIES))

PENALTY_ITEM = "penalty"
"""Knock's fee item for a penalty the billing system already charged."""

_AMOUNT_FIELDS = ("billed", "outstanding")
"""A charge row needs one of these."""


def _period(cell: Cell) -> tuple[date, date]:
    try:
        return parse_period(cell)
    except PeriodError as exc:
        raise CellError(str(exc)) from None


@dataclass(slots=True)
class NewHousehold:
    """A room the ledger does not have yet, as the file describes it."""

    row: int
    room: str
    owner: str
    phones: list[str] = field(default_factory=list)
    area_centi_m2: int = 0
    occupancy: str = "unknown"
    notes: str = ""
    billing_code: str = ""


@dataclass(slots=True)
class NewCharge:
    """A charge the ledger does not have yet.

    The plan's records are plain slotted classes, never changed once made: a frozen dataclass
    would cost a microsecond more for each of 100,000 rows."""

    row: int
    room: str
    item: str
    period_start: date
    period_end: date
    due_date: date
    amount_fen: int
    billing_item: str = ""
    """The fee item as the billing system wrote it, handed back on export."""
    household_id: str = ""
    """The household's id when the ledger already has the room (read while checking)."""


@dataclass(slots=True)
class BillingCodeUpdate:
    """A household already in the ledger that now learns its billing-system room code."""

    row: int
    room: str
    billing_code: str
    household_id: str


@dataclass
class HouseholdPlan:
    """What applying the file will write, in file order."""

    households: dict[str, NewHousehold] = field(default_factory=dict)
    charges: list[NewCharge] = field(default_factory=list)
    billing_codes: list[BillingCodeUpdate] = field(default_factory=list)


def column_mapping(ledger: Ledger, overrides: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """The header mapping for an import: ``settings.billing.columns``, then ``overrides`` (``--map``) on top.

    Raises ValueError naming the mapping when a target is not a field.
    """
    mapping: dict[str, tuple[str, str]] = {}
    for header, target in ledger.settings.billing.columns.items():
        mapping[normalise(header)] = (mapping_target(target, where=f"settings billing.columns.{header}"), "settings")
    for header, target in (overrides or {}).items():
        if not normalise(header):
            raise ValueError(f"--map {header}={target}: the header is empty")
        mapping[normalise(header)] = (mapping_target(target, where=f"--map {header}={target}"), "--map")
    return mapping


def import_households(
    ledger: Ledger,
    path: str | Path,
    *,
    dry_run: bool = False,
    author: str = "import",
    mapping: Mapping[str, str] | None = None,
) -> ImportReport:
    """Check an arrears list and, unless ``dry_run`` or anything is wrong, import all of it.

    ``mapping`` (header -> field, as ``--map`` gives it) names columns Knock
    does not know. Never raises for a bad file: problems are in
    ``report.errors`` and ``report.applied`` says whether anything was written.
    A bad mapping raises ValueError before the file is read.
    """
    columns = column_mapping(ledger, mapping)
    return run_import(
        ledger,
        path,
        "households",
        dry_run=dry_run,
        header=lambda sheet, report: _header(sheet, report, columns),
        check=check_households,
        apply=lambda plan, source: _apply(ledger, plan, source, author),
    )


def _apply(ledger: Ledger, plan: HouseholdPlan, source: str, author: str) -> None:
    """Write the plan through the ledger's bulk path; any failure names the row being written and undoes everything."""
    row = 0
    try:
        with LedgerBatch(ledger) as batch:
            for household in plan.households.values():
                row = household.row
                batch.register_household(
                    household.room,
                    household.owner,
                    phones=household.phones,
                    area_centi_m2=household.area_centi_m2,
                    occupancy=household.occupancy,
                    notes=household.notes,
                    billing_code=household.billing_code,
                    author=author,
                )
            for update in plan.billing_codes:
                row = update.row
                batch.update_household(update.room, billing_code=update.billing_code, author=author, household_id=update.household_id)
            for charge in plan.charges:
                row = charge.row
                batch.add_charge(
                    charge.room,
                    charge.item,
                    charge.period_start,
                    charge.period_end,
                    charge.due_date,
                    charge.amount_fen,
                    source=f"import {source}:{charge.row}",
                    billing_item=charge.billing_item,
                    author=author,
                    household_id=charge.household_id,
                    checked=True,  # the check read the ledger's charges for these rooms in this transaction
                )
    except (LedgerError, sqlite3.Error, OSError) as exc:
        raise ApplyFailed(row, exc) from exc


def _header(sheet: Sheet, report: ImportReport, mapping: ColumnMapping) -> Header | None:
    header = find_header(sheet, HOUSEHOLD_COLUMNS, HOUSEHOLD_REQUIRED, report, mapping=mapping, meanings=FIELD_MEANINGS)
    if header is None:
        return None
    index = header.index
    has = [f for f in ("item", "period", "period_start", "period_end", *_AMOUNT_FIELDS, "paid", "reduction", "penalty") if f in index]
    if not has:
        return header  # households only
    def label(f: str) -> str:
        return label_of(f, HOUSEHOLD_COLUMNS)

    needs = f"a charge needs {label('item')}, a period ({label('period')}, or {label('period_start')} and {label('period_end')}) and {label('outstanding')} or {label('billed')}"
    missing: list[str] = []
    if "item" not in index:
        missing.append("item")
    if "period" not in index and not ("period_start" in index and "period_end" in index):
        if "period_start" in index or "period_end" in index:
            missing.extend(f for f in ("period_start", "period_end") if f not in index)  # half of a start/end pair
        else:
            missing.append("period")
    if not any(f in index for f in _AMOUNT_FIELDS):
        missing.append("outstanding")
    for f in missing:
        report.errors.append(RowError(sheet.file, header.row, label(f), f"required column missing ({needs})"))
    if missing:
        return None
    if "period" in index and "period_start" in index:
        report.warnings.append(
            RowError(sheet.file, header.row, header.names["period"], f"the file also has {header.names['period_start']}/{header.names['period_end']}; those dates are used and this column is ignored")
        )
    return header


def check_households(ledger: Ledger, sheet: Sheet, header: Header, report: ImportReport) -> HouseholdPlan:
    """Check every row against the file and the ledger; fill ``report``; return what would be written.

    The rows are streamed from the file a block at a time, and the ledger's
    households and charges are read for the rooms of each block with a few
    ``IN (...)`` queries: a list of 100,000 rows costs a few hundred queries,
    not 100,000, and memory holds one block's facts, not the whole ledger's.
    """
    facts = _LedgerFacts(ledger.store)
    ledger_rooms = facts.rooms
    ledger_charges = facts.charges
    due_day = ledger.settings.fees.due_day_of_month
    penalty_policy = ledger.settings.billing.penalty_column
    has_charges = "item" in header.index
    plan = HouseholdPlan()
    existing_seen: set[str] = set()
    codes: dict[str, tuple[str, int]] = {}
    """canonical room -> (billing code, first row) as this file writes it."""
    charge_rows: dict[tuple[str, str, date, date], int] = {}
    penalties: dict[tuple[str, str, str], NewCharge] = {}
    charge_cells = ("item", "period", "period_start", "period_end", "due_date", "billed", "paid", "reduction", "outstanding", "penalty")
    slots = header.slots
    charge_slots = [slots[f] for f in charge_cells if f in slots]

    examples = report.examples_pending
    for row, room, problems, billing_code in facts.blocks(iter_data(sheet, header.row), header, report):
        if row is None:
            report.rows_skipped += 1
            continue
        report.rows += 1
        number = row.row
        for name, message in problems:
            row.error(name, message)
        owner = row.text("owner")
        # Optional columns the file lacks are not asked for (the header says so once for the whole file).
        phones = (row.parse("phone", parse_phones, required=False) or ()) if "phone" in slots else ()
        area = row.parse("area", parse_area, required=False, what="floor area") if "area" in slots else None
        occupancy = row.parse("occupancy", _OCCUPANCY, required=False) if "occupancy" in slots else None
        notes = row.text("notes")

        read: _RowCharge | None = None
        if has_charges and any(row.texts[i] for i in charge_slots):
            read = _read_charge(row, due_day)

        if room is None:
            continue
        code = room.code
        if examples:
            report.note_example("room", row.text("room"), code)
            report.note_example("billing_code", billing_code, "kept as written")
            if owner:
                report.note_example("owner", owner, owner)
        first_code = codes.get(code)
        if first_code is None:
            codes[code] = (billing_code, number)
        elif billing_code != first_code[0]:
            row.error(
                "billing_code" if row.has("billing_code") else "room",
                f"room {code} is written {first_code[0]!r} in row {first_code[1]} and {billing_code!r} here: "
                "the billing system must use one code per room",
            )
        if code in ledger_rooms:
            ledger_owner, ledger_code, household_id = ledger_rooms[code]
            if code not in existing_seen:
                existing_seen.add(code)
                if owner and owner != ledger_owner:
                    row.warn("owner", f"room {code} belongs to {ledger_owner} in the ledger, not {owner}; the ledger's name is kept")
                if not ledger_code:
                    if billing_code != code:  # the same text as Knock's code tells the ledger nothing: no event
                        plan.billing_codes.append(BillingCodeUpdate(number, code, billing_code, household_id))
                elif ledger_code != billing_code:
                    row.warn(
                        "billing_code" if row.has("billing_code") else "room",
                        f"room {code} has the billing code {ledger_code!r} in the ledger, not {billing_code!r}; the ledger's is kept",
                    )
        elif code in plan.households:
            household = plan.households[code]
            if owner and owner != household.owner:
                row.warn("owner", f"room {code} belongs to {household.owner} in row {household.row}, not {owner}; row {household.row}'s name is kept")
            household.phones.extend(p for p in phones if p not in household.phones)
        elif not owner:
            row.error("owner", f"owner name is missing (room {code} is not in the ledger yet)")
        else:
            plan.households[code] = NewHousehold(number, code, owner, list(phones), area or 0, occupancy or "unknown", notes, billing_code)

        if read is None:
            continue
        if read.penalty_fen:
            _plan_penalty(row, code, read, penalty_policy, penalties, report)
        if not read.amount_fen:
            continue
        known = ledger_rooms.get(code)
        start, end, due = read.period  # type: ignore[misc]
        charge = NewCharge(number, code, read.item, start, end, due, read.amount_fen, read.billing_item, known[2] if known is not None else "")
        key = (code, charge.item, charge.period_start, charge.period_end)
        first = charge_rows.get(key)
        if first is not None:
            row.error("item", f"duplicate charge: rows {first} and {number} both bill room {code} for {charge.item} {key[2]}..{key[3]}")
            continue
        charge_rows[key] = number
        _plan_charge(row, charge, ledger_charges, plan, report)

    pending = list(penalties.values())
    for start in range(0, len(pending), BLOCK):
        block = pending[start : start + BLOCK]
        facts.prefetch({penalty.room for penalty in block}, {penalty.period_start for penalty in block})
        for penalty in block:
            known = ledger_rooms.get(penalty.room)
            _plan_charge(None, penalty if known is None else replace(penalty, household_id=known[2]), ledger_charges, plan, report)
    report.households_new = len(plan.households)
    report.households_existing = len(existing_seen)
    report.billing_codes_recorded = len(plan.billing_codes)
    report.charges_new = len(plan.charges)
    report.penalties_new = sum(1 for c in plan.charges if c.item == PENALTY_ITEM)
    return plan


BLOCK = 2000
"""Rows checked per block; the ledger's facts about one block's rooms are read together."""


class _LedgerFacts:
    """What the ledger already holds about the rooms of the block being checked.

    ``rooms``: canonical room -> (owner name, billing code, household id); ``charges``: (room, item, period
    start, period end) -> amount in fen. Both hold one block's rooms at a time.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rooms: dict[str, tuple[str, str, str]] = {}
        self.charges: dict[tuple[str, str, str, str], int] = {}

    def prefetch(self, rooms: set[str], starts: set[date] | None) -> None:
        """Forget the last block's facts and read those of ``rooms``.

        ``starts``, when known, are the only period starts the block's charges can have: the
        ledger's other charges of those rooms (a community's whole history) are not read.
        """
        self.rooms.clear()
        self.charges.clear()
        codes = sorted(rooms)
        since = "" if not starts or len(starts) > 50 else " AND c.period_start IN (" + ",".join("?" * len(starts)) + ")"
        periods = [] if not since else sorted(d.isoformat() for d in starts or ())
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.store.iterate(f"SELECT room, owner_name, billing_code, household_id FROM households WHERE room IN ({marks})", chunk):
                self.rooms[row[0]] = (row[1], row[2], row[3])
            for row in self.store.iterate(
                "SELECT h.room, c.item, c.period_start, c.period_end, c.amount_fen FROM households h JOIN charges c USING (household_id)"
                f" WHERE h.room IN ({marks}){since}",
                [*chunk, *periods],
            ):
                self.charges[(row[0], row[1], row[2], row[3])] = int(row[4])

    def blocks(self, rows: Iterable[tuple[int, list[Cell]]], header: Header, report: ImportReport) -> Iterator[_ReadRow]:
        """``rows`` again as (row, its room, the room's problems, its billing code), a block at a time,
        each block's facts read before its first row is handed on; ``row`` is None for a blank or total line.

        Each row's cells and room are read here once, for the prefetch, and handed on as they are."""
        has_parts = "building" in header.index or "unit" in header.index
        start_column = "period_start" if "period_start" in header.index else "period" if "period" in header.index else None
        start_of = parse_date if start_column == "period_start" else _period_start
        file = report.file
        block: list[_ReadRow] = []
        rooms: set[str] = set()
        starts: set[date] | None = set()

        def flush() -> Iterator[_ReadRow]:
            self.prefetch(rooms, starts)
            yield from block
            block.clear()
            rooms.clear()

        for number, cells in rows:
            if is_blank(cells) or is_total_row(cells):
                block.append((None, None, (), ""))
                continue
            row = RowCells(file, number, cells, header, report)
            building, unit, room_text = row.text("building"), row.text("unit"), row.text("room")
            room, problems = room_of(building, unit, room_text, has_parts)
            block.append((row, room, problems, row.text("billing_code") or _billing_code(building, unit, room_text)))
            if room is not None:
                rooms.add(room.code)
            if starts is not None and start_column is not None:
                text = row.text(start_column)
                if text:
                    try:
                        starts.add(start_of(text if header.textual else row.raw(start_column)))
                    except (CellError, PeriodError):
                        starts = None  # an unreadable period is reported by the row's own check; read every charge of the block's rooms
            if len(block) >= BLOCK:
                yield from flush()
                starts = set()
        yield from flush()


_ReadRow = tuple[RowCells | None, Room | None, tuple[tuple[str, str], ...], str]
"""What :meth:`_LedgerFacts.blocks` hands on for each row."""


def _period_start(cell: Cell) -> date:
    return parse_period(cell)[0]


def _plan_charge(row: RowCells | None, charge: NewCharge, ledger_charges: dict[tuple[str, str, str, str], int], plan: HouseholdPlan, report: ImportReport) -> None:
    key = (charge.room, charge.item, charge.period_start.isoformat(), charge.period_end.isoformat())
    if key not in ledger_charges:
        plan.charges.append(charge)
        return
    if ledger_charges[key] == charge.amount_fen:
        report.charges_present += 1
        return
    message = (
        f"room {charge.room} already owes {format_yuan(ledger_charges[key])} for {charge.item} {key[2]}..{key[3]} in the ledger, "
        f"this file says {format_yuan(charge.amount_fen)}: correct the ledger (reverse the charge) instead of importing"
    )
    if row is not None:
        row.error("outstanding" if row.has("outstanding") else "billed", message)
    else:
        report.errors.append(RowError(report.file, charge.row, label_of("penalty", HOUSEHOLD_COLUMNS), message))


def _plan_penalty(row: RowCells, code: str, read: _RowCharge, policy: str, penalties: dict[tuple[str, str, str], NewCharge], report: ImportReport) -> None:
    start, end, due = read.period
    if policy == "ignore":
        report.penalty_ignored_fen += read.penalty_fen
        row.warn("penalty", f"penalty {format_yuan(read.penalty_fen)} reported, not imported (settings: billing.penalty_column = \"ignore\")")
        return
    key = (code, start.isoformat(), end.isoformat())
    earlier = penalties.get(key)
    amount = read.penalty_fen + (earlier.amount_fen if earlier else 0)
    penalties[key] = NewCharge(earlier.row if earlier else row.row, code, PENALTY_ITEM, start, end, due, amount, row.column("penalty"))


def _billing_code(building: str, unit: str, room: str) -> str:
    """The room as the billing system writes it when it has no code column: its room cell, or the three cells joined."""
    if building and unit:
        return f"{building}-{unit}-{room}"
    return "-".join([part for part in (building, unit) if part] + [room])


@dataclass(slots=True)
class _RowCharge:
    """What one row bills: a charge of ``amount_fen`` (0 when nothing is outstanding) and a penalty."""

    item: str
    """Knock's fee item ('' when the cell is blank: an error already reported)."""
    billing_item: str
    """The fee item as the billing system wrote it."""
    amount_fen: int
    penalty_fen: int
    period: tuple[date, date, date]
    """(start, end, due)."""


def _read_charge(row: RowCells, due_day: int) -> _RowCharge | None:
    item_text = row.text("item")
    if not item_text:
        row.error("item", "fee item is missing")
    if row.has("period_start"):
        start = row.parse("period_start", parse_date, what="period start")
        end = row.parse("period_end", parse_date, what="period end")
        if start is not None and end is not None and end < start:
            row.error("period_end", f"period ends ({end}) before it starts ({start})")
            return None
    else:
        period = row.parse("period", _period, what="period")
        start, end = period if period is not None else (None, None)
    slots = row.header.slots
    due = row.parse("due_date", parse_date, required=False, what="due date") if "due_date" in slots else None
    outstanding = _arrears(row, slots)
    penalty = (row.parse("penalty", parse_money, required=False, what="penalty") or 0) if "penalty" in slots else 0
    if start is None or end is None or (due is None and "due_date" in slots and row.text("due_date")):
        return None
    due = due or due_date_for(start, due_day)
    item = fee_item(item_text) if item_text else ""
    if item_text and "item" in row.report.examples_pending:
        row.report.note_example("item", item_text, item)
    return _RowCharge(item, item_text, outstanding or 0 if item else 0, penalty, (start, end, due))


def _arrears(row: RowCells, slots: Mapping[str, int]) -> int | None:
    """What the row leaves outstanding, in fen (0: settled); None after reporting a problem."""
    billed = row.parse("billed", parse_money, required=False, what="billed amount") if "billed" in slots else None
    paid = row.parse("paid", parse_money, required=False, what="paid amount") if "paid" in slots else None
    reduction = row.parse("reduction", parse_money, required=False, what="reduction") if "reduction" in slots else None
    outstanding = row.parse("outstanding", parse_money, required=False, what="outstanding amount") if "outstanding" in slots else None
    if row.failed:
        return None
    if outstanding is not None:
        if billed is not None and paid is not None:
            expected = billed - paid - (reduction or 0)
            if expected != outstanding:
                minus_reduction = f" - reduction {format_yuan(reduction)}" if reduction else ""
                row.error(
                    "outstanding",
                    f"the figures disagree: billed {format_yuan(billed)} - paid {format_yuan(paid)}{minus_reduction} = {format_yuan(expected)}, "
                    f"but outstanding is {format_yuan(outstanding)} (row {row.row})",
                )
                return None
        return _settled(row, outstanding)
    if billed is None:
        row.error("outstanding" if row.has("outstanding") else "billed", "amount is missing (the row needs an outstanding or a billed amount)")
        return None
    left = billed - (paid or 0) - (reduction or 0)
    if left < 0:
        row.warn("paid", f"paid {format_yuan((paid or 0) + (reduction or 0))} against {format_yuan(billed)} billed: the credit of {format_yuan(-left)} is not imported")
        return _settled(row, 0)
    return _settled(row, left)


def _settled(row: RowCells, outstanding: int) -> int:
    if outstanding == 0:
        row.report.charges_settled += 1
    return outstanding


__all__ = ["HouseholdPlan", "NewCharge", "NewHousehold", "check_households", "column_mapping", "import_households"]
