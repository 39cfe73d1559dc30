"""Where a worker's result and a worker's failure go, through Textual's public worker API.

Every SQLite call, print job and file write runs in a thread worker
(``@work(thread=True, exit_on_error=False)``) that just *returns* its typed
result or raises: it posts no hand-written message and catches nothing.
Textual then posts ``Worker.StateChanged`` to the screen that started it.
:class:`WorkerResults` is the one handler of that message for every screen:

- ``SUCCESS``: the screen's method marked ``@result_of(that_worker)`` gets
  ``worker.result`` (typed: the worker's return annotation is the handler's
  parameter);
- ``ERROR``: :func:`~field_app.widgets.common.friendly_error` turns
  ``worker.error`` into one clear sentence in the collector's language (never
  a traceback), and the screen's :meth:`WorkerResults.worker_failed` puts it
  where the collector is looking (a red line, the status line, a dialog's
  message); the default is a notification;
- ``CANCELLED`` (a newer load replaced it) and the other states: nothing.

Why not messages posted from the thread: a message per outcome and a
try/except per worker said the same thing a dozen times, and a failure that
slipped past one of them was silent. Workers that write (save, print, export,
PIN check) are not ``exclusive``: cancelling one would drop the news of a
commit that still happens on its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from textual.worker import Worker, WorkerState

from field_app.widgets.common import friendly_error

Handler = TypeVar("Handler", bound=Callable[..., Any])


def result_of(*workers: Callable[..., Any] | str) -> Callable[[Handler], Handler]:
    """Mark a screen method as the place these workers' results go (``@result_of(load)``).

    Textual names a ``@work`` worker after its method, so the mark is that name
    (or the ``name=`` given to ``run_worker``, passed as a string).
    """
    names = tuple(w if isinstance(w, str) else w.__name__ for w in workers)

    def mark(handler: Handler) -> Handler:
        handler.__worker_results__ = names  # type: ignore[attr-defined]
        return handler

    return mark


class WorkerResults:
    """Mixin for a screen (or the app): one ``on_worker_state_changed`` for all of its workers."""

    _result_handlers: ClassVar[dict[str, str]] = {}
    """Worker name -> the name of the method its result goes to (collected from ``@result_of``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                for name in getattr(value, "__worker_results__", ()):
                    handlers[name] = attribute
        cls._result_handlers = handlers

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this screen finished: its result to its handler, its failure to :meth:`worker_failed`."""
        worker = event.worker
        if event.state == WorkerState.SUCCESS:
            handler = self._result_handlers.get(worker.name)
            if handler is not None:
                getattr(self, handler)(worker.result)
        elif event.state == WorkerState.ERROR and worker.error is not None:
            self.worker_failed(worker.name, friendly_error(worker.error))

    def worker_failed(self, name: str, text: str) -> None:
        """Show ``text`` (why worker ``name`` could not finish); screens put it in their own place."""
        self.notify(text, severity="error", timeout=12)  # type: ignore[attr-defined]
