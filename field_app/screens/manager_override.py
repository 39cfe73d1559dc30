"""A manager approves a blocked contact with their PIN (the approval is logged).

Past the daily cap the PIN is enough; in quiet hours the manager also types
why (the owner asked to be seen at 22:15), and the reason goes in the log.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from field_app.data.staff import StaffChoice, managers
from knock.core.pins import check_pin
from field_app.i18n import _
from field_app.screens.sign_in import PinChecked
from field_app.widgets.common import NumberedChoices
from field_app.widgets.dialog import Dialog
from field_app.workers import WorkerResults, result_of


class ManagerOverrideDialog(WorkerResults, Dialog[tuple[str, str] | None]):
    """Returns the approving manager's staff id and their reason ("" when none was asked)."""

    def __init__(self, reason: str, *, ask_reason: bool = False) -> None:
        super().__init__(_("Manager approval"))
        self.reason = reason
        self.ask_reason = ask_reason
        self.manager: str = ""
        self.approved_by: str = ""
        self.loaded = False
        self.checking = False

    def ready_for_keys(self) -> bool:
        """The managers' names are listed and no PIN is being checked."""
        return self.loaded and not self.checking

    def body(self) -> ComposeResult:
        yield Static(self.reason)
        yield Static(_("A manager chooses their name and types their PIN:"))
        yield NumberedChoices([], id="managers")
        yield Input(placeholder=_("manager's PIN"), password=True, restrict=r"\d*", max_length=8, id="pin", disabled=True)
        if self.ask_reason:
            yield Input(placeholder=_("why (e.g. the owner asked to be seen at 22:15)"), max_length=200, id="override-reason", disabled=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> list[StaffChoice]:
        return managers(self.app.home)  # type: ignore[attr-defined]

    @result_of(load)
    def show_managers(self, found: list[StaffChoice]) -> None:
        from textual.widgets.option_list import Option

        self.loaded = True
        choices = self.query_one("#managers", NumberedChoices)
        if not found:
            self.show_error(_("There is no manager on this laptop; the household cannot be contacted again today."))
            return
        choices.keys = [m.staff_id for m in found]
        choices.add_options([Option(f"{i + 1}  {m.name}", id=m.staff_id) for i, m in enumerate(found)])
        choices.focus()

    def worker_failed(self, name: str, text: str) -> None:
        self.loaded = True
        self.checking = False
        self.show_error(text)

    @on(OptionList.OptionSelected, "#managers")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.manager = str(event.option_id)
        pin = self.query_one("#pin", Input)
        pin.disabled = False
        pin.focus()

    @on(Input.Submitted, "#pin")
    def pin_entered(self, event: Input.Submitted) -> None:
        if self.manager and event.value:
            self.checking = True
            self.check(self.manager, event.value)

    @work(thread=True, exit_on_error=False, description="check a manager's PIN")
    def check(self, staff_id: str, pin: str) -> PinChecked:
        app = self.app
        return PinChecked(staff_id, check_pin(app.home.ledger, staff_id, pin, app.now()))  # type: ignore[attr-defined]

    @result_of(check)
    def pin_checked(self, message: PinChecked) -> None:
        self.checking = False
        self.query_one("#pin", Input).value = ""
        attempt = message.attempt
        if attempt.ok:
            if not self.ask_reason:
                self.dismiss((message.staff_id, ""))
                return
            self.approved_by = message.staff_id
            reason = self.query_one("#override-reason", Input)
            reason.disabled = False
            reason.focus()
        elif attempt.locked_until is not None:
            self.show_error(_("Too many wrong PINs. Locked until {time}.").format(time=attempt.locked_until.strftime("%H:%M")))
        elif attempt.no_pin:
            self.show_error(_("No PIN is set for this name. Ask the office to set one (knock set-pin)."))
        else:
            self.show_error(_("Wrong PIN. {n} tries left.").format(n=attempt.tries_left))

    @on(Input.Submitted, "#override-reason")
    def reason_entered(self, event: Input.Submitted) -> None:
        """The override is granted only with a reason; an empty one asks again."""
        text = " ".join(event.value.split())
        if not self.approved_by:
            return
        if not text:
            self.show_error(_("Write why the manager approves a contact in quiet hours."))
            return
        self.dismiss((self.approved_by, text))
