"""Handing payments back to the billing system: ``knock export payments``.

One line per receipt line: a payment that settled March and April of the
property fee is two lines, each with the billing system's own room code, its
own name for the fee item and the period, so the billing system can write each
line off against the bill it issued. Money paid beyond every charge is a line
of its own (预存, credit) without a period.

A voided receipt is the same lines again, dated when it was voided: with minus
amounts (``billing.export_voids = "negative"``) or with plus amounts and the
kind column saying 作废 (``"marked"``). Either way the export's money is the
ledger's money for the range: payments taken in it, less receipts voided in
it. A line's date is the device's wall-clock date of the payment or the void.

The same range exported twice gives the same bytes (lines sorted by time,
receipt and line; an .xlsx carries fixed timestamps). Each export records,
as a ledger event, which payment and void facts it carried, and
``--since-last`` exports every fact no earlier export carried, whatever its
date, so a payment synced late still goes back, once.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from knock.core.ledger import Ledger
from knock.core.money import format_yuan
from knock.exporting.fields import KIND_PAYMENT, KIND_VOID
from knock.importing.periods import format_period
from knock.settings import Billing
from knock.vocabulary import label

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_XML_TIME = "2000-01-01T00:00:00Z"
_CORE_TIMES = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


class ExportError(Exception):
    """The export cannot be written; the message says which file and why."""


@dataclass(frozen=True)
class ExportLine:
    """One line of the file: the values of every export field, and its signed money."""

    fact: str
    """The payment or void event this line comes from."""
    sort_key: tuple[str, str, int, int]
    amount_fen: int
    """Signed: minus on a void line, whatever the void style shows."""
    values: dict[str, str]


@dataclass(frozen=True)
class PaymentExport:
    """What one export carries."""

    lines: tuple[ExportLine, ...]
    range_from: date | None
    range_to: date | None
    since_last: bool

    @property
    def total_fen(self) -> int:
        """Money of the export: payments less voids."""
        return sum(line.amount_fen for line in self.lines)

    @property
    def facts(self) -> tuple[str, ...]:
        """The payment and void events carried, each once."""
        return tuple(sorted({line.fact for line in self.lines}))

    @property
    def payments(self) -> int:
        """How many receipts it carries as payments."""
        return len({line.values["receipt_no"] for line in self.lines if line.values["kind"] == KIND_PAYMENT})

    def by_method(self) -> dict[str, int]:
        """Money per payment method (its label), voids taken off: what the cash box and each account should show."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.values["method"]] = totals.get(line.values["method"], 0) + line.amount_fen
        return dict(sorted(totals.items()))

    @property
    def voids(self) -> int:
        """How many receipts it carries as voided."""
        return len({line.values["receipt_no"] for line in self.lines if line.values["kind"] == KIND_VOID})


def _wall_time(iso: str) -> str:
    """``2026-03-05T19:30:00+08:00`` -> ``2026-03-05 19:30:00`` (the device's wall clock)."""
    return iso[:19].replace("T", " ")


_LINES_SQL = """
SELECT p.payment_id, p.receipt_no, p.paid_at, p.method, p.collector_name, p.payer, p.event_id AS payment_event,
       h.room, h.billing_code, h.owner_name,
       i.line, i.item, i.period_start, i.period_end, i.amount_fen, COALESCE(c.billing_item, '') AS billing_item,
       v.voided_at, v.reason AS void_reason, v.event_id AS void_event
FROM payments p
JOIN households h ON h.household_id = p.household_id
JOIN payment_items i ON i.payment_id = p.payment_id
LEFT JOIN charges c ON c.charge_id = i.charge_id
LEFT JOIN payment_voids v ON v.payment_id = p.payment_id
ORDER BY p.paid_at, p.receipt_no, i.line
"""


def _in_range(day: str, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start.isoformat()) and (end is None or day <= end.isoformat())


def collect_payments(
    ledger: Ledger, *, date_from: date | None = None, date_to: date | None = None, since_last: bool = False
) -> PaymentExport:
    """Every payment taken and every receipt voided in the range (or not yet exported), as export lines."""
    if date_from and date_to and date_to < date_from:
        raise ExportError(f"--to {date_to} is before --from {date_from}")
    store = ledger.store
    billing = ledger.settings.billing
    exported = {row[0] for row in store.query("SELECT fact_event_id FROM exported_facts")} if since_last else set()
    lines: list[ExportLine] = []
    for row in store.iterate(_LINES_SQL):
        base = _base_values(row)
        if row["payment_event"] not in exported and _in_range(row["paid_at"][:10], date_from, date_to):
            fen = int(row["amount_fen"])
            lines.append(_line(row["payment_event"], row["paid_at"], base, fen, fen, KIND_PAYMENT, "", 0))
        void_event = row["void_event"]
        if void_event and void_event not in exported and _in_range(row["voided_at"][:10], date_from, date_to):
            fen = -int(row["amount_fen"])
            shown = fen if billing.export_voids == "negative" else -fen
            lines.append(_line(void_event, row["voided_at"], base, fen, shown, KIND_VOID, row["void_reason"], 1))
    lines.sort(key=lambda line: line.sort_key)
    return PaymentExport(tuple(lines), date_from, date_to, since_last)


def _base_values(row: object) -> dict[str, str]:
    r = row  # sqlite3.Row
    item = r["item"]  # type: ignore[index]
    start, end = r["period_start"], r["period_end"]  # type: ignore[index]
    return {
        "billing_code": r["billing_code"] or r["room"],  # type: ignore[index]
        "room": r["room"],  # type: ignore[index]
        "payer": r["payer"] or r["owner_name"],  # type: ignore[index]
        "fee_item": r["billing_item"] or label("fee_items", item),  # type: ignore[index]
        "fee_item_code": item,
        "period": format_period(date.fromisoformat(start), date.fromisoformat(end)) if start and end else "",
        "period_start": start or "",
        "period_end": end or "",
        "reduction": format_yuan(0, grouping=False),
        "method": label("payment_methods", r["method"]),  # type: ignore[index]
        "receipt_no": r["receipt_no"],  # type: ignore[index]
        "collector": r["collector_name"],  # type: ignore[index]
        "line": str(r["line"]),  # type: ignore[index]
    }


def _line(fact: str, at: str, base: dict[str, str], signed: int, shown: int, kind: str, note: str, order: int) -> ExportLine:
    values = dict(base)
    values["amount"] = format_yuan(shown, grouping=False)
    values["penalty"] = format_yuan(shown if base["fee_item_code"] == "penalty" else 0, grouping=False)
    values["paid_at"] = _wall_time(at)
    values["paid_date"] = at[:10]
    values["kind"] = kind
    values["note"] = note
    return ExportLine(fact, (values["paid_at"], base["receipt_no"], order, int(base["line"])), signed, values)


# -- writing ------------------------------------------------------------------------------------


_MONEY_FIELDS = frozenset({"amount", "reduction", "penalty"})
_FORMULA_START = ("=", "+", "@")


def render(export: PaymentExport, billing: Billing, fmt: Format) -> bytes:
    """The file's bytes: the template's columns in its order, one row per line."""
    headers = [column.header for column in billing.export_columns]
    rows = [[line.values[column.field] for column in billing.export_columns] for line in export.lines]
    if fmt == "csv":
        text_columns = [i for i, column in enumerate(billing.export_columns) if column.field not in _MONEY_FIELDS]
        return _csv(headers, [_defused(row, text_columns) for row in rows], billing.export_encoding)
    return _xlsx(headers, rows, billing)


def _defused(row: list[str], text_columns: list[int]) -> list[str]:
    """A name such as ``=HYPERLINK(...)`` that came in with an import must not run as a formula
    when the accountant opens the CSV in Excel: such text gets a leading apostrophe."""
    for i in text_columns:
        if row[i].startswith(_FORMULA_START):
            row[i] = "'" + row[i]
    return row


def _csv(headers: list[str], rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    try:
        return buffer.getvalue().encode(encoding)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise ExportError(f"{bad!r} cannot be written in {encoding}; set billing.export_encoding = \"utf-8-sig\"") from None


def _xlsx(headers: list[str], rows: list[list[str]], billing: Billing) -> bytes:
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

    money_columns = {i for i, column in enumerate(billing.export_columns) if column.field in _MONEY_FIELDS}
    # Write-only mode streams rows instead of keeping a cell object per value: ~4x faster on big exports.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("收款明细")

    def text(value: str) -> WriteOnlyCell:
        # Everything but money is text: receipt numbers and room codes keep their zeros, a name
        # starting with '=' stays a name, and characters XML cannot hold become U+FFFD.
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
        return cell

    def money(value: str) -> WriteOnlyCell:
        # Exact numbers with two decimals, so the billing system and Excel sum them.
        cell = WriteOnlyCell(sheet, Decimal(value))
        cell.number_format = "0.00"
        return cell

    sheet.append([text(h) for h in headers])
    for row in rows:
        sheet.append([money(v) if i in money_columns else text(v) for i, v in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps, so one range always gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rf"\g<1>{_FIXED_XML_TIME}\g<3>", content.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def default_file_name(date_from: date | None, date_to: date | None, since_last: bool, fmt: Format, now: datetime) -> str:
    """``payments-2026-03-01_2026-03-31.csv`` (one range is always the same file), or
    ``payments-since-last-20260331-180205.csv``: each since-last export is new money, so its
    name has the time and a second one the same day never overwrites the first."""
    if since_last:
        return f"payments-since-last-{now:%Y%m%d-%H%M%S}.{fmt}"
    start = date_from.isoformat() if date_from else "start"
    end = date_to.isoformat() if date_to else now.date().isoformat()
    return f"payments-{start}_{end}.{fmt}"


def export_payments(
    ledger: Ledger,
    path: Path,
    *,
    fmt: Format,
    date_from: date | None = None,
    date_to: date | None = None,
    since_last: bool = False,
    author: str = "export",
) -> PaymentExport:
    """Write the export to ``path`` and record what it carried, all or nothing.

    The file appears under its name only once it is complete (written beside
    it and renamed), and the record is committed only after the rename: a
    failure leaves neither a half file nor a record of an export that did
    not happen.
    """
    with ledger.store.transaction():
        export = collect_payments(ledger, date_from=date_from, date_to=date_to, since_last=since_last)
        data = render(export, ledger.settings.billing, fmt)
        if export.lines:
            ledger.record_payment_export(
                export.facts,
                lines=len(export.lines),
                total_fen=export.total_fen,
                file_name=path.name,
                range_from=date_from,
                range_to=date_to,
                since_last=since_last,
                author=author,
            )
        _write_atomically(path, data)
    return export


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the export: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write the export: {exc.strerror or exc}") from None


__all__: Sequence[str] = ["ExportError", "ExportLine", "FORMATS", "PaymentExport", "collect_payments", "default_file_name", "export_payments", "render"]
