"""Sign in: pick your name, type your PIN. Also the lock screen after idle time."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, OptionList, Static

from field_app.data.staff import StaffChoice, staff_for_sign_in
from knock.core.pins import Attempt, check_pin
from field_app.i18n import _
from field_app.widgets.common import NumberedChoices, TranslatedBindings
from field_app.workers import WorkerResults, result_of


NAMES_SHOWN = 9
"""Names on the list at once: one digit each; more staff are found by typing part of a name."""


@dataclass(frozen=True)
class PinChecked:
    """What the PIN check worker returns: whose PIN, and how the try went."""

    staff_id: str
    attempt: Attempt


class NameFilter(Input):
    """The name filter: letters filter, a digit goes on to the screen (it picks the name with that number)."""

    def on_key(self, event: events.Key) -> None:
        """A digit is not typed (Input's own handler, further up the class tree, is skipped); not stopped: it bubbles to the screen."""
        if event.character and event.character.isdigit():
            event.prevent_default()


class SignInScreen(TranslatedBindings, WorkerResults, Screen[None]):
    """Who is using the laptop. With ``lock_for`` it is the lock screen of that collector."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "switch_user", "Another person", show=False),
        Binding("f3", "manager_unlock", "Manager allows sign-in"),
        Binding("ctrl+q", "app.quit", "Quit"),
        # Enter typed before the app took over the terminal arrives as a newline (Ctrl+J): a PIN and
        # Enter typed the moment the app is started must still sign in.
        Binding("ctrl+j", "typed_ahead_enter", show=False),
    ]

    def __init__(self, *, preselect: str | None = None, lock_for: str | None = None) -> None:
        super().__init__()
        self.preselect = preselect
        self.lock_for = lock_for
        self.chosen: StaffChoice | None = None
        self.staff: list[StaffChoice] = []
        self.checking = False
        self.loaded = False
        self.locked_out = False
        """The chosen member is locked out: a manager may unlock them here (F3), with their own PIN."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc (back to the names) only where it does something: not when locked, not on the name list."""
        if action == "back":
            return self.chosen is not None and not self.lock_for
        if action == "manager_unlock":
            return self.locked_out
        return True

    def ready_for_keys(self) -> bool:
        """Names (or the locked collector) are on screen and no PIN is being checked."""
        return self.loaded and not self.checking

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box", classes="dialog"):
            yield Static(_("Knock · property fee collection"), id="signin-title", classes="title")
            yield Static(_("Loading names…") if not self.lock_for else _("Locked. Type your PIN to continue."), id="signin-prompt")
            yield NameFilter(placeholder=_("Type part of your name"), id="name-filter", classes="hidden", select_on_focus=False)
            yield Vertical(id="signin-names")
            yield Input(placeholder=_("PIN (4 to 8 digits)"), password=True, restrict=r"\d*", max_length=8, id="pin", classes="hidden")
            yield Static("", id="signin-message", classes="message")
            yield Button(_("Manager allows sign-in (F3)"), id="manager-unlock", classes="hidden")
            yield Button(_("Another person (F2)"), id="switch-user", classes="hidden" if not self.lock_for else "")
        yield Footer()

    def on_mount(self) -> None:
        self.load_staff()

    @work(thread=True, exclusive=True, exit_on_error=False, group="signin")
    def load_staff(self) -> list[StaffChoice]:
        return staff_for_sign_in(self.app.home)  # type: ignore[attr-defined]

    @result_of(load_staff)
    def show_staff(self, staff: list[StaffChoice]) -> None:
        self.loaded = True
        self.staff = staff
        if self.lock_for:
            chosen = next((s for s in self.staff if s.staff_id == self.lock_for), None)
            if chosen is not None:
                self.choose(chosen)
            return
        if not self.staff:
            self.query_one("#signin-prompt", Static).update(
                _("No staff on this laptop yet. The office imports staff and sets PINs (knock set-pin).")
            )
            return
        self.query_one("#signin-prompt", Static).update(self.names_prompt())
        names = NumberedChoices([(s.staff_id, s.name) for s in self.staff[:NAMES_SHOWN]], id="names")
        self.query_one("#signin-names").mount(names)
        self.query_one("#name-filter", Input).set_class(len(self.staff) <= NAMES_SHOWN, "hidden")
        names.focus()
        if self.preselect:
            chosen = next((s for s in self.staff if self.preselect in (s.name, s.staff_id)), None)
            if chosen is not None:
                self.choose(chosen)

    def worker_failed(self, name: str, text: str) -> None:
        self.loaded = True
        self.checking = False
        self.show_message(text, error=True)

    def names_prompt(self) -> str:
        if len(self.staff) > NAMES_SHOWN:
            return _("Who are you? Type part of your name, then press your number.")
        return _("Who are you? Press your number or click your name.")

    def matching(self, text: str) -> list[StaffChoice]:
        """Names containing ``text`` (every name when empty), the first nine: one digit picks one."""
        wanted = text.strip().lower()
        return [s for s in self.staff if wanted in s.name.lower() or wanted == s.staff_id.lower()][:NAMES_SHOWN]

    @on(Input.Changed, "#name-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        names = self.query_one("#names", NumberedChoices)
        shown = self.matching(event.value)
        names.set_choices([(s.staff_id, s.name) for s in shown])
        if not shown:
            self.show_message(_("No name contains “{text}”.").format(text=event.value.strip()), error=True)
        else:
            self.show_message("")

    @on(Input.Submitted, "#name-filter")
    def filter_submitted(self) -> None:
        shown = self.matching(self.query_one("#name-filter", Input).value)
        if len(shown) == 1:
            self.choose(shown[0])
        elif shown:
            self.query_one("#names").focus()

    def on_key(self, event: events.Key) -> None:
        """Letters typed on the name list go to the name filter (digits pick a name)."""
        name_filter = self.query_one("#name-filter", Input)
        if name_filter.has_class("hidden") or self.chosen is not None or self.focused is name_filter:
            if self.focused is name_filter and event.character and event.character.isdigit():
                names = self.query_one("#names", NumberedChoices)
                names.focus()
                names.pick_digit(event.character)
                event.stop()
                event.prevent_default()
            return
        char = event.character
        if char and char.isprintable() and not char.isdigit() and char != " ":
            name_filter.focus()
            name_filter.insert_text_at_cursor(char)
            event.stop()
            event.prevent_default()
        elif event.key == "backspace" and name_filter.value:
            name_filter.focus()

    @on(OptionList.OptionSelected, "#names")
    def name_picked(self, event: OptionList.OptionSelected) -> None:
        chosen = next(s for s in self.staff if s.staff_id == event.option_id)
        self.choose(chosen)

    def choose(self, chosen: StaffChoice) -> None:
        self.chosen = chosen
        self.set_locked_out(False)
        for names in self.query("#names"):
            names.add_class("hidden")
        self.query_one("#name-filter", Input).add_class("hidden")
        prompt = _("Locked. {name}, type your PIN to continue.") if self.lock_for else _("{name}, type your PIN and press Enter.")
        self.query_one("#signin-prompt", Static).update(prompt.format(name=chosen.name))
        if not chosen.has_pin:
            self.show_message(_("No PIN is set for {name}. Ask the office to set one (knock set-pin).").format(name=chosen.name), error=True)
        pin = self.query_one("#pin", Input)
        pin.remove_class("hidden")
        pin.value = ""
        pin.focus()

    def show_message(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#signin-message", Static)
        widget.update(text)
        widget.set_class(error, "error")

    @on(Input.Submitted, "#pin")
    def pin_entered(self, event: Input.Submitted) -> None:
        if self.chosen is None or self.checking or not event.value:
            return
        self.checking = True
        self.show_message(_("Checking…"))
        self.check(self.chosen.staff_id, event.value)

    @work(thread=True, exit_on_error=False, group="signin", description="check a PIN")
    def check(self, staff_id: str, pin: str) -> PinChecked:
        app = self.app
        return PinChecked(staff_id, check_pin(app.home.ledger, staff_id, pin, app.now()))  # type: ignore[attr-defined]

    @result_of(check)
    def pin_checked(self, message: PinChecked) -> None:
        self.checking = False
        attempt = message.attempt
        pin = self.query_one("#pin", Input)
        pin.value = ""
        if attempt.ok:
            self.app.signed_in(message.staff_id)  # type: ignore[attr-defined]
            return
        if attempt.no_pin:
            self.show_message(_("No PIN is set for this name. Ask the office to set one (knock set-pin)."), error=True)
        elif attempt.locked_until is not None:
            self.show_message(_("Too many wrong PINs. Locked until {time}.").format(time=attempt.locked_until.strftime("%H:%M")), error=True)
            self.set_locked_out(True)
        else:
            self.show_message(_("Wrong PIN. {n} tries left.").format(n=attempt.tries_left), error=True)

    def set_locked_out(self, locked: bool) -> None:
        self.locked_out = locked
        self.query_one("#manager-unlock", Button).set_class(not locked, "hidden")
        self.refresh_bindings()

    @on(Button.Pressed, "#manager-unlock")
    def action_manager_unlock(self) -> None:
        """A manager lifts the lockout with their own PIN; the unlock is a ledger event naming them."""
        if self.chosen is None or not self.locked_out:
            return
        from field_app.screens.manager_override import ManagerOverrideDialog

        member = self.chosen
        reason = _("{name} cannot sign in for now: too many wrong PINs. A manager can unlock now.").format(name=member.name)

        def approved(approval: tuple[str, str] | None) -> None:
            if approval:
                self.unlock(member.staff_id, approval[0])

        self.app.push_screen(ManagerOverrideDialog(reason), callback=approved)

    @work(thread=True, exit_on_error=False, group="signin")
    def unlock(self, staff_id: str, manager_id: str) -> str:
        """Lift the lockout in the manager's name; the manager's name comes back."""
        from knock.core.pins import unlock

        app = self.app
        ledger = app.home.ledger  # type: ignore[attr-defined]
        manager = ledger.staff(manager_id)
        unlock(ledger, staff_id, manager=manager, now=app.now())  # type: ignore[attr-defined]
        return manager.name

    @result_of(unlock)
    def unlocked(self, manager: str) -> None:
        self.set_locked_out(False)
        self.show_message(_("{manager} allowed sign-in. Type your PIN.").format(manager=manager))
        self.query_one("#pin", Input).focus()

    @on(Button.Pressed, "#switch-user")
    async def action_typed_ahead_enter(self) -> None:
        """A newline typed ahead: what Enter does in the field that has the cursor."""
        if isinstance(self.focused, Input):
            await self.focused.action_submit()

    def action_switch_user(self) -> None:
        self.app.sign_out()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if self.lock_for:
            return
        if self.chosen is not None:
            self.chosen = None
            self.refresh_bindings()
            self.query_one("#pin", Input).add_class("hidden")
            self.show_message("")
            for names in self.query("#names"):
                names.remove_class("hidden")
                names.focus()
            self.query_one("#name-filter", Input).set_class(len(self.staff) <= NAMES_SHOWN, "hidden")
            self.query_one("#signin-prompt", Static).update(self.names_prompt())
