"""Importing an arrears list: households and their charges, all or nothing.

One row of the list is one charge (收费项目, 起始日期..截止日期, 应收金额) of one
household (楼栋/单元/房号, 业主姓名, 联系电话, 建筑面积). A row without any charge
cells only registers its household.

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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from knock.core.errors import LedgerError
from knock.core.ledger import OCCUPANCIES, BulkItemError, Ledger
from knock.core.ledger import NewCharge as NewLedgerCharge, NewHousehold as NewLedgerHousehold
from knock.core.money import format_yuan
from knock.importing.headers import CHARGE_FIELDS, HOUSEHOLD_COLUMNS, HOUSEHOLD_REQUIRED, OCCUPANCY_WORDS, fee_item, label_of
from knock.importing.readers import Sheet, is_blank, iter_data
from knock.importing.validate import (
    ApplyFailed,
    Header,
    ImportReport,
    RowCells,
    RowError,
    due_date_for,
    find_header,
    is_total_row,
    parse_amount,
    parse_area,
    parse_date,
    parse_phones,
    parse_word,
    read_room,
    run_import,
)

_OCCUPANCY = parse_word(OCCUPANCY_WORDS, "occupancy", ("已入住", "空置", "出租", *OCCUPANCIES))


@dataclass
class NewHousehold:
    """A room the ledger does not have yet, as the file describes it."""

    row: int
    room: str
    owner: str
    phones: list[str] = field(default_factory=list)
    area_centi_m2: int = 0
    occupancy: str = "occupied"
    notes: str = ""


@dataclass(frozen=True)
class NewCharge:
    """A charge the ledger does not have yet."""

    row: int
    room: str
    item: str
    period_start: date
    period_end: date
    due_date: date
    amount_fen: int


@dataclass
class HouseholdPlan:
    """What applying the file will write, in file order."""

    households: dict[str, NewHousehold] = field(default_factory=dict)
    charges: list[NewCharge] = field(default_factory=list)


def import_households(ledger: Ledger, path: str | Path, *, dry_run: bool = False, author: str = "import") -> ImportReport:
    """Check an arrears list and, unless ``dry_run`` or anything is wrong, import all of it.

    Never raises for a bad file: problems are in ``report.errors`` and
    ``report.applied`` says whether anything was written.
    """
    return run_import(
        ledger,
        path,
        "households",
        dry_run=dry_run,
        header=_header,
        check=check_households,
        apply=lambda plan, source: _apply(ledger, plan, source, author),
    )


def _apply(ledger: Ledger, plan: HouseholdPlan, source: str, author: str) -> None:
    """Write the plan through the ledger's bulk path; any failure names the row being written and undoes everything."""
    homes = list(plan.households.values())
    try:
        ledger.register_households(
            (
                NewLedgerHousehold(h.room, h.owner, phones=tuple(h.phones), area_centi_m2=h.area_centi_m2, occupancy=h.occupancy, notes=h.notes)
                for h in homes
            ),
            author=author,
        )
    except BulkItemError as exc:
        raise ApplyFailed(homes[exc.index].row, exc.cause) from exc
    except (LedgerError, sqlite3.Error, OSError) as exc:
        raise ApplyFailed(homes[0].row if homes else 0, exc) from exc
    charges = plan.charges
    try:
        ledger.add_charges(
            (
                NewLedgerCharge(c.room, c.item, c.period_start, c.period_end, c.due_date, c.amount_fen, source=f"import {source}:{c.row}")
                for c in charges
            ),
            author=author,
        )
    except BulkItemError as exc:
        raise ApplyFailed(charges[exc.index].row, exc.cause) from exc
    except (LedgerError, sqlite3.Error, OSError) as exc:
        raise ApplyFailed(charges[0].row if charges else 0, exc) from exc


def _header(sheet: Sheet, report: ImportReport) -> Header | None:
    header = find_header(sheet, HOUSEHOLD_COLUMNS, HOUSEHOLD_REQUIRED, report)
    if header is None:
        return None
    present = [f for f in CHARGE_FIELDS if f in header.index]
    if present and len(present) < len(CHARGE_FIELDS):
        for f in CHARGE_FIELDS:
            if f not in header.index:
                report.errors.append(
                    RowError(sheet.file, header.row, label_of(f, HOUSEHOLD_COLUMNS), f"required column missing (a charge needs {', '.join(label_of(c, HOUSEHOLD_COLUMNS) for c in CHARGE_FIELDS)})")
                )
        return None
    return header


def check_households(ledger: Ledger, sheet: Sheet, header: Header, report: ImportReport) -> HouseholdPlan:
    """Check every row against the file and the ledger; fill ``report``; return what would be written.

    The ledger's rooms and charges are read once, up front, so a list of
    100,000 rows costs two queries, not 100,000.
    """
    store = ledger.store
    ledger_owner = {row[0]: row[1] for row in store.query("SELECT room, owner_name FROM households")}
    ledger_charges = {
        (row[0], row[1], row[2], row[3]): int(row[4])
        for row in store.query(
            "SELECT h.room, c.item, c.period_start, c.period_end, c.amount_fen FROM charges c JOIN households h USING (household_id)"
        )
    }
    due_day = ledger.settings.fees.due_day_of_month
    has_charges = "item" in header.index
    plan = HouseholdPlan()
    existing_seen: set[str] = set()
    charge_rows: dict[tuple[str, str, str, str], int] = {}

    for number, cells in iter_data(sheet, header.row):
        if is_blank(cells) or is_total_row(cells):
            report.rows_skipped += 1
            continue
        report.rows += 1
        row = RowCells(sheet.file, number, cells, header, report)
        room = read_room(row)
        owner = row.text("owner")
        phones = row.parse("phone", parse_phones, required=False) or ()
        area = row.parse("area", parse_area, required=False, what="floor area")
        occupancy = row.parse("occupancy", _OCCUPANCY, required=False)
        notes = row.text("notes")

        charge: NewCharge | None = None
        if has_charges and any(row.text(f) for f in (*CHARGE_FIELDS, "due_date")):
            charge = _read_charge(row, room.code if room else "", due_day)

        if room is None:
            continue
        code = room.code
        if code in ledger_owner:
            if code not in existing_seen:
                existing_seen.add(code)
                if owner and owner != ledger_owner[code]:
                    row.warn("owner", f"room {code} belongs to {ledger_owner[code]} in the ledger, not {owner}; the ledger's name is kept")
        elif code in plan.households:
            household = plan.households[code]
            if owner and owner != household.owner:
                row.warn("owner", f"room {code} belongs to {household.owner} in row {household.row}, not {owner}; row {household.row}'s name is kept")
            household.phones.extend(p for p in phones if p not in household.phones)
        elif not owner:
            row.error("owner", f"owner name is missing (room {code} is not in the ledger yet)")
        else:
            plan.households[code] = NewHousehold(number, code, owner, list(phones), area or 0, occupancy or "occupied", notes)

        if charge is None:
            continue
        key = (code, charge.item, charge.period_start.isoformat(), charge.period_end.isoformat())
        first = charge_rows.get(key)
        if first is not None:
            row.error("item", f"duplicate charge: rows {first} and {number} both bill room {code} for {charge.item} {key[2]}..{key[3]}")
            continue
        charge_rows[key] = number
        if key in ledger_charges:
            if ledger_charges[key] == charge.amount_fen:
                report.charges_present += 1
            else:
                row.error(
                    "amount",
                    f"room {code} already owes {format_yuan(ledger_charges[key])} for {charge.item} {key[2]}..{key[3]} in the ledger, "
                    f"this file says {format_yuan(charge.amount_fen)}: correct the ledger (reverse the charge) instead of importing",
                )
            continue
        plan.charges.append(charge)

    report.households_new = len(plan.households)
    report.households_existing = len(existing_seen)
    report.charges_new = len(plan.charges)
    return plan


def _read_charge(row: RowCells, room: str, due_day: int) -> NewCharge | None:
    item_text = row.text("item")
    if not item_text:
        row.error("item", "fee item is missing")
    start = row.parse("period_start", parse_date, what="period start")
    end = row.parse("period_end", parse_date, what="period end")
    due = row.parse("due_date", parse_date, required=False, what="due date")
    amount = row.parse("amount", parse_amount, what="amount")
    if start is not None and end is not None and end < start:
        row.error("period_end", f"period ends ({end}) before it starts ({start})")
        return None
    if not item_text or start is None or end is None or amount is None or (row.text("due_date") and due is None):
        return None
    return NewCharge(row.row, room, fee_item(item_text), start, end, due or due_date_for(start, due_day), amount)


__all__ = ["HouseholdPlan", "NewCharge", "NewHousehold", "check_households", "import_households"]
