"""Why a sync file or pack is refused: one exception, one exact sentence."""

from __future__ import annotations


class SyncError(Exception):
    """A sync file, pack or enrolment that is refused; nothing was changed. The message says why."""


class FileRefused(SyncError):
    """A whole sync file is refused (integrity): the message names the file and the reason."""
