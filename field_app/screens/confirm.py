"""Confirm before saving: the collector sees exactly what will be written."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static

from field_app.i18n import _
from field_app.widgets.dialog import Dialog


class ConfirmDialog(Dialog[bool]):
    """Yes (Enter / Y) saves, No (Esc / N) goes back without saving."""

    BINDINGS = [
        Binding("enter", "enter", "Confirm", priority=True),
        Binding("y", "yes", "Confirm", show=False),
        Binding("n", "cancel", "No", show=False),
    ]

    def __init__(self, lines: list[str], *, title: str | None = None, yes: str | None = None, on_yes: Callable[[], object] | None = None) -> None:
        super().__init__(title or _("Please check and confirm"))
        self.lines = lines
        self.yes_label = yes or _("Save (Enter)")
        self.on_yes = on_yes
        """Called at Yes with the dialog still up: the screen beneath starts its save and closes the
        dialog with :meth:`finished` when the save ends. Why: the save then runs while the app has
        nothing to redraw; popping the dialog first made the commit wait behind a full repaint."""
        self.busy = False
        """Yes was given and the save is running: no key and no click does anything more."""
        self.close_on_resume = False
        """The save ended while another screen (the idle lock) was on top: close when back on top."""

    def ready_for_keys(self) -> bool:
        """Keys wait while the save runs (a second Enter must not save twice; see field_app/keys.py)."""
        return not self.busy

    def finished(self) -> None:
        """The save this dialog started has ended (saved or refused): close it (once it is on top again)."""
        if not self.busy:
            return
        self.busy = False
        if self.app.screen is self:
            self.dismiss(True)
        else:
            self.close_on_resume = True

    def on_screen_resume(self) -> None:
        if self.close_on_resume:
            self.close_on_resume = False
            self.dismiss(True)

    def body(self) -> ComposeResult:
        yield Static("\n".join(self.lines), classes="summary")
        with Horizontal(classes="buttons"):
            yield Button(self.yes_label, id="yes", variant="success")
            yield Button(_("Back (Esc)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_enter(self) -> None:
        """Enter answers for the focused button: Back if Back has the focus, else Yes.

        A priority binding, so the key reaches :meth:`action_yes` as it is
        handled (not as a button press posted up through the dialog's widgets
        first): the save starts sooner.
        """
        if self.focused is not None and self.focused.id == "no":
            self.action_cancel()
        else:
            self.action_yes()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        if self.busy:
            return
        if self.on_yes is None:
            self.dismiss(True)
            return
        self.busy = True
        self.query_one("#yes", Button).label = _("Saving…")  # drawn only if the save is still running by then
        self.on_yes()

    @on(Button.Pressed, "#no")
    def no_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)


class ExplicitConfirmDialog(ConfirmDialog):
    """A confirmation that a queued Enter cannot give: Enter and Esc say no; only Y (or a click) says yes.

    For what is unusual and costly to undo (more than is owed, a second payment
    minutes after another): the guard at the door must mean it.
    """

    BINDINGS = [
        Binding("enter", "cancel", "No", show=False),
        Binding("y", "yes", "Yes"),
        Binding("n", "cancel", "No", show=False),
    ]

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # not ConfirmDialog's focus on Yes
        self.query_one("#no", Button).focus()


class InfoDialog(Dialog[str | None]):
    """A message with up to a few numbered choices (e.g. the contact-cap block)."""

    def __init__(self, title: str, lines: list[str], choices: list[tuple[str, str]] | None = None) -> None:
        super().__init__(title)
        self.lines = lines
        self.choices = choices or []

    def body(self) -> ComposeResult:
        from field_app.widgets.common import NumberedChoices

        yield Static("\n".join(self.lines), classes="summary")
        if self.choices:
            yield NumberedChoices(self.choices, id="info-choices")
        else:
            yield Button(_("OK (Enter)"), id="ok", variant="primary")

    def on_mount(self) -> None:
        if self.choices:
            self.query_one("#info-choices").focus()
        else:
            self.query_one("#ok", Button).focus()

    def on_option_list_option_selected(self, event: object) -> None:
        self.dismiss(getattr(event, "option_id", None))

    @on(Button.Pressed, "#ok")
    def ok(self) -> None:
        self.dismiss("ok")
