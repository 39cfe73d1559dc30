"""Importing a staff list: who collects, in which role and team, all or nothing.

A staff member is identified by name. A name the ledger already has is not
registered again (so a list can be imported twice); when the file gives that
person a different role, team, phone or 在职 status, that is a warning, and
the ledger is left as it is (change it with a staff update). The same name
twice in one file is an error naming both rows: the office must tell two
people of the same name apart (e.g. 王伟(保安) and 王伟(保洁)) before import.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from knock.core.errors import LedgerError
from knock.core.ledger import ROLES, Ledger
from knock.importing.headers import NO_WORDS, ROLE_WORDS, STAFF_COLUMNS, STAFF_REQUIRED, YES_WORDS, normalise
from knock.importing.readers import Cell, Sheet, cell_text, is_blank, iter_data
from knock.importing.validate import (
    ApplyFailed,
    CellError,
    Header,
    ImportReport,
    RowCells,
    find_header,
    is_total_row,
    parse_phones,
    parse_word,
    run_import,
)

_ROLE = parse_word(ROLE_WORDS, "role", ("保安", "保洁", "维修", "客服", "经理", *ROLES))


def parse_active(cell: Cell) -> bool:
    """在职: 是/否, yes/no, 1/0 (blank means yes)."""
    key = normalise(cell_text(cell))
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise CellError(f"not yes or no: {cell_text(cell)!r} (write 是 or 否)")


@dataclass(frozen=True)
class NewStaff:
    """A staff member the ledger does not have yet."""

    row: int
    name: str
    role: str
    team: str
    phone: str
    active: bool


def import_staff(ledger: Ledger, path: str | Path, *, dry_run: bool = False, author: str = "import") -> ImportReport:
    """Check a staff list and, unless ``dry_run`` or anything is wrong, import all of it."""
    return run_import(
        ledger,
        path,
        "staff",
        dry_run=dry_run,
        header=lambda sheet, report: find_header(sheet, STAFF_COLUMNS, STAFF_REQUIRED, report),
        check=check_staff,
        apply=lambda plan, source: _apply(ledger, plan, author),
    )


def check_staff(ledger: Ledger, sheet: Sheet, header: Header, report: ImportReport) -> list[NewStaff]:
    """Check every row against the file and the ledger; fill ``report``; return who would be added."""
    known: dict[str, list[tuple[str, str, str, bool]]] = {}
    for row in ledger.store.query("SELECT name, role, team, phone, active FROM staff"):
        known.setdefault(row[0], []).append((row[1], row[2], row[3], bool(row[4])))
    seen: dict[str, int] = {}
    new: list[NewStaff] = []
    for number, cells in iter_data(sheet, header.row):
        if is_blank(cells) or is_total_row(cells):
            report.rows_skipped += 1
            continue
        report.rows += 1
        row = RowCells(sheet.file, number, cells, header, report)
        name = row.text("name")
        if not name:
            row.error("name", "name is missing")
        role = row.parse("role", _ROLE)
        phones = row.parse("phone", parse_phones, required=False) or ()
        active = row.parse("active", parse_active, required=False)
        team = row.text("team")
        if not name:
            continue
        if name in seen:
            row.error("name", f"{name} appears twice, in rows {seen[name]} and {number}: give the two people distinct names")
            continue
        seen[name] = number
        if row.failed or role is None:
            continue
        member = NewStaff(number, name, role, team, " / ".join(phones), True if active is None else active)
        if name in known:
            report.staff_existing += 1
            if not any(_same(member, *entry) for entry in known[name]):
                role_now, team_now, _, active_now = known[name][0]
                row.warn(
                    "name",
                    f"{name} is already registered ({role_now}, team {team_now or '-'}, {'active' if active_now else 'inactive'}); "
                    "the file differs, the ledger is not changed",
                )
            continue
        new.append(member)
    report.staff_new = len(new)
    return new


def _same(member: NewStaff, role: str, team: str, phone: str, active: bool) -> bool:
    return (member.role, member.team, member.active) == (role, team, active) and (not member.phone or member.phone == phone)


def _apply(ledger: Ledger, plan: list[NewStaff], author: str) -> None:
    row = 0
    try:
        for member in plan:
            row = member.row
            ledger.register_staff(member.name, member.role, team=member.team, phone=member.phone, active=member.active, author=author)
    except (LedgerError, sqlite3.Error, OSError) as exc:
        raise ApplyFailed(row, exc) from exc
