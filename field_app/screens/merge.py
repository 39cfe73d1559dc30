"""The team lead's merge screen: choose the sticks' files, see each verdict, apply, read the report.

Shown to managers (team leads hold that role) only. Nothing is applied before the lead has
seen every file's verdict; the merge itself, the report and the review list all come from
``sync`` (the same code as ``knock sync merge``), run in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from knock.core.money import format_yuan

from field_app.i18n import _
from field_app.widgets.common import TranslatedBindings
from field_app.workers import WorkerResults, result_of

if TYPE_CHECKING:
    from sync.merge import MergeRun


@dataclass(frozen=True)
class Merged:
    """What the merge worker returns: the files it looked at, each verdict, and (after applying) the report."""

    sources: list[Path]
    run: MergeRun
    report: str


class MergeScreen(TranslatedBindings, WorkerResults, Screen[None]):
    """Merge the day's sync files into this laptop's ledger."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("a", "apply", "Apply"),
        Binding("c", "cash", "Count cash"),
        Binding("r", "resolve", "Resolve"),
        Binding("f", "folder", "Files"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checked: list[Path] = []
        self.ready = False

    def compose(self) -> ComposeResult:
        yield Static(_("Merge sync files"), classes="header")
        yield Input(placeholder=_("Folder or sync file, then Enter to check"), id="merge-source")
        with VerticalScroll(id="merge-body"):
            yield Static(_("Enter checks every file first; A applies; C records counted cash; R resolves a review item."), id="merge-verdicts")
            yield Static("", id="merge-report")
        yield Footer()

    def on_mount(self) -> None:
        from sync.export import removable_folders

        drives = removable_folders()
        box = self.query_one("#merge-source", Input)
        box.value = str(drives[0]) if drives else (self.app.home.settings.sync.export_folder or "")  # type: ignore[attr-defined]
        box.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Apply only after a check found something to merge."""
        if action == "apply":
            return self.ready
        return True

    def action_folder(self) -> None:
        self.query_one("#merge-source", Input).focus()

    @on(Input.Submitted, "#merge-source")
    def check(self, event: Input.Submitted) -> None:
        self.ready = False
        self.refresh_bindings()
        self.query_one("#merge-verdicts", Static).update(_("Checking…"))
        self.query_one("#merge-report", Static).update("")
        self.run_merge(event.value.strip(), dry_run=True)

    def action_apply(self) -> None:
        if not self.ready:
            return
        self.ready = False
        self.refresh_bindings()
        self.query_one("#merge-verdicts", Static).update(_("Merging…"))
        self.run_merge("", dry_run=False)

    @work(thread=True, exit_on_error=False)
    def run_merge(self, source: str, *, dry_run: bool) -> Merged:
        """Check (``dry_run``) the files at ``source``, or apply the ones last checked."""
        from sync.merge import Merger, expand_sources
        from sync.report import collector_reports
        from sync.status import open_flags

        app = self.app
        sources = self.checked
        if dry_run:
            if not source:
                raise ValueError(_("Type a folder or a sync file first."))
            sources = expand_sources([Path(source).expanduser()])
            if not sources:
                raise ValueError(_("No sync files in {where}").format(where=source))
        run = Merger(app.home.ledger, author=app.staff_id or "office").run(sources, dry_run=dry_run)  # type: ignore[attr-defined]
        report = ""
        if not dry_run:
            names = {c for v in run.verdicts if v.applied for c in v.collectors}
            ids = {r[0] for n in names for r in app.home.store.query("SELECT staff_id FROM staff WHERE name = ?", (n,))}  # type: ignore[attr-defined]
            report = report_lines(collector_reports(app.home.store, app.now().date(), only=ids)) if ids else ""  # type: ignore[attr-defined]
            flags = open_flags(app.home.store)  # type: ignore[attr-defined]
            if flags:
                from field_app.i18n import get_locale
                from sync.flag_text import flag_message

                report += "\n" + _("To review ({n}):").format(n=len(flags)) + "\n" + "\n".join(
                    f"[{f.flag_id[-8:]}] {flag_label(f.kind)}: {flag_message(f.message, f.detail, get_locale())}" for f in flags
                )
        return Merged(sources, run, report)

    def worker_failed(self, name: str, text: str) -> None:
        self.query_one("#merge-verdicts", Static).update(Text(text, style="bold red"))

    @result_of(run_merge)
    def show_merge(self, merged: Merged) -> None:
        self.checked = merged.sources
        run, report = merged.run, merged.report
        text = Text()
        for v in run.verdicts:
            label = {
                "merge": _("would merge") if run.dry_run else _("merged"),
                "already_merged": _("already merged"),
                "refused": _("file refused"),
            }[v.status]
            style = "bold red" if v.status == "refused" else "green" if v.status == "merge" else ""
            text.append(f"{label}  ", style=style)
            text.append(f"{v.device_name} {Path(v.source).name}: ")
            if v.status == "refused":
                text.append(v.reason + "\n", style="red")
            else:
                text.append(_("{new} new of {count} records").format(new=v.new_events, count=v.count) + "\n")
            for flag in v.flags:
                text.append("    ! " + flag + "\n", style="yellow")
            for parked in v.parked:
                text.append("    " + _("set aside: ") + parked + "\n", style="yellow")
        mergeable = [v for v in run.verdicts if v.status == "merge"]
        if run.dry_run:
            text.append("\n" + (_("Press A to merge {n} files.").format(n=len(mergeable)) if mergeable else _("Nothing to merge.")) + "\n", style="bold")
            self.ready = bool(mergeable)
            self.refresh_bindings()
        self.query_one("#merge-verdicts", Static).update(text)
        self.query_one("#merge-report", Static).update(report)
        self.query_one("#merge-body").focus()  # off the path box, so A and C are keys, not letters

    # -- cash -------------------------------------------------------------------------------------

    def action_cash(self) -> None:
        from field_app.screens.cash_count import CashDialog

        def counted(result: object) -> None:
            if result is not None:
                self.query_one("#merge-report", Static).update(Text(str(result), style="bold"))

        self.app.push_screen(CashDialog(), counted)

    def action_resolve(self) -> None:
        from field_app.screens.resolve_flag import ResolveDialog

        def resolved(result: object) -> None:
            if result is not None:
                self.query_one("#merge-report", Static).update(Text(str(result), style="bold"))

        self.app.push_screen(ResolveDialog(), resolved)


def flag_label(kind: str) -> str:
    """A review flag's kind in the screen's language."""
    names = {
        "double_payment": _("Two payments"),
        "counter_same_day": _("Counter payment the same day"),
        "reassigned": _("Reassigned household"),
        "receipt_gap": _("Receipt number missing"),
        "receipt_duplicate": _("Receipt number twice"),
        "clock_skew": _("Laptop clock"),
        "unapplied": _("Set aside"),
        "cash_difference": _("Cash difference"),
    }
    return names.get(kind, kind)


def report_lines(reports: list[object]) -> str:
    """The per-collector report in the screen's language (the CLI prints sync.report's own text)."""
    from knock.vocabulary import label

    from field_app.i18n import get_locale

    locale = get_locale()
    lines: list[str] = []
    for r in reports:
        lines.append(_("{name}: visited {visited} of {assigned}").format(name=r.name, visited=r.visited, assigned=r.assigned))  # type: ignore[attr-defined]
        if r.outcomes:  # type: ignore[attr-defined]
            lines.append("  " + "  ".join(f"{label('outcomes', k, locale)} {n}" for k, n in r.outcomes.items()))  # type: ignore[attr-defined]
        for m in r.money:  # type: ignore[attr-defined]
            span = m.first_receipt if m.first_receipt == m.last_receipt else f"{m.first_receipt} – {m.last_receipt}"
            lines.append(f"  {label('payment_methods', m.method, locale)} ×{m.count}  ¥{format_yuan(m.amount_fen)}  {span}")
        lines.append("  " + _("Total: ¥{amount}").format(amount=format_yuan(r.total_fen)))  # type: ignore[attr-defined]
        if r.cash_counted_fen is None:  # type: ignore[attr-defined]
            lines.append("  " + _("Cash receipts ¥{amount}, not counted yet").format(amount=format_yuan(r.cash_expected_fen)))  # type: ignore[attr-defined]
        else:
            lines.append("  " + _("Cash receipts ¥{expected}, counted ¥{counted}, difference ¥{diff}").format(
                expected=format_yuan(r.cash_expected_fen), counted=format_yuan(r.cash_counted_fen), diff=format_yuan(r.cash_difference_fen)))  # type: ignore[attr-defined]
    return "\n".join(lines) + ("\n" if lines else "")


def cash_line(count: object) -> str:
    """One sentence about a cash count, in the screen's language."""
    diff = count.difference_fen  # type: ignore[attr-defined]
    base = _("{name}: counted ¥{counted}, cash receipts ¥{expected}").format(
        name=count.collector_name, counted=format_yuan(count.counted_fen), expected=format_yuan(count.expected_fen)  # type: ignore[attr-defined]
    )
    if diff == 0:
        return base + _(", matches.")
    return base + _(", difference ¥{diff} (flagged for review).").format(diff=format_yuan(diff))
