"""Documents for real ledger records: fill the views, render, print or save.

The CLI and the field app call these; the renderers stay free of the
ledger, and the ledger stays free of WeasyPrint. Printing a receipt is itself
a ledger event, so the second print of a receipt always says REPRINT; sending
a letter is an escalation event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from knock import paths
from knock.core.accounts import Household, account, household_by_id
from knock.core.errors import LedgerError, NotFound
from knock.core.payqr import payment_payload
from knock.core.reports.summary import Summary
from knock.core.signing import VerificationResult, public_key_from_b64, verify_receipt_text
from knock.documents.printing import PrintOutcome, print_or_save
from knock.documents.qr import qr_png
from knock.documents.render import Locale, Size, render_letters, render_notice, render_receipt
from knock.documents.views import LetterView, NoticeView, PeriodAmount, ReceiptView
from knock.home import Home
from knock.playbook.messages import surname_of
from knock.vocabulary import label

LetterKind = Literal["dunning", "lawyer"]


class LetterRefused(LedgerError):
    """A letter that may not go out as asked (a lawyer's letter with no law firm configured)."""
_STEP = {"dunning": "dunning_letter", "lawyer": "lawyer_letter"}


def salutation(household: Household) -> str:
    """Surname and title for a printed greeting: 王先生, 王女士, or 王业主 when unknown."""
    title = {"m": "先生", "f": "女士"}.get(household.gender, "业主")
    return f"{surname_of(household.owner_name)}{title}"


def _today(home: Home) -> date:
    return home.ledger.today()


def _open_lines(home: Home, household: Household, locale: Locale, *, due_only: bool = True) -> tuple[tuple[PeriodAmount, ...], int]:
    acct = account(home.store, household.household_id, _today(home), home.settings)
    lines = tuple(
        PeriodAmount(label("fee_items", c.item, locale), c.period_start, c.period_end, c.open_fen)
        for c in acct.open_charges
        if c.bucket is not None or not due_only
    )
    return lines, acct.penalty_total_fen


def payment_reference(household: Household) -> str:
    """What identifies the household on a payment: its room code (short enough for every QR scheme)."""
    return household.room


def payqr_payload(home: Home, room: str) -> tuple[str, int]:
    """The payment QR text for what ``room`` owes now, and that amount in fen."""
    household = home.ledger.household(room)
    acct = account(home.store, household.household_id, _today(home), home.settings)
    amount = acct.overdue_fen
    return payment_payload(home.settings.payqr, household.room, amount, payment_reference(household)), amount


def payqr_png(home: Home, room: str, *, box_size: int = 10) -> bytes:
    """A PNG of the payment QR for ``room`` (error correction M, 4-module quiet zone)."""
    payload, _ = payqr_payload(home, room)
    return qr_png(payload, box_size=box_size)


# -- receipts ---------------------------------------------------------------------------------


def receipt_view(home: Home, receipt_no: str, *, is_reprint: bool = False, reprinted_at: datetime | None = None, locale: Locale = "zh") -> ReceiptView:
    """The receipt as the ledger recorded it (items as allocated at payment time)."""
    row = home.store.query_one("SELECT * FROM payments WHERE receipt_no = ?", (receipt_no,))
    if row is None:
        raise NotFound(f"no receipt {receipt_no}")
    household = household_by_id(home.store, row["household_id"])
    assert household is not None
    items = tuple(
        PeriodAmount(
            label("fee_items", r["item"], locale),
            date.fromisoformat(r["period_start"]) if r["period_start"] else date.fromisoformat(row["paid_at"][:10]),
            date.fromisoformat(r["period_end"]) if r["period_end"] else date.fromisoformat(row["paid_at"][:10]),
            int(r["amount_fen"]),
        )
        for r in home.store.query("SELECT * FROM payment_items WHERE payment_id = ? ORDER BY line", (row["payment_id"],))
    )
    void = home.store.query_one("SELECT reason FROM payment_voids WHERE payment_id = ?", (row["payment_id"],))
    company = home.settings.company
    return ReceiptView(
        company=company.name if locale == "zh" else company.name_en,
        receipt_no=receipt_no,
        issued_at=datetime.fromisoformat(row["paid_at"]),
        room=household.room,
        owner_name=household.owner_name,
        items=items,
        total_fen=int(row["amount_fen"]),
        method=row["method"],
        collector=row["collector_name"],
        device_id=row["device_id"],
        remaining_owed_fen=int(row["owed_after_fen"]),
        qr_text=row["qr_text"],
        credit_fen=int(row["credit_after_fen"]),
        is_reprint=is_reprint,
        reprinted_at=reprinted_at,
        voided_reason=None if void is None else void["reason"],
        company_phone=company.phone,
        company_address=company.address,
        company_credit_code=company.credit_code,
        payer=row["payer"] or household.owner_name,
        invoice_place=company.invoice_place or company.service_centre,
    )


def print_receipt(
    home: Home,
    receipt_no: str,
    *,
    size: Size | None = None,
    locale: Locale = "zh",
    send_to_printer: bool = False,
    author: str = "system",
    output: Path | None = None,
) -> PrintOutcome:
    """Log the print and render the receipt in one transaction (a second print is marked REPRINT), then print or save it.

    The ledger's answer to "is this a reprint?" is the one the page shows, and a
    render that fails (no CJK font, say) leaves no print on record.
    """
    with home.store.transaction():
        reprint = home.ledger.record_receipt_print(receipt_no, author=author)
        view = receipt_view(home, receipt_no, is_reprint=reprint, reprinted_at=home.ledger.now() if reprint else None, locale=locale)
        pdf = render_receipt(view, size or home.settings.receipts.default_size, locale)
    count = int(home.store.scalar("SELECT COUNT(*) FROM receipt_prints WHERE receipt_no = ?", (receipt_no,)))
    name = f"receipt-{receipt_no}.pdf" if count == 1 else f"receipt-{receipt_no}-reprint{count - 1}.pdf"
    target = output or paths.output_dir(home.path, "receipts") / name
    return print_or_save(pdf, target, home.settings.receipts.printer or None, send=send_to_printer)


def verify_text(home: Home, text: str) -> VerificationResult:
    """Is a scanned receipt code genuine? Checked offline against the devices and the receipts of this ledger.

    A valid signature is not enough: the receipt must be in this ledger with the
    same text, and not voided. A void receipt is reported as VOID with when and
    why, never as genuine.
    """

    def lookup(device_id: str) -> bytes | None:
        key = home.store.scalar("SELECT public_key FROM devices WHERE device_id = ?", (device_id,))
        return None if key is None else public_key_from_b64(key)

    result = verify_receipt_text(text, lookup)
    if not result.genuine or result.fields is None:
        return result
    fields = result.fields
    row = home.store.query_one(
        "SELECT p.payment_id, p.qr_text, v.voided_at, v.reason FROM payments p"
        " LEFT JOIN payment_voids v ON v.payment_id = p.payment_id WHERE p.receipt_no = ? AND p.device_id = ?",
        (fields.receipt_no, fields.device_id),
    )
    if row is None:
        return VerificationResult(
            "not_in_ledger", f"signed by device {fields.device_id}, but receipt {fields.receipt_no} is not in this ledger (not synced yet?)", fields
        )
    if row["qr_text"] and row["qr_text"] != text.strip():
        return VerificationResult("forged", f"receipt {fields.receipt_no} in the ledger carries a different code", fields)
    if row["voided_at"] is not None:
        return VerificationResult(
            "void", f"receipt {fields.receipt_no} was voided on {row['voided_at'][:16].replace('T', ' ')}: {row['reason']}", fields,
            voided_at=row["voided_at"], void_reason=row["reason"],
        )
    return result


# -- door notices ------------------------------------------------------------------------------


def _collector_for(home: Home, household: Household, collector: str | None) -> tuple[str, str]:
    """(name, phone) to print: the given collector, else today's assigned one, else the service centre."""
    if collector:
        staff = home.ledger.staff(collector)
        return staff.name, staff.phone
    row = home.store.query_one(
        "SELECT s.name, s.phone FROM assignments a JOIN staff s ON s.staff_id = a.staff_id WHERE a.day = ? AND a.household_id = ?",
        (_today(home).isoformat(), household.household_id),
    )
    if row is not None:
        return row["name"], row["phone"]
    return home.settings.company.service_centre, home.settings.company.phone


def notice_view(home: Home, room: str, *, collector: str | None = None, locale: Locale = "zh") -> NoticeView:
    """A door notice for ``room``: arrears by period inside, nothing but the room outside."""
    household = home.ledger.household(room)
    collector_name, collector_phone = _collector_for(home, household, collector)
    lines, _ = _open_lines(home, household, locale)
    total = sum(line.amount_fen for line in lines)
    company = home.settings.company
    return NoticeView(
        company=company.name if locale == "zh" else company.name_en,
        room=household.room,
        owner_salutation=salutation(household) if locale == "zh" else household.owner_name,
        lines=lines,
        total_fen=total,
        payment_qr=payment_payload(home.settings.payqr, household.room, total, payment_reference(household)),
        collector_name=collector_name,
        collector_phone=collector_phone,
        service_phone=company.phone,
        date=_today(home),
    )


def print_notice(home: Home, room: str, *, collector: str | None = None, locale: Locale = "zh", send_to_printer: bool = False, output: Path | None = None) -> PrintOutcome:
    """Render and print (or save) a door notice."""
    view = notice_view(home, room, collector=collector, locale=locale)
    pdf = render_notice(view, locale)
    target = output or paths.output_dir(home.path, "notices") / f"notice-{view.room}-{view.date}.pdf"
    return print_or_save(pdf, target, home.settings.receipts.printer or None, send=send_to_printer)


# -- letters -----------------------------------------------------------------------------------


def _letter_no(home: Home, kind: LetterKind, year: int, offset: int) -> str:
    done = int(
        home.store.scalar("SELECT COUNT(*) FROM escalations WHERE step = ? AND substr(at, 1, 4) = ?", (_STEP[kind], str(year)))
    )
    number = done + offset + 1
    return f"催字〔{year}〕第 {number:03d} 号" if kind == "dunning" else f"律函〔{year}〕第 {number:03d} 号"


def letter_view(home: Home, room: str, kind: LetterKind, *, locale: Locale = "zh", offset: int = 0) -> LetterView:
    """A dunning or lawyer's letter for ``room`` with its arrears statement and deadline."""
    household = home.ledger.household(room)
    lines, penalty = _open_lines(home, household, locale)
    if not lines:
        raise NotFound(f"room {household.room} owes nothing overdue; no letter is needed")
    principal = sum(line.amount_fen for line in lines)
    today = _today(home)
    esc = home.settings.escalation
    days = esc.dunning_deadline_days if kind == "dunning" else esc.lawyer_deadline_days
    company = home.settings.company
    rule = home.settings.penalty
    how = [f"{company.service_centre}({company.address}),{company.service_hours}", f"服务电话 {company.phone}"]
    if company.bank_account:
        how.append(company.bank_account)
    return LetterView(
        kind=kind,
        company=company.name if locale == "zh" else company.name_en,
        letter_no=_letter_no(home, kind, today.year, offset),
        room=household.room,
        owner=household.owner_name,
        lines=lines,
        penalty_fen=penalty,
        total_fen=principal + penalty,
        deadline=today + timedelta(days=days),
        date=today,
        payment_qr=payment_payload(home.settings.payqr, household.room, principal + penalty, payment_reference(household)),
        how_to_pay=tuple(how),
        basis=(company.contract_basis,),
        penalty_note=(
            f"按合同约定每日按欠费的 {rule.daily_rate_per_mille}‰ 计，累计不超过欠费的 {rule.cap_percent_of_principal}%"
            if rule.enabled
            else ""
        ),
        signatory=company.law_firm if kind == "lawyer" else "",
        company_phone=company.phone,
        company_address=company.address,
    )


def rooms_due_for(home: Home, kind: LetterKind) -> list[str]:
    """Rooms the playbook's escalation ladder puts at this letter step today."""
    from knock.advice import advise
    from knock.core.reports import overdue_by_household

    rooms = []
    for household_id in overdue_by_household(home.store, _today(home)):
        household = household_by_id(home.store, household_id)
        assert household is not None
        if advise(home, household, locale=home.settings.ui.locale).ladder.step == _STEP[kind]:
            rooms.append(household.room)
    return sorted(rooms)


@dataclass(frozen=True)
class LetterBatch:
    """Letters drafted (and, when recorded, escalation events written)."""

    rooms: tuple[str, ...]
    outcome: PrintOutcome | None


def print_letters(
    home: Home,
    rooms: list[str],
    kind: LetterKind,
    *,
    author: str,
    locale: Locale = "zh",
    record: bool = True,
    send_to_printer: bool = False,
    output: Path | None = None,
) -> LetterBatch:
    """Render letters for ``rooms`` into one PDF; with ``record``, log each as sent (an escalation event).

    The events are written only after the PDF is rendered and saved, all in one
    transaction: either every letter in the batch is on record or none is.
    """
    if kind == "lawyer" and record and not home.settings.company.law_firm.strip():
        raise LetterRefused(
            "a lawyer's letter comes from a law firm, and none is set: put the firm's name in settings "
            "company.law_firm (or write drafts for the firm with --draft)"
        )
    if not rooms:
        return LetterBatch((), None)
    views = [letter_view(home, room, kind, locale=locale, offset=i) for i, room in enumerate(rooms)]
    pdf = render_letters(views, locale)
    stamp = home.ledger.now().strftime("%Y%m%d-%H%M%S")
    target = output or paths.output_dir(home.path, "letters") / f"{kind}-{stamp}.pdf"
    outcome = print_or_save(pdf, target, home.settings.receipts.printer or None, send=send_to_printer)
    if record:
        with home.store.transaction():
            for view in views:
                home.ledger.record_escalation(view.room, _STEP[kind], author=author, deadline=view.deadline, note=view.letter_no)
    return LetterBatch(tuple(v.room for v in views), outcome)


# -- the nightly summary -----------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryOutput:
    """What ``knock summary`` produced."""

    summary: Summary
    pdf: PrintOutcome | None
    csv_files: tuple[Path, ...]
    xlsx: Path | None


def summary_for(home: Home, day: date | None = None, *, team: str | None = None) -> Summary:
    """The nightly summary of ``day`` (default today) from this home's ledger, with its sync figures."""
    from knock.core.reports.summary import nightly_summary, teams
    from knock.core.reports.summary_sync import sync_facts_for

    if day is not None and not date(2000, 1, 1) <= day <= date(2099, 12, 31):
        raise LedgerError(f"--date {day.isoformat()}: the summary covers days from 2000-01-01 to 2099-12-31")
    if team is not None and team not in teams(home.store):
        known = ", ".join(teams(home.store)) or "none yet"
        raise NotFound(f"no team {team!r}; teams: {known}")
    now = home.ledger.now()
    return nightly_summary(home.store, home.settings, day or now.date(), now=now, team=team, sync=sync_facts_for(home.store))


def summary_pdf_path(home: Home, summary: Summary) -> Path:
    """Where a summary is kept when no file is named: ``output/summaries/summary-DATE[-TEAM].pdf``."""
    suffix = f"-{summary.team}" if summary.team else ""
    return paths.output_dir(home.path) / "summaries" / f"summary-{summary.day.isoformat()}{suffix}.pdf"


def produce_summary(
    home: Home,
    day: date | None = None,
    *,
    team: str | None = None,
    locale: Locale = "zh",
    pdf: bool = True,
    output: Path | None = None,
    send_to_printer: bool = False,
    csv_dir: Path | None = None,
    xlsx: Path | None = None,
) -> SummaryOutput:
    """Compute the summary once and write what was asked: the PDF (kept, and printed with ``send_to_printer``), CSV files, a workbook."""
    from knock.documents.render import render_summary
    from knock.documents.summary_files import ExportError, write_csv, write_xlsx
    from knock.documents.summary_tables import summary_tables

    summary = summary_for(home, day, team=team)
    # The files first: they are quick, and a folder that cannot be written to is known before the PDF is laid out.
    tables = summary_tables(summary, locale) if (csv_dir is not None or xlsx is not None) else []
    files = tuple(write_csv(tables, csv_dir)) if csv_dir is not None else ()
    book = write_xlsx(tables, xlsx) if xlsx is not None else None
    outcome = None
    if pdf or output is not None or send_to_printer:
        company = home.settings.company.name if locale == "zh" else home.settings.company.name_en
        document = render_summary(summary, locale, company=company)
        target = output or summary_pdf_path(home, summary)
        try:
            outcome = print_or_save(document, target, home.settings.receipts.printer or None, send=send_to_printer)
        except OSError as exc:
            raise ExportError(f"cannot save the summary PDF to {target}: {exc.strerror or exc}") from exc
    return SummaryOutput(summary, outcome, files, book)
