"""``knock complaints``: the office's view of complaints and repair requests raised at the door.

Collectors log them from the field app; the office sees them the same day,
fixes the problem and closes them here with what was done. A closed complaint
tells the playbook that the household's grievance was answered.
"""

from __future__ import annotations

import click

from knock.cli.common import domain_errors, emit_json, home_option, json_option, open_cli_home
from knock.playbook.guardrails import free_text_reminder


@click.group()
def complaints() -> None:
    """List and close complaints and repair requests."""


@complaints.command("list")
@home_option
@json_option
@click.option("--all", "show_all", is_flag=True, help="Include closed ones.")
@domain_errors
def list_complaints(home_dir: str | None, as_json: bool, show_all: bool) -> None:
    """Open complaints, oldest first (with --all, closed ones too)."""
    home = open_cli_home(home_dir)
    rows = home.store.query(
        "SELECT c.complaint_id, h.room, h.owner_name, c.category, c.text, c.staff_involved, c.opened_at, c.status,"
        " c.closed_at, c.resolution, COALESCE(s.name, c.opened_by) AS opened_by"
        " FROM complaints c JOIN households h USING (household_id) LEFT JOIN staff s ON s.staff_id = c.opened_by"
        + ("" if show_all else " WHERE c.status = 'open'")
        + " ORDER BY c.opened_at"
    )
    if as_json:
        emit_json([dict(r) for r in rows])
        return
    if not rows:
        click.echo("no open complaints" if not show_all else "no complaints")
        return
    for r in rows:
        click.echo(f"{r['complaint_id']}  {r['opened_at'][:16]}  {r['room']:<10} {r['category']:<10} [{r['status']}]  by {r['opened_by']}")
        click.echo(f"    {r['text']}")
        if r["status"] == "closed":
            click.echo(f"    closed {r['closed_at'][:16]}: {r['resolution']}")


@complaints.command("open")
@home_option
@json_option
@click.argument("room")
@click.option("--category", required=True, help="e.g. repair, defect (building defect), staff, service, noise, parking.")
@click.option("--text", required=True, help="What the owner reported.")
@click.option("--staff-involved", default="", help="Staff member the complaint is about: never assigned to this household while it is open.")
@click.option("--by", "author", required=True, help="Name or id of the staff member logging it.")
@domain_errors
def open_complaint(home_dir: str | None, as_json: bool, room: str, category: str, text: str, staff_involved: str, author: str) -> None:
    """Log a complaint or repair request for ROOM (e.g. one phoned in to the service centre)."""
    home = open_cli_home(home_dir)
    staff = home.ledger.staff(author)
    involved = home.ledger.staff(staff_involved).name if staff_involved else ""
    complaint_id = home.ledger.open_complaint(room, category=category, text=text, author=staff.staff_id, staff_involved=involved)
    reminders = list(free_text_reminder(text, home.settings.ui.locale))
    if as_json:
        emit_json({"complaint_id": complaint_id, "room": room, "category": category, "staff_involved": involved, "reminders": reminders})
    else:
        click.echo(f"complaint {complaint_id} opened for {room}")
        for line in reminders:
            click.echo(f"ℹ {line}")


@complaints.command("close")
@home_option
@json_option
@click.argument("complaint_id")
@click.option("--resolution", required=True, help="What was done (kept on record, reported back to the owner).")
@click.option("--by", "author", required=True, help="Name or id of the staff member closing it.")
@domain_errors
def close_complaint(home_dir: str | None, as_json: bool, complaint_id: str, resolution: str, author: str) -> None:
    """Close COMPLAINT_ID with what was done (at the office; not by the staff member it is about)."""
    from sync.devices import office_work_only

    home = open_cli_home(home_dir)
    office_work_only(home.store, "closing a complaint")
    staff = home.ledger.staff(author)
    home.ledger.close_complaint(complaint_id, resolution=resolution, author=staff.staff_id)
    reminders = list(free_text_reminder(resolution, home.settings.ui.locale))
    if as_json:
        emit_json({"complaint_id": complaint_id, "status": "closed", "resolution": resolution, "by": staff.staff_id, "reminders": reminders})
    else:
        click.echo(f"complaint {complaint_id} closed: {resolution}")
        for line in reminders:
            click.echo(f"ℹ {line}")
