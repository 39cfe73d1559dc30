"""The field app's background sync: push and pull with the office server whenever it answers.

A few seconds after each saved outcome (debounced, so a burst of visits is one sync) and every
``sync.background_minutes``, a thread worker runs :func:`sync.online.sync_with_server`, the same
push-then-pull as ``knock sync --server``. Everything is already committed to the laptop's
ledger before any network I/O starts (the save worker commits, and only its result
schedules a sync), and the network runs off the UI thread with short timeouts, so being
offline never blocks or slows a key. Failures are never a dialog: they become a few characters
in the header (已同步 / 待同步 12 / 离线) and the end-of-day screen says whether a USB export is
still needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.message import Message
from textual.timer import Timer

from field_app.i18n import _

if TYPE_CHECKING:
    import httpx

    from field_app.app import KnockApp

State = Literal["off", "synced", "pending", "offline", "refused", "syncing"]

DEBOUNCE_SECONDS = 3.0
TIMEOUT_SECONDS = 8.0


@dataclass(frozen=True)
class SyncState:
    """Where online sync stands: what the header and the end-of-day screen show."""

    state: State
    pending: int = 0
    detail: str = ""

    @property
    def badge(self) -> str:
        """A few characters for the header ('' when no server is set: USB only)."""
        if self.state == "off":
            return ""
        if self.state == "synced" and self.pending == 0:
            return _("Synced")
        if self.state == "offline":
            return _("Offline")
        if self.state == "refused":
            return _("Sync refused")
        return _("To sync {n}").format(n=self.pending)

    @property
    def usb_needed(self) -> bool:
        """True when today's records have not all reached the office online."""
        return self.state != "synced" or self.pending > 0


class SyncStateChanged(Message):
    """Posted to the active screen when the online sync state changes."""

    def __init__(self, sync_state: SyncState) -> None:
        super().__init__()
        self.sync_state = sync_state


class BackgroundSync:
    """Schedules the app's sync worker; lives on the app, touched only from the UI thread."""

    WORKER = "online-sync"
    """The worker's name: the app hands its result to :meth:`finished` and its failure to :meth:`failed`."""

    def __init__(self, app: KnockApp, *, transport: httpx.BaseTransport | None = None) -> None:
        self.app = app
        self.transport = transport
        self.url = app.home.settings.sync.server_url.strip()
        self.state = SyncState("off") if not self.url else SyncState("pending", 0)
        self._debounce: Timer | None = None
        self._running = False
        self._again = False

    @property
    def enabled(self) -> bool:
        """A server is set in the settings."""
        return bool(self.url)

    def start(self) -> None:
        """First try soon after start, then every few minutes."""
        if not self.enabled:
            return
        self.app.set_interval(self.app.home.settings.sync.background_minutes * 60, self.sync_now)
        self.soon()

    def soon(self, delay: float | None = None) -> None:
        """Sync after ``delay`` seconds (default DEBOUNCE_SECONDS); a later call within the delay moves it (debounce)."""
        if not self.enabled:
            return
        delay = DEBOUNCE_SECONDS if delay is None else delay
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.app.set_timer(delay, self.sync_now)

    def sync_now(self) -> None:
        """Start the worker, or ask it to go again when it finishes (never two at once)."""
        if not self.enabled:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self.app.run_worker(self._work, thread=True, group=self.WORKER, exit_on_error=False, name=self.WORKER)

    def _work(self) -> SyncState:
        """On a worker thread: push, pull, and say where that left the laptop (offline and refused are answers, not failures)."""
        from sync.errors import SyncError
        from sync.online import ServerUnreachable, pending_events, sync_with_server

        home = self.app.home
        try:
            done = sync_with_server(home, self.url, timeout=TIMEOUT_SECONDS, transport=self.transport)
        except ServerUnreachable as exc:
            return SyncState("offline", pending_events(home), str(exc))
        except (SyncError, OSError, ValueError, KeyError) as exc:
            return SyncState("refused", pending_events(home), str(exc))
        return SyncState("synced", done.pending)

    def failed(self, text: str) -> None:
        """The worker stopped on something unexpected: the header says refused, and the next run tries again."""
        self.finished(SyncState("refused", self.state.pending, text))

    def finished(self, state: SyncState) -> None:
        """The worker's state (the app hands it over on the UI thread); a run asked for meanwhile starts now."""
        self._running = False
        self.state = state
        self.app.screen.post_message(SyncStateChanged(state))
        if self._again:
            self._again = False
            self.sync_now()
