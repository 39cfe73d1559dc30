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

A confirmed outcome is written by :class:`Writer` instead (through
:meth:`WorkerResults.run_write`): its result and failure still come back as
a Textual worker's, to the same handlers.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future
from typing import Any, ClassVar, TypeVar

from textual.worker import Worker, WorkerState

from field_app.widgets.common import friendly_error

Handler = TypeVar("Handler", bound=Callable[..., Any])
Result = TypeVar("Result")

WRITE_WAIT = 0.15
"""How long the interface thread waits for a write it just started before it goes back to drawing (s).

Why wait at all: while it draws it holds the interpreter, and the writing
thread then waits for it after every SQL call (up to 5 ms each, far more on a
loaded CPU). Nothing needs drawing meanwhile (the confirmation stays up and
keys wait for the save), so it steps aside; a commit that takes longer
(a slow disk) goes on in the background and the dialog says "Saving…".
"""


class Writer:
    """The app's one long-lived writing thread: a confirmed outcome starts its transaction at once.

    Why not a ``@work(thread=True)`` worker: Textual starts that thread from an
    asyncio task on a later turn of the event loop, so the write began only
    after the key's handler, the dialog's repaint and the task hop (5-15 ms at
    100k households on a loaded 2-core laptop, more than the SQL and the
    COMMIT's fsync together). Here :meth:`submit` hands the job to a thread
    that is already waiting for it: the transaction begins while the key's
    handler is still returning. Jobs run one at a time in the order given (the
    ledger takes one writer anyway); each is its own transaction, as before.
    """

    def __init__(self, name: str = "knock-writer") -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, work: Callable[..., Result], *args: Any) -> Future[Result]:
        """Start ``work(*args)`` on the writing thread now; its result (or exception) arrives in the future."""
        future: Future[Result] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the app is closing; nothing more is written")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._jobs.put((future, work, args))
        return future

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, work, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = work(*args)
            except BaseException as exc:  # handed on: the screen says it (worker_failed), nothing is swallowed
                future.set_exception(exc)
            else:
                future.set_result(result)

    def close(self) -> None:
        """Let what was submitted finish (a commit under way lands), then end the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._jobs.put(None)
        if thread is not None and thread is not threading.current_thread():
            thread.join()


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
            self.worker_succeeded(worker.name, worker.result)
        elif event.state == WorkerState.ERROR and worker.error is not None:
            self.worker_failed(worker.name, friendly_error(worker.error))

    def run_write(self, name: str, work: Callable[..., Any], *args: Any) -> Worker[Any] | None:
        """Run ``work(*args)`` on the app's :class:`Writer` now; its result goes to ``@result_of(name)``.

        The thread starts the work at once and this waits up to :data:`WRITE_WAIT`.
        Done by then (the usual case): the result (or the failure, to
        :meth:`worker_failed` with ``name``) is handed over before this returns, so the
        confirmation closes without another turn of the event loop. Not done: a
        Textual worker waits for it and hands it over the same way, and
        ``app.workers.wait_for_complete()`` waits for it as for any worker.
        """
        future = self.app.writer.submit(work, *args)  # type: ignore[attr-defined]
        futures.wait([future], timeout=WRITE_WAIT)  # see WRITE_WAIT
        if future.done():
            error = future.exception()
            if error is None:
                self.worker_succeeded(name, future.result())
            else:
                self.worker_failed(name, friendly_error(error))
            return None

        async def committed() -> Any:
            return await asyncio.wrap_future(future)

        return self.run_worker(committed, name=name, group="write", exit_on_error=False)  # type: ignore[attr-defined, no-any-return]

    def worker_succeeded(self, name: str, result: Any) -> None:
        """Hand ``result`` of worker ``name`` to its ``@result_of`` handler (if it has one)."""
        handler = self._result_handlers.get(name)
        if handler is not None:
            getattr(self, handler)(result)

    def worker_failed(self, name: str, text: str) -> None:
        """Show ``text`` (why worker ``name`` could not finish); screens put it in their own place."""
        self.notify(text, severity="error", timeout=12)  # type: ignore[attr-defined]
