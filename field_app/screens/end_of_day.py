"""End of day: what I did, the money to hand over by method with receipt numbers, what waits to sync."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from knock.core.money import format_yuan

from field_app.data.end_of_day import end_of_day
from field_app.labels import method_label, outcome_label
from knock.core.reports.day import CollectorDay
from field_app.i18n import _
from field_app.widgets.common import TranslatedBindings
from field_app.workers import WorkerResults, result_of

if TYPE_CHECKING:
    from sync.export import Exported


class EndOfDayScreen(TranslatedBindings, WorkerResults, Screen[None]):
    """The hand-over sheet for the team lead."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("x", "export", "Write sync file")]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Static(_("End of day"), classes="header")
        with VerticalScroll():
            yield Static(_("Loading…"), id="eod")
            yield Static("", id="export")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> CollectorDay:
        app = self.app
        return end_of_day(app.home, app.staff_id, app.now().date())  # type: ignore[attr-defined]

    def worker_failed(self, name: str, text: str) -> None:
        target = "#eod" if name == "load" else "#export"
        self.query_one(target, Static).update(Text(text, style="bold red"))

    # -- the sync file: one key -----------------------------------------------------------------

    def action_export(self) -> None:
        """Write the sync file to the mounted USB drive, or ask for a folder when there is none."""
        self.query_one("#export", Static).update(_("Writing the sync file…"))
        self.find_drive()

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def find_drive(self) -> list[Path]:
        from sync.export import removable_folders

        return removable_folders()

    @result_of(find_drive)
    def drives_found(self, drives: list[Path]) -> None:
        if drives:
            self.write_file(drives[0])
        else:
            self.ask_folder()

    def ask_folder(self) -> None:
        from field_app.screens.sync_folder import FolderDialog

        app = self.app
        default = app.home.settings.sync.export_folder or str(app.home.path / "sync-out")  # type: ignore[attr-defined]

        def chosen(folder: object) -> None:
            if folder is None:
                self.query_one("#export", Static).update(_("Not written."))
            else:
                self.write_file(folder)  # type: ignore[arg-type]

        app.push_screen(FolderDialog(_("No USB drive found"), _("Write the sync file to this folder:"), default), chosen)

    @work(thread=True, exit_on_error=False, group="export-write")
    def write_file(self, folder: object) -> Exported:
        from sync.export import export_sync_file

        return export_sync_file(self.app.home, Path(str(folder)))  # type: ignore[attr-defined]

    @result_of(write_file)
    def file_written(self, done: Exported) -> None:
        self.query_one("#export", Static).update(
            Text(_("Sync file written: {path} ({n} records). Hand the USB drive to your team lead.").format(path=done.path, n=done.manifest.count), style="bold green")
        )

    @result_of(load)
    def show_day(self, eod: CollectorDay) -> None:
        text = Text()
        text.append(_("What I did") + "\n", style="bold underline")
        text.append(_("Households visited: {n}").format(n=eod.households_visited) + "\n")
        for outcome, count in sorted(eod.contacts_by_outcome.items()):
            text.append("  " + _("{what}: {n}").format(what=outcome_label(outcome), n=count) + "\n")
        text.append(_("Promises made: {n}  Complaints logged: {m}").format(n=eod.promises, m=eod.complaints) + "\n\n")
        text.append(_("Money to hand over") + "\n", style="bold underline")
        if not eod.receipts:
            text.append(_("No payments today.") + "\n")
        for method, fen in sorted(eod.by_method_fen.items()):
            text.append("  " + _("{what}: ¥{amount}").format(what=method_label(method), amount=format_yuan(fen)) + "\n", style="bold")
            for receipt in eod.receipts:
                if receipt.method == method and not receipt.void:
                    text.append(f"    {receipt.receipt_no}  {receipt.room}  ¥{format_yuan(receipt.amount_fen)}\n")
        if eod.receipts:
            text.append(_("Total: ¥{amount}").format(amount=format_yuan(eod.total_fen)) + "\n", style="bold")
        voids = [r.receipt_no for r in eod.receipts if r.void]
        if voids:
            text.append(_("Void receipts (not counted): {numbers}").format(numbers=", ".join(voids)) + "\n")
        text.append("\n" + _("Waiting to sync: {n} records").format(n=eod.pending_sync) + "\n", style="bold")
        online = self.app.background_sync  # type: ignore[attr-defined]
        if online.enabled and not online.state.usb_needed and eod.pending_sync == 0:
            text.append(_("Everything reached the office online; no USB export is needed today.") + "\n", style="bold green")
        elif online.enabled:
            text.append(_("Not everything reached the office online yet: press X to write the sync file to the USB drive.") + "\n")
        else:
            text.append(_("Press X to write the sync file to the USB drive.") + "\n")
        self.query_one("#eod", Static).update(text)

    def on_sync_state_changed(self, message: object) -> None:
        """A background sync finished while this screen is open: say again whether the USB export is needed."""
        self.load()
