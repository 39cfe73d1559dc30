"""Where Knock keeps its files.

One home folder holds a laptop's whole state: the ledger database, the
settings file, the device key and printed documents. ``--home`` or the
``KNOCK_HOME`` environment variable chooses it (tests always do), otherwise a
per-user data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "KNOCK_HOME"
"""Environment variable that overrides the home folder."""

PACKAGE_DIR = Path(__file__).resolve().parent
"""The installed ``knock`` package: its data files ship inside it, so a wheel works without a checkout."""


def home_dir(override: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """The home folder: the override, else ``$KNOCK_HOME``, else the user data folder."""
    chosen = override or os.environ.get(ENV_HOME) or user_data_dir()
    path = Path(chosen).expanduser().resolve()
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def user_data_dir() -> str:
    """The per-user data folder. platformdirs is imported only when it is needed: it loads
    tempfile and random with it, a cost every ``knock --home DIR`` start would otherwise pay."""
    import platformdirs

    return platformdirs.user_data_dir("knock", appauthor=False)


def db_path(home: Path) -> Path:
    """The ledger database of this home."""
    return home / "knock.db"


def settings_path(home: Path) -> Path:
    """The one settings file of this home (TOML; absent means all defaults)."""
    return home / "settings.toml"


def device_key_path(home: Path) -> Path:
    """The private signing key of this laptop (mode 0600)."""
    return home / "device.key"


def device_public_path(home: Path) -> Path:
    """This laptop's public key and device id, kept beside the key so a start that signs nothing need not read the key."""
    return home / "device.pub"


def output_dir(home: Path, *sub: str) -> Path:
    """Where printed documents (PDF, PNG) are saved, optionally a subfolder (``receipts``).

    Owner only (0700), like the ledger: receipts, notices and letters carry
    names, rooms and debts. Existing folders are tightened too.
    """
    path = home / "output"
    for folder in (path, *(path.joinpath(*sub[: i + 1]) for i in range(len(sub)))):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
    return path.joinpath(*sub)


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` readable by the owner only (0600), atomically and durably.

    A half-written file never takes the name: the bytes go to a ``.part`` file
    first, are flushed to disk, then renamed over ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def templates_dir() -> Path:
    """The reviewed data files: playbook content, document templates, vocabulary (package data)."""
    return PACKAGE_DIR / "templates"
