"""``knock status``, ``pay``, ``void``, ``visit`` and ``promise``: the ledger actions the field app also calls."""

from __future__ import annotations

from datetime import date

import click

from knock.cli.common import DATE, AmountCommand, YUAN, ask_pin, domain_errors, emit_json, home_option, json_option, open_cli_home, pin_from_stdin_option
from knock.core.ledger import CHANNELS, OUTCOMES, PAYMENT_METHODS, PROMISE_WINDOWS, is_reason_key
from knock.core.money import format_yuan
from knock.vocabulary import label


@click.command()
@home_option
@json_option
@click.option("--date", "day", type=DATE, help="Report as of this day (default today).")
@domain_errors
def status(home_dir: str | None, as_json: bool, day: date | None) -> None:
    """Households, arrears, collection rate and each collector's load."""
    from knock.core.reports import community_status

    home = open_cli_home(home_dir)
    day = day or home.ledger.today()
    report = community_status(home.store, day, home.settings.targets.collection_rate_percent, home.settings.escalation.limitation_years)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(f"{report.community or 'Knock'} — {report.day}")
    click.echo(f"  households            {report.households:>10,}")
    click.echo(f"  billed households     {report.billed_households:>10,}")
    click.echo(f"  in arrears            {report.arrears_households:>10,}")
    click.echo(f"  arrears total         {format_yuan(report.overdue_fen, symbol=True):>14}")
    click.echo(f"  billed total          {format_yuan(report.billed_fen, symbol=True):>14}")
    click.echo(f"  rate by households    {report.rate_by_households:>9}%   (target {report.target_percent}%)")
    click.echo(f"  rate by amount        {report.rate_by_amount:>9}%")
    click.echo(f"  collected today       {format_yuan(report.collected_today_fen, symbol=True):>14}")
    click.echo("  ageing of arrears:")
    for label, fen in report.ageing_fen.items():
        click.echo(f"    {label:>8} days      {format_yuan(fen, symbol=True):>14}")
    click.echo(f"  over the limitation period (3 years): {report.limitation_risk_households} households")
    for warning in home.settings.penalty.warnings():
        click.echo(f"  warning: {warning}")
    if report.loads:
        sizes = [load.households for load in report.loads]
        click.echo(f"  assignment for {report.day}: {len(report.loads)} collectors, {min(sizes)}–{max(sizes)} households each")
        for load in report.loads:
            click.echo(f"    {load.name:<8} {load.role:<17} {load.households:>4}  {format_yuan(load.overdue_fen, symbol=True):>14}")
    else:
        click.echo(f"  no assignment for {report.day} yet (run: knock assign)")


@click.command(cls=AmountCommand)
@home_option
@json_option
@click.argument("room")
@click.argument("amount", type=YUAN)
@click.option("--method", type=click.Choice(PAYMENT_METHODS), required=True, help="How the money was paid.")
@click.option("--collector", required=True, help="Name or id of the staff member taking the money.")
@click.option("--payer", default="", help="Who handed over the money (交款人), when not the owner; printed on the receipt.")
@click.option("--credit", "overpay_ok", is_flag=True, help="More than is owed is meant: keep the rest as credit (预存) without asking.")
@click.option("--again", is_flag=True, help="A payment for the same household minutes ago (the same amount or another) was not a slip: record this second payment.")
@pin_from_stdin_option
@domain_errors
def pay(
    home_dir: str | None, as_json: bool, room: str, amount: int, method: str, collector: str, payer: str, overpay_ok: bool, again: bool,
    pin_from_stdin: bool,
) -> None:
    """Record a payment for ROOM of AMOUNT yuan, such as 1234.50, and number its receipt.

    More than the household owes asks for confirmation (the rest becomes credit,
    预存); more than the settings' multiple of what is owed, or above the one-payment
    limit, is refused; a second payment for the same household within minutes (the same
    amount or another) is refused unless --again. On a laptop enrolled with an office the
    collector's PIN is asked (the receipt is in their name).
    """
    home = open_cli_home(home_dir)
    review = home.ledger.review_payment(room, amount)
    code = home.ledger.household(room).room
    if review.refusal:
        raise click.ClickException(f"room {code}: {review.refusal}")
    if review.repeat_of is not None and not again:
        raise click.ClickException(f"room {code}: {review.repeat_text()}; if this really is a second payment, add --again")
    if review.overpay_fen and not overpay_ok:
        click.confirm(f"room {code}: {review.overpay_text()}. Take it?", default=False, abort=True, err=True)
    if home.store.scalar("SELECT 1 FROM office_pin WHERE id = 1"):
        # On a collector's laptop the receipt is in the collector's name, as in the field app: their PIN, so
        # nobody at the keyboard can put the cash they took on a colleague's receipts.
        from knock.core.pins import authorise_member

        collector = authorise_member(home.ledger, collector, ask_pin(f"PIN of {collector}", pin_from_stdin), home.ledger.now()).staff_id
    result = home.ledger.record_payment(room, amount, method=method, collector=collector, payer=payer, overpay_confirmed=True, again=again)
    if as_json:
        emit_json({"receipt_no": result.receipt_no, "amount_fen": result.amount_fen, "items": list(result.items),
                   "owed_after_fen": result.owed_after_fen, "credit_after_fen": result.credit_after_fen, "paid_at": result.paid_at})
        return
    locale = home.settings.ui.locale
    click.echo(f"receipt {result.receipt_no}: {format_yuan(result.amount_fen, symbol=True)} received ({label('payment_methods', method, locale)})")
    for item in result.items:
        period = f"{item['period_start']}..{item['period_end']}" if item["period_start"] else ""
        click.echo(f"  {label('fee_items', item['item'], locale):<18} {period:<23} {format_yuan(item['amount_fen']):>12}")
    click.echo(f"still owed: {format_yuan(result.owed_after_fen, symbol=True)}; credit: {format_yuan(result.credit_after_fen, symbol=True)}")


@click.command()
@home_option
@json_option
@click.argument("receipt_no")
@click.option("--reason", required=True, help="Why the receipt is void (kept in the ledger).")
@click.option("--by", "author", required=True, help="The manager voiding it; their PIN is asked.")
@pin_from_stdin_option
@domain_errors
def void(home_dir: str | None, as_json: bool, receipt_no: str, reason: str, author: str, pin_from_stdin: bool) -> None:
    """Void a receipt with a reversing entry; the receipt stays on record, marked void.

    Only a manager may void, with their PIN: otherwise whoever took the cash
    could void the receipt and keep the money.
    """
    from knock.core.pins import authorise_manager

    home = open_cli_home(home_dir)
    if home.store.query_one("SELECT 1 FROM payments WHERE receipt_no = ?", (receipt_no,)) is None:
        raise click.ClickException(f"no receipt {receipt_no}")
    manager = authorise_manager(home.ledger, author, ask_pin(f"PIN of {author}", pin_from_stdin), home.ledger.now())
    home.ledger.void_payment(receipt_no, reason, author=manager.staff_id)
    if as_json:
        emit_json({"receipt_no": receipt_no, "voided": True, "reason": reason, "by": manager.staff_id})
    else:
        click.echo(f"receipt {receipt_no} voided: {reason}")


@click.command()
@home_option
@json_option
@click.argument("room")
@click.option("--outcome", type=click.Choice(OUTCOMES), required=True)
@click.option("--channel", type=click.Choice(CHANNELS), default="door", show_default=True)
@click.option("--collector", required=True, help="Name or id of the staff member.")
@click.option("--reason", default="", help="For a refusal: the objection or reason.")
@click.option("--note", default="", help="Free text.")
@click.option("--override-by", default="", help="Manager approving a contact past the daily cap or in quiet hours; their PIN is asked.")
@click.option("--override-reason", default="", help="Why the manager approves a contact in quiet hours (required then), e.g. the owner asked for 22:15.")
@pin_from_stdin_option
@domain_errors
def visit(
    home_dir: str | None,
    as_json: bool,
    room: str,
    outcome: str,
    channel: str,
    collector: str,
    reason: str,
    note: str,
    override_by: str,
    override_reason: str,
    pin_from_stdin: bool,
) -> None:
    """Log a visit, call, SMS or letter to ROOM and its outcome.

    Quiet hours (22:00-08:00 by default) and the daily cap refuse the contact
    unless a manager approves with their PIN (--override-by; in quiet hours
    also --override-reason). Every guardrail warning is printed, and is in --json.
    """
    from knock.core.pins import authorise_manager
    from knock.playbook.guardrails import free_text_reminder

    home = open_cli_home(home_dir)
    ledger = home.ledger
    locale = home.settings.ui.locale
    # A wrong room, or a block no override could lift as asked, is reported before a PIN is asked.
    verdict = ledger.contact_verdict(
        room, channel, outcome=outcome, override=bool(override_by), quiet_override=bool(override_by and override_reason.strip())
    )
    if not verdict.allowed:
        hint = "a manager may approve with --override-by" + (" and --override-reason" if "quiet_hours" in verdict.blocked_by else "")
        raise click.ClickException(" ".join([*verdict.texts(locale), f"({hint})"]))
    manager_id = ""
    if override_by:
        manager_id = authorise_manager(ledger, override_by, ask_pin(f"PIN of {override_by}", pin_from_stdin), ledger.now()).staff_id
    contact_id = ledger.log_contact(
        room, channel=channel, outcome=outcome, collector=collector, reason=reason, note=note, override_by=manager_id, override_reason=override_reason
    )
    typed = [note] + ([reason] if reason and not is_reason_key(reason) else [])
    reminders = list(dict.fromkeys(r for text in typed for r in free_text_reminder(text, locale)))
    if as_json:
        emit_json(
            {
                "contact_id": contact_id,
                "room": room,
                "outcome": outcome,
                "warnings": verdict.to_dict(locale)["warnings"],
                "overridden": list(verdict.overridden),
                "reminders": reminders,
            }
        )
        return
    click.echo(f"logged {channel} contact with {room}: {outcome}")
    for text in verdict.texts(locale):
        click.echo(f"⚠ {text}")
    for text in reminders:
        click.echo(f"ℹ {text}")


@click.command(cls=AmountCommand)
@home_option
@json_option
@click.argument("room")
@click.option("--date", "due", type=DATE, required=True, help="Day the owner promised to pay.")
@click.option("--window", type=click.Choice(PROMISE_WINDOWS), required=True)
@click.option("--amount", type=YUAN, default=None, help="Promised amount in yuan (optional).")
@click.option("--collector", required=True, help="Name or id of the staff member.")
@domain_errors
def promise(home_dir: str | None, as_json: bool, room: str, due: date, window: str, amount: int | None, collector: str) -> None:
    """Record a promise by ROOM to pay on a day, in a part of the day."""
    home = open_cli_home(home_dir)
    promise_id = home.ledger.make_promise(room, due_date=due, window=window, amount_fen=amount, collector=collector)
    if as_json:
        emit_json({"promise_id": promise_id, "room": room, "due_date": due.isoformat(), "window": window, "amount_fen": amount})
    else:
        click.echo(f"promise recorded: {room} will pay on {due} ({window})")


@click.command()
@home_option
@json_option
@click.option("--full", is_flag=True, help="Also recompute every event's hash and compare every table with a full replay of the events.")
@domain_errors
def check(home_dir: str | None, as_json: bool, full: bool) -> None:
    """Check the ledger's integrity: hash chains, receipt numbers, tables against the events. Exit 1 on any finding."""
    from knock.core.integrity import full_check, quick_check
    from knock.core.signing import KeyFileError

    home = open_cli_home(home_dir)
    findings = full_check(home.store) if full else quick_check(home.store)
    try:  # the start took the public half from device.pub: the key itself must still match it
        _ = home.key.private_key
    except (KeyFileError, OSError) as exc:
        findings.insert(0, str(exc))
    if as_json:
        emit_json({"ok": not findings, "full": full, "findings": findings})
    elif findings:
        click.echo(f"the ledger FAILED its check ({len(findings)} findings):")
        for finding in findings:
            click.echo(f"  - {finding}")
    else:
        events = home.store.scalar("SELECT COUNT(*) FROM event_log")
        click.echo(f"ledger intact: {events:,} events" + (", every hash and table checked" if full else " (quick check; --full replays everything)"))
    if findings:
        raise SystemExit(1)
