"""``knock device`` and ``knock sync``: enrol laptops, write sync files, merge them at the office.

The laptop side: ``device request`` / ``device join`` / ``sync export``. The office side:
``device add/list/revoke``, ``sync show/merge/review/cash/report``. Every refusal is one clear
line naming the file and the reason; nothing is half-merged.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from knock.cli.common import (
    DATE,
    YUAN,
    AmountCommand,
    ask_pin,
    domain_errors,
    emit_json,
    home_option,
    json_option,
    open_cli_home,
    pin_from_stdin_option,
)
from knock.core.money import format_yuan
from sync.errors import SyncError


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def _write(path: str, data: bytes) -> None:
    from sync.files import write_atomically

    try:
        write_atomically(Path(path), data)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def _is_document_error(exc: Exception) -> bool:
    """A refusal from the document renderer. Looked up only if the renderer was loaded (it
    cannot have refused otherwise), so ``knock sync``, ``device`` and ``serve`` start without WeasyPrint."""
    render = sys.modules.get("knock.documents.render")
    return render is not None and isinstance(exc, render.DocumentError)


def sync_errors(func):  # type: ignore[no-untyped-def]
    """Sync refusals become one clear line and exit code 1."""
    from functools import wraps

    @wraps(func)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return func(*args, **kwargs)
        except SyncError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            if _is_document_error(exc):
                raise click.ClickException(str(exc)) from exc
            raise

    return domain_errors(wrapper)


# -- devices -----------------------------------------------------------------------------------


@click.group()
def device() -> None:
    """Enrol laptops with the office and revoke lost ones."""


@device.command("request")
@home_option
@json_option
@click.option("--name", default=None, help="Name to propose for this laptop (default: its host name).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Where to write the request (e.g. on a USB stick).")
@sync_errors
def device_request(home_dir: str | None, as_json: bool, name: str | None, out: str) -> None:
    """On the laptop: write an enrolment request (its id and public key, nothing secret)."""
    from sync.devices import request_bytes

    home = open_cli_home(home_dir)
    _write(out, request_bytes(home.key, name or home.ledger.device.name))
    if as_json:
        emit_json({"device_id": home.key.device_id, "name": name or home.ledger.device.name, "path": str(out)})
        return
    click.echo(f"request for device {home.key.device_id} written to {out}; take it to the office (knock device add NAME --request {Path(out).name})")


@device.command("add")
@home_option
@json_option
@click.argument("name")
@click.option("--request", "request", type=click.Path(dir_okay=False), default=None, help="The laptop's request file.")
@click.option("--public-key", default=None, help="The laptop's public key (base64url), instead of --request.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="Write the signed enrolment for the laptop here.")
@click.option("--by", "author", default="office", show_default=True, help="Who enrols it (name or id), for the record.")
@sync_errors
def device_add(home_dir: str | None, as_json: bool, name: str, request: str | None, public_key: str | None, out: str | None, author: str) -> None:
    """At the office: enrol a laptop as NAME (e.g. A07) and write its enrolment file."""
    from sync.devices import enrol_device, enrolment_bytes, office_work_only, read_request

    if (request is None) == (public_key is None):
        raise click.UsageError("give the laptop's --request FILE or its --public-key (one of them)")
    key_text = read_request(_read(request), request)[1] if request else str(public_key)
    home = open_cli_home(home_dir)
    office_work_only(home.store, "enrolling a laptop")
    who = home.ledger.staff(author).staff_id if author != "office" else "office"
    enrolled = enrol_device(home.ledger, name, key_text, author=who)
    if out:
        _write(out, enrolment_bytes(home.key, enrolled))
    if as_json:
        emit_json({**enrolled.__dict__, "enrolment_file": out})
        return
    click.echo(f"enrolled {enrolled.name} ({enrolled.device_id})" + (f"; enrolment written to {out} (on the laptop: knock device join {Path(out).name})" if out else ""))


@device.command("join")
@home_option
@json_option
@click.argument("enrolment", type=click.Path(dir_okay=False))
@sync_errors
def device_join(home_dir: str | None, as_json: bool, enrolment: str) -> None:
    """On the laptop: pin the office key from ENROLMENT (written by ``knock device add --out``)."""
    from sync.devices import join_office

    home = open_cli_home(home_dir)
    pin = join_office(home.store, home.key, _read(enrolment), enrolment, now=home.ledger.now().isoformat(timespec="seconds"))
    if as_json:
        emit_json({"device_id": pin.device_id, "name": pin.device_name, "office_device_id": pin.office_device_id})
        return
    click.echo(f"this laptop is {pin.device_name} ({pin.device_id}), enrolled with office {pin.office_device_id}")


@device.command("list")
@home_option
@json_option
@click.option("--all", "show_all", is_flag=True, help="Include revoked devices.")
@sync_errors
def device_list(home_dir: str | None, as_json: bool, show_all: bool) -> None:
    """Enrolled laptops, with their last merge."""
    from sync.devices import list_devices

    home = open_cli_home(home_dir)
    devices = [d for d in list_devices(home.store) if show_all or d.active]
    last = {r["device_id"]: r["m"] for r in home.store.query("SELECT device_id, MAX(merged_at) AS m FROM sync_merges GROUP BY device_id")}
    if as_json:
        emit_json([{**d.__dict__, "last_merged_at": last.get(d.device_id)} for d in devices])
        return
    if not devices:
        click.echo("no devices enrolled" if show_all else "no active devices enrolled")
        return
    for d in devices:
        state = f"revoked {str(d.revoked_at)[:10]}: {d.revoke_reason}" if d.revoked_at else f"last merge {last.get(d.device_id) or 'never'}"
        click.echo(f"{d.name:<10} {d.device_id}  enrolled {d.enrolled_at[:10]}  {state}")


@device.command("revoke")
@home_option
@json_option
@click.argument("name")
@click.option("--reason", required=True, help="Why (lost, stolen, replaced …).")
@click.option("--by", "author", default="office", show_default=True, help="Who revokes it (name or id).")
@sync_errors
def device_revoke(home_dir: str | None, as_json: bool, name: str, reason: str, author: str) -> None:
    """Revoke laptop NAME: its sync files are refused from now on; what was merged stays."""
    from sync.devices import office_work_only, revoke_device

    home = open_cli_home(home_dir)
    office_work_only(home.store, "revoking a laptop")
    who = home.ledger.staff(author).staff_id if author != "office" else "office"
    found = revoke_device(home.ledger, name, reason=reason, author=who)
    if as_json:
        emit_json({"device_id": found.device_id, "name": found.name, "revoked_at": found.revoked_at, "reason": reason, "by": who})
        return
    click.echo(f"revoked {found.name} ({found.device_id}) on {str(found.revoked_at)[:10]}")


# -- sync ----------------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@click.option("--server", "server", default=None, help="Sync online with the office server at this address (push, then pull), e.g. http://192.168.1.10:8731.")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True, help="Seconds to wait for the server (with --server).")
@home_option
@json_option
@click.pass_context
def sync(ctx: click.Context, server: str | None, timeout: float, home_dir: str | None, as_json: bool) -> None:
    """Sync files: write them on the laptop, merge and review them at the office; or sync online with --server."""
    if ctx.invoked_subcommand is not None:
        if server is not None:
            raise click.UsageError("--server syncs online on its own; give it without a subcommand (knock sync --server URL)")
        return
    if server is None:
        click.echo(ctx.get_help())
        return
    _sync_online(home_dir, as_json, server, timeout)


@sync_errors
def _sync_online(home_dir: str | None, as_json: bool, server: str, timeout: float) -> None:
    from sync.online import sync_with_server

    home = open_cli_home(home_dir)
    try:
        done = sync_with_server(home, server, timeout=timeout)
    finally:
        home.close()
    if as_json:
        emit_json(done.to_dict())
        return
    if done.pushed_events:
        click.echo(f"pushed {done.pushed_events} events to {done.server}: {done.push_status.replace('_', ' ')}, {done.new_at_office} new at the office")
    else:
        click.echo(f"nothing to push to {done.server}")
    for flag in done.flags:
        click.echo(f"    flag: {flag}")
    click.echo(f"the office holds this laptop's events up to {done.acknowledged_seq}; {done.pending} waiting")
    if done.pulled == "fresh pack":
        click.echo(f"pulled a fresh pack: {done.pack_events_added} new events")
    else:
        click.echo("pack not modified")


@sync.command("export")
@home_option
@json_option
@click.option("--to", "folder", type=click.Path(file_okay=False), default=None, help="Folder to write to (default: the first mounted USB drive).")
@sync_errors
def sync_export(home_dir: str | None, as_json: bool, folder: str | None) -> None:
    """On the laptop: write today's sync file (every event the office has not acknowledged)."""
    from sync.export import export_sync_file, removable_folders

    home = open_cli_home(home_dir)
    if folder is None:
        drives = removable_folders()
        if not drives:
            raise click.ClickException("no USB drive is mounted; plug one in or name a folder with --to")
        folder = str(drives[0])
    try:
        done = export_sync_file(home, Path(folder))
    except OSError as exc:
        raise click.ClickException(f"{folder}: cannot write the sync file ({exc.strerror or exc})") from None
    m = done.manifest
    if as_json:
        emit_json({"path": str(done.path), "size": done.size, "manifest": m.to_dict()})
        return
    click.echo(f"wrote {done.path} ({done.size:,} bytes): {m.count} events, seq {m.first_seq}-{m.last_seq}")


@sync.command("pack")
@home_option
@json_option
@click.argument("device_name")
@click.option("--collector", "collectors", multiple=True, required=True, help="A collector who works on this laptop (repeat for each).")
@click.option("--days", type=click.IntRange(1, 14), default=3, show_default=True, help="Days of assignments to include, from today.")
@click.option("--to", "folder", type=click.Path(file_okay=False), required=True, help="Folder to write the pack to (e.g. the laptop's USB stick).")
@sync_errors
def sync_pack(home_dir: str | None, as_json: bool, device_name: str, collectors: tuple[str, ...], days: int, folder: str) -> None:
    """At the office: write the signed morning pack for laptop DEVICE_NAME and its collectors."""
    from sync.packs import build_pack, pack_file_name

    home = open_cli_home(home_dir)
    data, info = build_pack(home, device_name, collectors, days=days)
    path = Path(folder) / pack_file_name(info.device_name, home.ledger.today().isoformat())
    _write(str(path), data)
    if as_json:
        emit_json({"path": str(path), **info.__dict__})
        return
    click.echo(f"wrote {path}: {info.households} households, {info.count} events for {info.device_name} ({', '.join(info.collectors)})")


@sync.command("load")
@home_option
@json_option
@click.argument("pack", type=click.Path(dir_okay=False))
@sync_errors
def sync_load(home_dir: str | None, as_json: bool, pack: str) -> None:
    """On the laptop: load the office's PACK (checked against the pinned office key)."""
    from sync.packs import load_pack

    home = open_cli_home(home_dir)
    done = load_pack(home, _read(pack), pack)
    if as_json:
        emit_json({"pack": done.info.__dict__, "added": done.added, "already_here": done.already_here, "acknowledged_seq": done.acknowledged_seq, "settings_changed": done.settings_changed})
        return
    click.echo(f"loaded pack of {done.info.created_at[:16]}: {done.added} new events, {done.info.households} households")
    if done.acknowledged_seq is not None:
        click.echo(f"the office holds this laptop's events up to {done.acknowledged_seq}")
    if done.settings_changed:
        click.echo("settings updated from the office")


@sync.command("show")
@json_option
@click.argument("file", type=click.Path(dir_okay=False))
@sync_errors
def sync_show(as_json: bool, file: str) -> None:
    """Print a sync file's manifest and what it holds, without merging (and without trusting it)."""
    from collections import Counter

    from sync.files import read_sync_file

    f = read_sync_file(Path(file))
    kinds = Counter(e.kind for e in f.events)
    money = sum(int(e.payload.get("amount_fen", 0)) for e in f.events if e.kind == "payment.recorded")
    if as_json:
        emit_json({"file": file, "size": f.size, "sha256": f.sha256, "manifest": f.manifest.to_dict(), "kinds": dict(kinds), "payments_fen": money})
        return
    m = f.manifest
    click.echo(f"{file}  ({f.size:,} bytes, sha256 {f.sha256[:16]}…)")
    click.echo(f"device     {m.device_name} ({m.device_id})")
    click.echo(f"collectors {', '.join(c['name'] for c in m.collectors) or '-'}")
    click.echo(f"events     {m.count} (seq {m.first_seq}-{m.last_seq})")
    click.echo(f"chain      previous head {m.prev_hash[:16]}…  head {m.head_hash[:16]}…")
    click.echo(f"written    {m.created_at}")
    for kind, n in sorted(kinds.items()):
        click.echo(f"  {kind:<22}{n:>6}")
    click.echo(f"payments   {format_yuan(money, symbol=True)}")
    click.echo("signature  not checked here (knock sync merge --dry-run checks it against the enrolled key)")


def _print_run(run, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        emit_json(run.to_dict())
        return
    for v in run.verdicts:
        label = {"merge": "would merge" if run.dry_run else "merged", "already_merged": "already merged", "refused": "REFUSED"}[v.status]
        who = f"{v.device_name} " if v.device_name else ""
        detail = f"{v.new_events} new of {v.count} events" if v.status != "refused" else v.reason
        click.echo(f"{label:<15}{who}{Path(v.source).name}: {detail}")
        for msg in v.parked:
            click.echo(f"    set aside: {msg}")
        for msg in v.flags:
            click.echo(f"    flag: {msg}")
    if run.unparked:
        click.echo(f"{run.unparked} events set aside earlier are now applied")


@sync.command("merge")
@home_option
@json_option
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Check every file and say what would happen; change nothing.")
@click.option("--by", "author", default="office", show_default=True, help="The team lead merging (name or id), for the record.")
@click.option("--report/--no-report", default=True, help="Print the per-collector report of the merged collectors afterwards.")
@sync_errors
def sync_merge(home_dir: str | None, as_json: bool, files: tuple[str, ...], dry_run: bool, author: str, report: bool) -> None:
    """At the office: merge sync FILES (or folders of them), one transaction per file."""
    from sync.merge import Merger, expand_sources
    from sync.report import collector_reports, report_text

    home = open_cli_home(home_dir)
    who = home.ledger.staff(author).staff_id if author != "office" else "office"
    sources = expand_sources(Path(f) for f in files)
    if not sources:
        raise click.ClickException(f"no sync files (*.sync.tar.gz) in {', '.join(files)}")
    run = Merger(home.ledger, author=who).run(sources, dry_run=dry_run)
    _print_run(run, as_json)
    if report and not dry_run and not as_json:
        ids = {c for v in run.verdicts if v.applied for c in _collector_ids(home, v.collectors)}
        if ids:
            click.echo("")
            click.echo(report_text(collector_reports(home.store, home.ledger.today(), only=ids), home.settings.ui.locale), nl=False)
    if run.refused:
        raise SystemExit(1)


def _collector_ids(home, names: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    return [r[0] for n in names for r in home.store.query("SELECT staff_id FROM staff WHERE name = ?", (n,))]


@sync.command("review")
@home_option
@json_option
@click.option("--all", "show_all", is_flag=True, help="Include resolved flags.")
@click.option("--resolve", "flag_id", default=None, help="Resolve the flag with this id (its last 8 characters are enough).")
@click.option("--reason", default=None, help="What was decided (with --resolve).")
@click.option("--by", "author", default=None, help="The team lead or manager resolving it (with --resolve); their PIN is asked.")
@pin_from_stdin_option
@sync_errors
def sync_review(
    home_dir: str | None, as_json: bool, show_all: bool, flag_id: str | None, reason: str | None, author: str | None, pin_from_stdin: bool
) -> None:
    """What the merges flagged for a person; resolve one with --resolve ID --reason TEXT --by LEAD (their PIN is asked)."""
    from sync.review import find_flag, resolve_flag
    from sync.flag_text import flag_message
    from sync.status import all_flags, open_flags

    home = open_cli_home(home_dir)
    if flag_id is not None:
        if not reason or not author:
            raise click.UsageError("--resolve needs --reason and --by")
        find_flag(home.ledger, flag_id)  # a wrong id is said before anyone is asked for a PIN
        lead = _lead_with_pin(home, author, pin_from_stdin)
        flag = resolve_flag(home.ledger, flag_id, resolution=reason, by=lead)
        if as_json:
            emit_json(flag.__dict__)
        else:
            click.echo(f"resolved [{flag.flag_id[-8:]}] {flag.message}: {flag.resolution}")
        return
    flags = all_flags(home.store) if show_all else open_flags(home.store)
    if as_json:
        emit_json([f.__dict__ for f in flags])
        return
    if not flags:
        click.echo("nothing to review" if not show_all else "no flags")
        return
    for f in flags:
        state = "" if f.status == "open" else f"  (resolved {str(f.resolved_at)[:16]}: {f.resolution})"
        click.echo(f"[{f.flag_id[-8:]}] {f.raised_at[:16]} {f.kind:<17} {flag_message(f.message, f.detail, home.settings.ui.locale)}{state}")


@sync.command("cash", cls=AmountCommand)
@home_option
@json_option
@click.argument("name")
@click.argument("amount", type=YUAN)
@click.option("--by", "author", required=True, help="The team lead who counted it; their PIN is asked.")
@click.option("--day", type=DATE, default=None, help="The collection day (default today).")
@pin_from_stdin_option
@sync_errors
def sync_cash(home_dir: str | None, as_json: bool, name: str, amount: int, author: str, day: date | None, pin_from_stdin: bool) -> None:
    """Record the cash AMOUNT (yuan) counted for collector NAME; a difference from the receipts is flagged.

    The lead's PIN is asked: a count in the lead's name is what clears a collector's cash,
    so the collector (or anyone at the keyboard) must not be able to write one.
    """
    from sync.review import count_cash

    home = open_cli_home(home_dir)
    home.ledger.staff(name)  # an unknown collector is said before anyone is asked for a PIN
    lead = _lead_with_pin(home, author, pin_from_stdin)
    count = count_cash(home.ledger, name, amount, by=lead, day=day)
    if as_json:
        emit_json(count.__dict__)
        return
    diff = count.difference_fen
    tail = "matches the cash receipts" if diff == 0 else f"difference {format_yuan(diff, symbol=True)} ({'short' if diff < 0 else 'over'}), flagged for review"
    click.echo(f"{count.collector_name} {count.day}: counted {format_yuan(count.counted_fen, symbol=True)}, cash receipts {format_yuan(count.expected_fen, symbol=True)}: {tail}")


def _lead_with_pin(home, name: str, pin_from_stdin: bool) -> str:  # type: ignore[no-untyped-def]
    """The staff id of team lead ``name`` once their PIN checks out (wrong PINs count toward their lockout)."""
    from knock.core.pins import authorise_manager

    return authorise_manager(home.ledger, name, ask_pin(f"PIN of {name}", pin_from_stdin), home.ledger.now()).staff_id


@sync.command("report")
@home_option
@json_option
@click.option("--day", type=DATE, default=None, help="The day (default today).")
@click.option("--collector", default=None, help="Only this collector (name or id).")
@click.option("--pdf", "pdf_dir", type=click.Path(file_okay=False), default=None, help="Also write one PDF page per collector into this folder.")
@sync_errors
def sync_report(home_dir: str | None, as_json: bool, day: date | None, collector: str | None, pdf_dir: str | None) -> None:
    """Per-collector report: visits, outcomes, money by method with receipt ranges, cash, flags."""
    from sync.report import collector_reports, report_text

    home = open_cli_home(home_dir)
    only = {home.ledger.staff(collector).staff_id} if collector else None
    reports = collector_reports(home.store, day or home.ledger.today(), only=only)
    written: list[str] = []
    if pdf_dir:
        from knock.documents.sync_report import write_collector_pdfs

        written = [str(p) for p in write_collector_pdfs(home, reports, Path(pdf_dir))]
    if as_json:
        emit_json({"collectors": [r.to_dict() for r in reports], "pdf": written})
        return
    click.echo(report_text(reports, home.settings.ui.locale), nl=False)
    for p in written:
        click.echo(f"wrote {p}")


@click.command("serve")
@home_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; only loopback unless you name another (e.g. 0.0.0.0 for the office network).")
@click.option("--port", type=click.IntRange(1, 65535), default=8731, show_default=True, help="Port to listen on.")
@click.option("--certfile", type=click.Path(dir_okay=False, exists=True), default=None, help="Serve HTTPS with this certificate (PEM), with --keyfile.")
@click.option("--keyfile", type=click.Path(dir_okay=False, exists=True), default=None, help="The certificate's private key (PEM).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info"]), default="info", show_default=True, help="How much the server logs.")
def serve(home_dir: str | None, host: str, port: int, certfile: str | None, keyfile: str | None, log_level: str) -> None:
    """At the office: serve this home's ledger to the laptops (push, pull) and a status page at /."""
    import uvicorn

    from knock import paths
    from sync.server import ServerConfig, create_app

    if (certfile is None) != (keyfile is None):
        raise click.UsageError("HTTPS needs both --certfile and --keyfile")
    check = open_cli_home(home_dir)  # settings and ledger errors are told now, not on the first request
    folder = check.path
    check.close()
    scheme = "https" if certfile else "http"
    click.echo(f"serving {folder} on {scheme}://{host}:{port} (status page at /; Ctrl+C stops)")
    try:
        uvicorn.run(
            create_app(ServerConfig(home=paths.home_dir(str(folder)))), host=host, port=port, log_level=log_level,
            ssl_certfile=certfile, ssl_keyfile=keyfile, access_log=log_level == "info", server_header=False,
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
