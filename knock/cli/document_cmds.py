"""``knock receipt``, ``notice``, ``letter``, ``payqr`` and ``verify``: printed documents."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from knock.cli.common import domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.core.money import format_yuan
from knock.documents.printing import PrintOutcome
from knock.paper import SIZES

LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the document (default: settings ui.locale).")
PRINT = click.option("--print", "send", is_flag=True, help="Send to the default printer (CUPS); otherwise only save the PDF.")
OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Where to save the file.")


def _report(outcome: PrintOutcome, as_json: bool, **extra: object) -> None:
    if as_json:
        emit_json({"path": str(outcome.path), "printed": outcome.printed, "message": outcome.message, "job": outcome.job, **extra})
    else:
        click.echo(outcome.message)


@click.command()
@home_option
@json_option
@LANG
@PRINT
@OUTPUT
@click.argument("receipt_no")
@click.option("--size", type=click.Choice(SIZES), default=None, help="Paper: a5, a4, or 80mm / 58mm rolls (default: settings).")
@click.option("--by", "author", default="system", help="Who is printing (name or id), for the log.")
@domain_errors
def receipt(home_dir: str | None, as_json: bool, lang: str | None, send: bool, output: Path | None, receipt_no: str, size: str | None, author: str) -> None:
    """Print (or save) receipt RECEIPT_NO; a second print is marked as a reprint."""
    from knock.documents.service import print_receipt

    home = open_cli_home(home_dir)
    who = home.ledger.staff(author).staff_id if author != "system" else author
    outcome = print_receipt(home, receipt_no, size=size, locale=lang or home.settings.ui.locale, send_to_printer=send, author=who, output=output)  # type: ignore[arg-type]
    _report(outcome, as_json, receipt_no=receipt_no)


@click.command()
@home_option
@json_option
@LANG
@PRINT
@OUTPUT
@click.argument("room")
@click.option("--collector", default=None, help="Collector leaving the notice (default: today's assigned collector).")
@domain_errors
def notice(home_dir: str | None, as_json: bool, lang: str | None, send: bool, output: Path | None, room: str, collector: str | None) -> None:
    """A sealed door notice for ROOM: the outside shows only the room, the inside the arrears and a payment QR."""
    from knock.documents.service import print_notice

    home = open_cli_home(home_dir)
    outcome = print_notice(home, room, collector=collector, locale=lang or home.settings.ui.locale, send_to_printer=send, output=output)  # type: ignore[arg-type]
    _report(outcome, as_json, room=room)


@click.command()
@home_option
@json_option
@LANG
@PRINT
@OUTPUT
@click.argument("room", required=False)
@click.option("--kind", type=click.Choice(["dunning", "lawyer"]), default="dunning", show_default=True, help="Letter for ROOM.")
@click.option("--due", type=click.Choice(["dunning", "lawyer"]), default=None, help="Letters for every household the escalation ladder puts at this step.")
@click.option("--by", "author", default=None, help="Who sends the letters (name or id), for the record.")
@click.option("--draft", is_flag=True, help="Only draft: do not record the letters as sent.")
@domain_errors
def letter(home_dir: str | None, as_json: bool, lang: str | None, send: bool, output: Path | None, room: str | None, kind: str, due: str | None, author: str | None, draft: bool) -> None:
    """Dunning letter (催费函) or lawyer's letter (律师函) for ROOM, or --due for the whole step."""
    from knock.documents.service import print_letters, rooms_due_for

    if bool(room) == bool(due):
        raise click.UsageError("give either ROOM or --due dunning|lawyer")
    home = open_cli_home(home_dir)
    who = home.ledger.staff(author).staff_id if author else "office"
    chosen = due or kind
    rooms = [room] if room else rooms_due_for(home, chosen)  # type: ignore[arg-type]
    if not rooms:
        click.echo(f"no household is due a {chosen} letter today")
        return
    batch = print_letters(home, rooms, chosen, author=who, locale=lang or home.settings.ui.locale, record=not draft, send_to_printer=send, output=output)  # type: ignore[arg-type]
    assert batch.outcome is not None
    if not as_json:
        click.echo(f"{len(batch.rooms)} {chosen} letter(s): {', '.join(batch.rooms)}" + (" (draft, not recorded)" if draft else " (recorded as sent)"))
    _report(batch.outcome, as_json, rooms=list(batch.rooms), recorded=not draft)


@click.command()
@home_option
@json_option
@OUTPUT
@click.argument("room")
@domain_errors
def payqr(home_dir: str | None, as_json: bool, output: Path | None, room: str) -> None:
    """A payment QR code (PNG) for what ROOM owes, in the scheme set in settings."""
    from knock import paths
    from knock.documents.service import payqr_payload, payqr_png

    home = open_cli_home(home_dir)
    payload, amount = payqr_payload(home, room)
    code = home.ledger.household(room).room
    target = output or paths.output_dir(home.path) / f"payqr-{code}.png"
    paths.write_private(target, payqr_png(home, room))
    if as_json:
        emit_json({"path": str(target), "room": code, "amount_fen": amount, "payload": payload, "scheme": home.settings.payqr.scheme})
    else:
        click.echo(f"{code}: {format_yuan(amount, symbol=True)} ({home.settings.payqr.scheme}) → {target}")
        click.echo(payload)


@click.command()
@home_option
@json_option
@click.argument("text", required=False)
@domain_errors
def verify(home_dir: str | None, as_json: bool, text: str | None) -> None:
    """Check a receipt's QR text (from a scan; or '-' / nothing to read stdin) against this ledger.

    Exit 0 only when the signature is genuine and the receipt is in the ledger
    and not void; a voided receipt says VOID (作废) with when and why.
    """
    from knock.documents.service import verify_text

    if text in (None, "-"):
        text = sys.stdin.read()
    home = open_cli_home(home_dir)
    result = verify_text(home, text or "")
    fields = result.fields
    if as_json:
        emit_json({
            "verdict": result.verdict, "genuine": result.genuine, "reason": result.reason,
            "receipt_no": fields.receipt_no if fields else None, "amount_fen": fields.amount_fen if fields else None,
            "room": fields.room if fields else None, "issued_at": fields.issued_at.isoformat() if fields else None,
            "device_id": fields.device_id if fields else None,
            "voided_at": result.voided_at or None, "void_reason": result.void_reason or None,
        })
    else:
        if result.genuine:
            head = "GENUINE 真实有效"
        elif result.verdict == "void":
            head = "VOID 作废 — this receipt was cancelled; it is not proof of payment"
        else:
            head = f"NOT GENUINE 无法验证 ({result.verdict})"
        click.echo(head)
        click.echo(f"  {result.reason}")
        if fields:
            click.echo(f"  receipt {fields.receipt_no}  room {fields.room}  {format_yuan(fields.amount_fen, symbol=True)}  {fields.issued_at:%Y-%m-%d %H:%M}  device {fields.device_id}")
    sys.exit(0 if result.genuine else 1)
