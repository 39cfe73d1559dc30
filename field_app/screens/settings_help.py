"""Settings and help: the language, the never-say list, and what every key does."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static

from field_app.data.advice import never_say
from field_app.i18n import _, get_locale
from field_app.widgets.common import NumberedChoices, TranslatedBindings

LANGUAGES = (("zh", "中文"), ("en", "English"))


class SettingsHelpScreen(TranslatedBindings, Screen[None]):
    """Language (press 1 or 2), the never-say list, key help."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("o", "sign_out", "Sign out"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Static(_("Settings and help"), classes="header")
        with VerticalScroll():
            yield Static(_("Language (now: {language})").format(language=dict(LANGUAGES)[get_locale()]), classes="title")
            yield NumberedChoices(list(LANGUAGES), id="languages")
            yield Static(self.help_text(), id="help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#languages").focus()

    def help_text(self) -> Text:
        text = Text()
        text.append("\n" + _("Never say") + "\n", style="bold underline")
        lines = never_say(get_locale())
        for line in lines:
            text.append(f"  ✗ {line}\n")
        if not lines:
            text.append("  " + _("Never threaten, never tell neighbours or relatives about a debt, never mention cutting water, power or heating.") + "\n")
        text.append("\n" + _("Keys") + "\n", style="bold underline")
        for key, what in (
            (_("digits / name"), _("Today: start searching (room 3-2-501 or owner's name)")),
            ("↑ ↓", _("Today: move to a household")),
            ("Enter", _("open the household / confirm")),
            ("Esc", _("go back (nothing is saved without a confirmation)")),
            ("1-7", _("Household: paid, promise, not home, refused, complaint, can't reach, note")),
            ("◀ ▶", _("Household: switch between arrears, history, what to say, objections")),
            ("P", _("Household: show the phone number (this is logged)")),
            ("G / E / S", _("Today: gate lookup, end of day, settings and help")),
            ("R", _("Today: put the list back in the suggested order")),
            ("L", _("Today: lock the screen (your password opens it again)")),
            ("O", _("Today: sign out, for another collector")),
            ("Ctrl+Q", _("quit Knock (everything confirmed is already saved)")),
        ):
            text.append(f"  {key:<14}", style="bold")
            text.append(f"{what}\n")
        text.append("\n" + _("The mouse works too: click any button, row or key at the bottom.") + "\n")
        return text

    def action_sign_out(self) -> None:
        self.app.sign_out()  # type: ignore[attr-defined]

    @on(OptionList.OptionSelected, "#languages")
    def language_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id and event.option_id != get_locale():
            self.app.switch_language(str(event.option_id))  # type: ignore[attr-defined]
