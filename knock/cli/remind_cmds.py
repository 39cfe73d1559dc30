"""``knock remind``: the day's SMS batch, its confirmation, and the call list.

``remind sms`` draws up the texts the playbook (or the kind asked for) calls
for, with every guardrail applied and the left-out list beside it; it writes
the file an SMS platform imports, or sends through the configured gateway.
``remind confirm`` records an uploaded batch as sent. ``remind calls`` prints
the customer-service call list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from knock import paths
from knock.cli.common import DATE, domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.core.money import format_yuan

if TYPE_CHECKING:
    from knock.home import Home
    from knock.reminders.batch import Batch


@click.group()
def remind() -> None:
    """Reminders that go out: the day's texts and calls."""


@remind.command("sms")
@home_option
@json_option
@click.option("--date", "day", type=DATE, default=None, help="The day of the batch (default: today).")
@click.option(
    "--kind",
    type=click.Choice(["before_due", "overdue", "contract_end", "holiday"]),
    default=None,
    help="Texts of this kind instead of the playbook's choice.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the batch as .csv or .xlsx (with a manifest and a preview beside it).")
@click.option("--allow-complaint", "allow", multiple=True, metavar="ROOM", help="The office clears ROOM to get a text despite an open complaint (repeatable).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", help="Language of the texts.")
@click.option("--send", is_flag=True, help="Send through the gateway in settings.toml [sms_gateway].")
@click.option("--by", "sender", default=None, help="Who sends (name or id); needed with --send.")
@domain_errors
def sms(home_dir: str | None, as_json: bool, day: object, kind: str | None, output: Path | None, allow: tuple[str, ...], lang: str, send: bool, sender: str | None) -> None:
    """The day's SMS batch: who gets which text, the cost in segments, and who is left out and why."""
    from knock.core.errors import LedgerError
    from knock.core.rooms import RoomError
    from knock.reminders.batch import build_batch
    from knock.reminders.export import preview_text, write_batch

    home = open_cli_home(home_dir)
    if send and not sender:
        raise click.UsageError("--send needs --by NAME: the staff member the texts are logged under")
    rooms: set[str] = set()
    for typed in allow:
        try:
            rooms.add(home.ledger.household(typed).room)
        except (LedgerError, RoomError):
            raise click.BadParameter(f"no household in room {typed!r}", param_hint="--allow-complaint") from None
    batch = build_batch(home.store, home.settings, home.ledger.now(), day=day, kind=kind, allow_complaint=rooms, locale=lang)  # type: ignore[arg-type]
    exported = write_batch(batch, output, home.settings) if output is not None else None
    if send:
        _send(home, batch, sender or "", as_json)
        return
    if as_json:
        emit_json({**batch.to_dict(), "files": None if exported is None else {"file": str(exported.file), "manifest": str(exported.manifest), "preview": str(exported.preview)}})
        return
    click.echo(preview_text(batch, home.settings), nl=False)
    if exported is not None:
        click.echo(f"\nwritten: {exported.file}\n         {exported.manifest}\n         {exported.preview}")
        click.echo(f"after uploading it, record it: knock remind confirm {exported.file} --by NAME")


def _send(home: Home, batch: Batch, sender: str, as_json: bool) -> None:
    from knock.reminders.gateway import HttpGateway, MessageResult, check_secret_file, send_batch, sendable_now

    settings = home.settings
    home.ledger.staff(sender)  # a typo stops here, before anything is sent
    check_secret_file(paths.settings_path(home.path), settings.sms_gateway)
    sendable_now(batch, home.ledger.now(), settings)
    lines: list[dict[str, object]] = []

    def show(outcome: MessageResult) -> None:
        m, r = outcome.message, outcome.result
        state = "already sent" if outcome.skipped else ("sent" if r.ok else "FAILED")
        lines.append({"room": m.room, "message_id": m.message_id, "state": state, "attempts": r.attempts, "provider_id": r.provider_id, "error": r.error})
        if not as_json:
            tail = f" ({r.attempts} tries)" if r.attempts > 1 else ""
            click.echo(f"{m.room:<10} {state}{tail}" + (f": {r.error}" if r.error else ""))

    with HttpGateway(settings.sms_gateway) as gateway:
        results = send_batch(batch, gateway, home.ledger, sender=sender, progress=show)
    failed = sum(1 for x in results if not x.result.ok)
    already = sum(1 for x in results if x.skipped)
    sent = len(results) - failed - already
    if as_json:
        emit_json({"sent": sent, "already": already, "failed": failed, "messages": lines})
    else:
        click.echo(f"{sent} sent, {already} already sent before, {failed} failed")
    if failed:
        raise click.ClickException(f"{failed} text(s) did not go out; run the same command again to retry only those")


@remind.command("confirm")
@home_option
@json_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", "sender", required=True, help="Who uploaded the batch (name or id).")
@domain_errors
def confirm(home_dir: str | None, as_json: bool, file: Path, sender: str) -> None:
    """Record an uploaded batch FILE as sent (idempotent: a second confirm adds nothing)."""
    from knock.reminders.confirm import confirm_file

    home = open_cli_home(home_dir)
    result = confirm_file(home.ledger, file, sender=sender)
    if as_json:
        emit_json({"recorded": list(result.recorded), "already": list(result.already), "not_in_file": list(result.not_in_file)})
        return
    click.echo(f"{len(result.recorded)} recorded as sent, {len(result.already)} already on record")
    if result.not_in_file:
        click.echo(f"not in the file (not recorded): {', '.join(result.not_in_file)}")


@remind.command("calls")
@home_option
@json_option
@click.option("--date", "day", type=DATE, default=None, help="The day (default: the next day with call hours, Fri/Sat afternoons unless set otherwise).")
@click.option("--by", "caller", default=None, help="Who makes the calls (name or id): prints the numbers and logs them as seen by that person.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Where to save the PDF.")
@click.option("--print", "send", is_flag=True, help="Send to the default printer (CUPS); otherwise only save the PDF.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the sheet.")
@domain_errors
def calls(home_dir: str | None, as_json: bool, day: object, caller: str | None, output: Path | None, send: bool, lang: str | None) -> None:
    """The day's call list in calling order, with the script for each, as a PDF."""
    from knock.documents.call_sheet import render_call_list
    from knock.documents.printing import print_or_save
    from knock.reminders.calls import build_call_list, dialable

    home = open_cli_home(home_dir)
    locale = lang or home.settings.ui.locale
    staff = home.ledger.staff(caller) if caller else None
    found = build_call_list(home.store, home.settings, home.ledger.now(), day=day, caller=staff, locale=locale)  # type: ignore[arg-type]
    numbers: dict[str, tuple[str, ...]] | None = None
    if staff is not None:
        numbers = {}
        with home.store.transaction():
            for call in found.calls:
                home.ledger.reveal_phone(call.room, staff=staff.staff_id)
                numbers[call.room] = dialable(home.ledger.household(call.room))
    company = home.settings.company.name if locale == "zh" else home.settings.company.name_en
    pdf = render_call_list(found, company=company, locale=locale, numbers=numbers)  # type: ignore[arg-type]
    target = output or paths.output_dir(home.path) / "calls" / f"calls-{found.day.isoformat()}.pdf"
    outcome = print_or_save(pdf, target, home.settings.receipts.printer or None, send=send)
    if as_json:
        emit_json({**found.to_dict(locale), "path": str(outcome.path), "printed": outcome.printed})
        return
    click.echo(f"{found.day.isoformat()} {found.window[0]:%H:%M}-{found.window[1]:%H:%M}: {len(found.calls)} call(s)")
    for i, c in enumerate(found.calls, start=1):
        click.echo(f"{i:>3}. {c.room:<10} {c.greeting:<8} {c.type_name.get(locale)}  ¥{format_yuan(c.owed_fen)} ({c.months_owed})")  # type: ignore[arg-type]
    for s in found.skipped:
        click.echo(f"  not today: {s.room}: {s.reason.get(locale)}")  # type: ignore[arg-type]
    click.echo(outcome.message)
    click.echo("in the field app, press c for call mode: each number is shown only on its call, and logged")
