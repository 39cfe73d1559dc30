"""The field app: what a collector uses all day, door to door, offline.

``make_app`` is the one factory the CLI, the tests and the benchmark use.
Thread rules (from harlequin's notes): every SQLite call and every print job
runs in ``@work(thread=True)``; a worker returns its result (or raises) and
never touches a widget or a reactive: Textual's ``Worker.StateChanged`` brings
it back to the UI thread (see field_app/workers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import events, work
from textual.app import App
from textual.binding import Binding

from knock.home import Home

from field_app import i18n
from field_app.auth import IdleTimer
from field_app.background_sync import BackgroundSync, SyncState
from field_app.i18n import _
from field_app.keys import KeyGate, KeyReady
from field_app.preferences import save_locale, saved_locale
from field_app.workers import WorkerResults, Writer, result_of

Clock = Callable[[], datetime]

CHECK_POLL = 0.05
"""How often the app looks whether its first screen is usable, to start the ledger check (seconds)."""
CHECK_AT_LATEST = 5.0
"""The ledger check starts after this long even when the first screen is still loading (seconds)."""


class KnockApp(WorkerResults, App[None]):
    """Knock's field app."""

    CSS_PATH = "app.tcss"
    TITLE = "Knock"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(110, "-wide")]
    """Wider terminals get one row of outcome buttons and larger dialogs (see app.tcss). No class
    below 110 columns: a class every width gets would be added at each screen's first size, and
    restyle all of that screen's widgets before its first frame."""
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False), Binding("c", "calls", "Calls", show=False)]
    """Hidden from the footer (no palette either), so their words are never shown; the screens'
    key hints are translated by :class:`~field_app.widgets.common.TranslatedBindings`."""

    def __init__(
        self,
        home: Home,
        *,
        locale: str,
        clock: Clock,
        staff_id: str | None = None,
        preselect: str | None = None,
        monotonic: Callable[[], float] | None = None,
        locale_given: bool = False,
    ) -> None:
        i18n.set_locale(locale)
        super().__init__()
        self.home = home
        self.clock = clock
        self.locale_name = locale
        self.locale_given = locale_given
        """The language was asked for on the command line: it wins over a collector's saved choice."""
        self.staff_id: str | None = staff_id
        member = home.ledger.staff(staff_id) if staff_id else None
        self.staff_name = member.name if member else ""
        self.staff_role = member.role if member else ""
        """Read at sign-in, so screens can show role-only keys without asking the ledger on every refresh."""
        self.preselect = preselect
        self.idle = IdleTimer(home.settings.security.idle_lock_minutes, monotonic)
        self.locked = False
        self.round_order: list[str] | None = None
        """The Today list's order for this sign-in (room codes): fixed once the collector starts,
        so the list never re-sorts under the cursor; a new sign-in or the re-sort key sets it again."""
        self.key_gate = KeyGate(self, self.deliver_key)
        """Keys in order, each after the app caught up with the last (see field_app/keys.py)."""
        self.background_sync = BackgroundSync(self)
        """Online sync with the server in settings, in a worker (see field_app/background_sync.py)."""
        self.writer = Writer()
        """The thread that commits confirmed outcomes, started on the first (see field_app/workers.py)."""

    # -- time ------------------------------------------------------------------------------------

    def on_unmount(self) -> None:
        self.key_gate.close()
        self.writer.close()  # a commit under way lands before the ledger is closed

    def now(self) -> datetime:
        """The device clock (frozen in tests)."""
        return self.clock()

    # -- screens ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.staff_id:
            from field_app.screens.today import TodayScreen

            self.push_screen(TodayScreen())
        else:
            from field_app.screens.sign_in import SignInScreen

            self.push_screen(SignInScreen(preselect=self.preselect))
        self.set_interval(5, self.lock_if_idle)
        self._check_started = False
        self._check_waited = 0.0
        self.ledger_findings: list[str] | None = None
        self.key_problem = ""
        """Why the device key cannot be used (it does not match device.pub), found by the start-up check."""
        """What the start-up ledger check found (None until it has run; [] when the ledger is intact)."""
        self._check_waiter = self.set_interval(CHECK_POLL, self._check_once_usable)
        self.background_sync.start()

    def _check_once_usable(self) -> None:
        """Start the ledger check once the first screen is usable (or after :data:`CHECK_AT_LATEST`).

        Why wait: on a big ledger the check reads hundreds of megabytes; run
        beside the first screen's loading it only makes the collector wait
        longer for their list. It still ends long before a payment could be
        confirmed, and a failure stops the app with a dialog as before.
        """
        screen = self.screen
        self._check_waited += CHECK_POLL
        if isinstance(screen, KeyReady) and not screen.ready_for_keys() and self._check_waited < CHECK_AT_LATEST:
            return
        self._check_waiter.stop()
        if not self._check_started:
            self._check_started = True
            self.call_after_refresh(self.check_ledger)

    @work(thread=True, exclusive=True, exit_on_error=False, group="check")
    def check_ledger(self) -> list[str]:
        """The ledger's quick integrity check (``knock check``) on every start, off the UI thread.

        The device key is read here too (the start took its public half from
        ``device.pub``): a key file that no longer matches is found now, not at
        the first payment, and the first receipt does not wait for the key.
        """
        from knock.core.integrity import quick_check
        from knock.core.signing import KeyFileError

        try:
            _ = self.home.key.private_key
            findings: list[str] = []
        except (KeyFileError, OSError) as exc:
            findings = [str(exc)]
            self.key_problem = str(exc)
        with self.home.store.reader() as reader:  # its own connection: the screens' reads never wait behind it
            return findings + quick_check(reader)

    @result_of(check_ledger)
    def ledger_checked(self, findings: list[str]) -> None:
        """Stop and say so when the check found something: money taken on a tampered ledger could not be trusted."""
        from field_app.screens.confirm import InfoDialog

        self.ledger_findings = findings
        if not findings:
            return
        shown = findings[:6] + ([_("… and {n} more").format(n=len(findings) - 6)] if len(findings) > 6 else [])
        lines = [_("This laptop's ledger was changed outside Knock. Call the office before taking any money."), "", *shown]
        if self.key_problem:
            # Nothing can be signed under this key, and an outcome saved now would be written in the
            # name of the device device.pub names: the app ends when the dialog is closed.
            problem = self.key_problem
            self.push_screen(InfoDialog(_("Ledger check failed"), lines), callback=lambda _choice: self.exit(return_code=1, message=problem))
            return
        self.push_screen(InfoDialog(_("Ledger check failed"), lines))

    @result_of(BackgroundSync.WORKER)
    def online_sync_finished(self, state: SyncState) -> None:
        self.background_sync.finished(state)

    def worker_failed(self, name: str, text: str) -> None:
        """The online sync's failure is a few characters in the header, never a message; anything else is one."""
        if name == self.background_sync.WORKER:
            self.background_sync.failed(text)
        else:
            self.notify(text, severity="error", timeout=12)

    def signed_in(self, staff_id: str) -> None:
        """A good PIN: open (or return to) this collector's day."""
        from field_app.screens.today import TodayScreen

        same = staff_id == self.staff_id
        self.staff_id = staff_id
        self.use_collectors_language(staff_id)
        member = self.home.ledger.staff(staff_id)
        self.staff_name, self.staff_role = member.name, member.role
        self.idle.touch()
        if self.locked and same:
            self.locked = False
            self.pop_screen()
            return
        self.locked = False
        self.round_order = None
        self._reset_to(TodayScreen())

    def _reset_to(self, screen: object) -> None:
        """Make ``screen`` the only one above Textual's default screen."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)  # type: ignore[arg-type]
        else:
            self.push_screen(screen)  # type: ignore[arg-type]

    def action_calls(self) -> None:
        """Call mode (电话), from the day's list: see field_app/screens/calls.py."""
        from field_app.screens.calls import CallModeScreen
        from field_app.screens.today import TodayScreen

        if self.staff_id and not self.locked and isinstance(self.screen, TodayScreen):
            self.push_screen(CallModeScreen())

    def sign_out(self) -> None:
        """Back to the name list (another collector wants the laptop)."""
        from field_app.screens.sign_in import SignInScreen

        self.staff_id = None
        self.staff_name = ""
        self.staff_role = ""
        self.locked = False
        self.round_order = None
        self._reset_to(SignInScreen())

    def action_lock(self) -> None:
        """Lock now: the same collector's PIN opens it again where they were."""
        from field_app.screens.sign_in import SignInScreen

        if self.locked or not self.staff_id:
            return
        self.locked = True
        self.push_screen(SignInScreen(lock_for=self.staff_id))

    def lock_if_idle(self) -> None:
        """Lock when the laptop was left alone for the idle time."""
        if self.staff_id and not self.locked and self.idle.expired():
            self.action_lock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.idle.touch()
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.key_gate.accept(event)  # delivered in order, after the app caught up (field_app/keys.py)
            return
        await super().on_event(event)

    async def deliver_key(self, event: events.Key) -> None:
        """Textual's own routing of one key, as the key gate calls it."""
        await super().on_event(event)

    def switch_language(self, locale: str) -> None:
        """Change the language and redraw every screen in it."""
        from field_app.screens.settings_help import SettingsHelpScreen
        from field_app.screens.today import TodayScreen

        i18n.set_locale(locale)
        self.locale_name = locale
        if self.staff_id:
            try:
                save_locale(self.home.path, self.staff_id, locale)
            except OSError as exc:
                self.notify(_("The language is used now but could not be kept for next time: {error}").format(error=exc), severity="warning")
        self._reset_to(TodayScreen())
        self.push_screen(SettingsHelpScreen())

    def use_collectors_language(self, staff_id: str) -> None:
        """Speak the language this collector chose last time (if they chose one)."""
        locale = None if self.locale_given else saved_locale(self.home.path, staff_id)
        if locale and locale != self.locale_name:
            i18n.set_locale(locale)
            self.locale_name = locale
    

def make_app(
    home: Home,
    *,
    locale: str | None = None,
    clock: Clock | None = None,
    staff_id: str | None = None,
    preselect: str | None = None,
    monotonic: Callable[[], float] | None = None,
) -> KnockApp:
    """The field app on ``home``.

    ``staff_id`` opens it already signed in (tests, the benchmark); ``preselect``
    puts that name on the sign-in screen so only the PIN is left to type.
    """
    from knock.core.store import APP_CACHE_KIB

    home.store.set_cache_kib(APP_CACHE_KIB)  # the importer's 64 MiB would stay filled all day
    chosen = locale or (staff_id and saved_locale(home.path, staff_id)) or home.settings.ui.locale
    return KnockApp(
        home, locale=chosen, clock=clock or home.ledger.clock, staff_id=staff_id, preselect=preselect, monotonic=monotonic,
        locale_given=locale is not None,
    )
