"""How ``knock field`` starts the app: the cycle collector sits out the start.

This module imports nothing heavy on purpose: it is entered before Textual and
Knock's core are imported, so that their import is covered too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def start_up() -> Iterator[None]:
    """Hold the cycle collector while the app is imported, its home opened and the app made; then
    take everything that start made out of the collector's later passes.

    Why: the start makes some 200,000 objects (modules, classes, settings, the open home) that live
    as long as the app. With the collector running, its passes during the imports walk them again
    and again (~5 ms of a start at 100k households) and find no garbage; and after the start its
    first full pass would come while the first screen is drawn and walk them all once more.
    ``gc.freeze()`` moves them to a generation no pass looks at. The collector runs as usual for
    everything the app makes after this.

    Used by ``knock field`` (and the benchmark, the same way), not by :func:`make_app`: a test
    process makes many apps, and freezing would keep each one's garbage cycles for good.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
