"""The laptop's idle lock. PINs and the sign-in lockout are domain rules: :mod:`knock.core.pins`."""

from __future__ import annotations

import time
from collections.abc import Callable


class IdleTimer:
    """Tells when the laptop has been left alone long enough to lock it."""

    def __init__(self, minutes: float, monotonic: Callable[[], float] | None = None) -> None:
        self.seconds = minutes * 60
        self._now = monotonic or time.monotonic
        self.last = self._now()

    def touch(self) -> None:
        """Someone pressed a key or moved the mouse."""
        self.last = self._now()

    def expired(self) -> bool:
        """True when nobody touched the laptop for the idle time (0 minutes: never)."""
        return self.seconds > 0 and self._now() - self.last >= self.seconds
