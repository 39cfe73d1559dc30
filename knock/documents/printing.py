"""Send a PDF to the default printer with CUPS ``lp``, or save it and say where."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from knock import paths


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to a document: always saved; printed when CUPS took it."""

    path: Path
    printed: bool
    message: str
    """One plain sentence for the user (the CLI shows it as is)."""
    job: str = ""
    """The CUPS job id (``request id is …``), when printed."""


def cups_available() -> bool:
    """True when ``lp`` exists and ``lpstat`` reaches a running CUPS scheduler."""
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        return False
    try:
        result = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and "not running" not in result.stdout


def print_or_save(pdf: bytes, path: Path, printer: str | None = None, *, send: bool = True) -> PrintOutcome:
    """Save ``pdf`` to ``path``; if ``send`` and CUPS is present, also print it with ``lp``.

    The file is always kept, so a failed or missing printer never loses a
    receipt. Printer errors become a message, never an exception.
    """
    path = paths.write_private(Path(path), pdf)
    if not send:
        return PrintOutcome(path, False, f"Saved {path}")
    if not cups_available():
        return PrintOutcome(path, False, f"No printer service (CUPS) found; the PDF is saved at {path}")
    command = ["lp"] + (["-d", printer] if printer else []) + [str(path)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return PrintOutcome(path, False, f"Printing failed ({exc}); the PDF is saved at {path}")
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip() or f"lp exited with {result.returncode}"
        return PrintOutcome(path, False, f"Printing failed ({reason}); the PDF is saved at {path}")
    job = result.stdout.strip()
    where = f"printer {printer}" if printer else "the default printer"
    return PrintOutcome(path, True, f"Sent to {where} ({job}); a copy is saved at {path}", job)
