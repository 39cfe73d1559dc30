"""Keys one at a time: each key reaches the screen that the previous key left behind.

Why: Textual routes a key when the app *dispatches* it, to whatever has focus
at that moment (``App.on_event``: ``(self.focused or self.screen)._forward_event``),
and the key then waits in that widget's own queue. A terminal delivers a fast
"Enter 1" in one read, so both keys are routed before the Enter has had any
effect: its ``Submitted`` handler, the ``focus()`` it asks for (run later, on
the app's queue) and any screen it pushes all come after the "1" was already
queued to the field the Enter was leaving.

The fix: the app hands its keys to :class:`KeyGate`, which delivers them in
order, and before each one waits until the app has caught up: every message
pump of the current screen has worked through what it had, the screen and the
focus have stopped changing, and the screen says it is ready for keys (see
:class:`KeyReady`; e.g. the household screen once its facts are loaded and no
outcome is being saved). A screen that never gets there costs a key at most
:data:`SETTLE_TIMEOUT` seconds; the key is then delivered as Textual would.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

SETTLE_TIMEOUT = 2.0
"""The longest a key waits for the previous key's effects or a screen's readiness (seconds)."""
POLL = 0.01
"""How often a screen that is not ready yet is asked again (seconds)."""


@runtime_checkable
class KeyReady(Protocol):
    """A screen that can say it is not ready for keys yet (loading, saving)."""

    def ready_for_keys(self) -> bool:
        """True when a key pressed now would do what the collector means."""


class KeyGate:
    """Delivers an app's keys one at a time, each after the app has caught up with the last."""

    def __init__(self, app: App[object], deliver: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.deliver = deliver
        """Textual's own routing of one key (``App.on_event``)."""
        self.queue: deque[events.Key] = deque()
        self.task: asyncio.Task[None] | None = None
        """Delivers the queued keys; ends when the queue is empty (not a Textual worker:
        tests wait for every worker to finish)."""

    def accept(self, event: events.Key) -> None:
        """Take a key; it is delivered after every key before it, once the app has caught up."""
        self.queue.append(event)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self.run())

    def close(self) -> None:
        """Drop keys not yet delivered (the app is closing)."""
        self.queue.clear()
        if self.task is not None:
            self.task.cancel()

    async def run(self) -> None:
        """Deliver queued keys in order, each after :meth:`settle`."""
        try:
            while self.queue:
                await self.settle()
                await self.deliver(self.queue.popleft())
        finally:
            self.task = None

    async def settle(self) -> None:
        """Wait until the current screen has worked through its messages, stopped changing and is ready.

        One round asks every message pump of the screen (and the app) to report
        back once it has handled what it holds; a message handled in one round
        may post more (a field's ``Submitted`` to its screen, a screen's push to
        the app), so rounds go on until one ends with every queue empty and the
        same screen and focus as the round before.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT
        previous: tuple[object, object] | None = None
        while loop.time() < deadline:
            screen = self.app.screen
            state = (screen, screen.focused)
            pumps = [self.app, screen, *screen.walk_children()]
            ready = not isinstance(screen, KeyReady) or screen.ready_for_keys()
            if state == previous and ready and all(_queue_empty(p) for p in pumps):
                return
            previous = state
            await self.drain(pumps, deadline - loop.time())
            if not ready:
                await asyncio.sleep(POLL)

    @staticmethod
    async def drain(pumps: list[MessagePump], timeout: float) -> None:
        """Wait until each pump has handled every message it had when this was called."""
        loop = asyncio.get_running_loop()
        marks: list[asyncio.Future[None]] = []
        for pump in pumps:
            mark: asyncio.Future[None] = loop.create_future()
            if pump.call_later(lambda m=mark: m.done() or m.set_result(None)):
                marks.append(mark)
        if marks and timeout > 0:
            await asyncio.wait(marks, timeout=timeout)
        for mark in marks:
            mark.cancel()


def _queue_empty(pump: MessagePump) -> bool:
    """True when ``pump`` holds no message (Textual's public ``message_queue_size``)."""
    return pump.message_queue_size == 0
