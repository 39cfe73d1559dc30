"""What every ``knock`` subcommand shares: the home option, JSON output, errors."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from knock.core.money import MoneyError, parse_yuan

if TYPE_CHECKING:
    from knock.home import Home

F = TypeVar("F", bound=Callable[..., Any])


def home_option(func: F) -> F:
    """``--home DIR`` (or ``KNOCK_HOME``) on every command."""
    return click.option(
        "--home",
        "home_dir",
        type=click.Path(file_okay=False),
        envvar="KNOCK_HOME",
        help="Knock's data folder (default: the per-user data folder).",
    )(func)


def json_option(func: F) -> F:
    """``--json`` on every command that reports, for scripts."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def _domain_error_types() -> tuple[type[Exception], ...]:
    """The errors whose message is meant for the user. Imported when an error is being
    handled, not at start: most of these modules are not needed by the command that runs."""
    from knock.core.errors import LedgerError
    from knock.core.payload_codec import PayloadDictionaryError
    from knock.core.payqr import PayloadError
    from knock.core.rooms import RoomError
    from knock.core.signing import KeyFileError
    from knock.core.store import StoreError
    from knock.documents.fonts import MissingFontError
    from knock.settings import SettingsError

    return (LedgerError, MoneyError, RoomError, SettingsError, StoreError, MissingFontError, PayloadError, KeyFileError, PayloadDictionaryError)


def domain_errors(func: F) -> F:
    """Turn domain errors into one clear line and exit code 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except Exception as exc:
            if isinstance(exc, _domain_error_types()):
                raise click.ClickException(str(exc)) from exc
            raise

    return wrapper  # type: ignore[return-value]


def open_home(override: str | None, **options: Any) -> Home:
    """:func:`knock.home.open_home`, imported when a command opens its home rather than at start
    (``knock --help`` needs no ledger); tests put a fixed clock here."""
    from knock.home import open_home as open_the_home

    return open_the_home(override, **options)


UPGRADE_NOTICE_BYTES = 32 * 1024 * 1024
"""A ledger at least this big is announced when it has to be upgraded (a 1 GB one takes minutes)."""


def upgrade_notice(db: Path) -> str | None:
    """What to say before the ledger at ``db`` is upgraded to this version of Knock (None when no long upgrade is due).

    Why: the first open after an update migrates the ledger in one transaction; at 100k
    households that is minutes without a word, and a person who stops it only starts it again.
    One stat() on a small ledger; one read-only look at the version on a large one.
    """
    import sqlite3

    try:
        size = db.stat().st_size
    except OSError:
        return None
    if size < UPGRADE_NOTICE_BYTES:
        return None
    from knock.core.schema import MIGRATIONS

    try:
        conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # the open that follows says what is wrong with it
    if not 0 < version < len(MIGRATIONS):
        return None
    mib = size / (1024 * 1024)
    return (
        f"正在升级账本 {db}（{mib:,.0f} MiB，只此一次，可能要几分钟，请不要中断）…\n"
        f"upgrading the ledger {db} ({mib:,.0f} MiB) to this version of Knock: once, it may take minutes, do not interrupt…"
    )


def open_cli_home(home_dir: str | None, *, device_name: str | None = None) -> Home:
    """Open the home, turning problems into a ClickException (and announcing a long upgrade first)."""
    from knock import paths

    notice = upgrade_notice(paths.db_path(paths.home_dir(home_dir, create=False)))
    if notice:
        click.echo(notice, err=True)
    from knock.core.payload_codec import PayloadDictionaryError
    from knock.core.signing import KeyFileError
    from knock.core.store import StoreError
    from knock.settings import SettingsError

    try:
        return open_home(home_dir, device_name=device_name)
    except (SettingsError, StoreError, KeyFileError, PayloadDictionaryError) as exc:
        raise click.ClickException(str(exc)) from exc


def pin_from_stdin_option(func: F) -> F:
    """``--pin-from-stdin``: scripts give PINs one per line on standard input instead of at a hidden prompt."""
    return click.option(
        "--pin-from-stdin",
        "pin_from_stdin",
        is_flag=True,
        help="Read PINs from standard input, one per line, in the order they would be asked (for scripts).",
    )(func)


def ask_pin(prompt: str, from_stdin: bool, *, confirm: bool = False) -> str:
    """A PIN typed at a hidden prompt, or the next line of standard input with ``--pin-from-stdin``."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise click.ClickException(f"{prompt}: no PIN on standard input")
        return line.strip()
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, prompt_suffix=": "))


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON (UTF-8, not escaped), one document."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


_NEGATIVE_NUMBER = re.compile(r"^-[\d０-９.,]")


class AmountCommand(click.Command):
    """A command that takes an amount: ``-5`` is a negative amount, not an unknown option.

    Click reads any word starting with ``-`` as an option and would answer
    "No such option: -5"; this says what is actually wrong.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            if arg == "--":
                break
            if _NEGATIVE_NUMBER.match(arg):
                raise click.UsageError(f"amount is negative: {arg!r} (an amount is more than 0.00)", ctx)
        return super().parse_args(ctx, args)


class YuanType(click.ParamType):
    """An amount typed in yuan (``1234.50``), read exactly into fen."""

    name = "yuan"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_yuan(value)
        except MoneyError as exc:
            self.fail(str(exc), param, ctx)


class DateType(click.ParamType):
    """A date as YYYY-MM-DD."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"not a date (YYYY-MM-DD): {value!r}", param, ctx)


YUAN = YuanType()
DATE = DateType()


def is_tty() -> bool:
    """True when stdout is a terminal (progress bars only then)."""
    return sys.stdout.isatty()
