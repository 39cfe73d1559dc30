"""What every ``knock`` subcommand shares: the home option, JSON output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

import click

from knock.core.errors import LedgerError
from knock.core.money import MoneyError, parse_yuan
from knock.core.rooms import RoomError
from knock.core.store import StoreError
from knock.documents.fonts import MissingFontError
from knock.home import Home, open_home
from knock.settings import SettingsError

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


def domain_errors(func: F) -> F:
    """Turn domain errors into one clear line and exit code 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (LedgerError, MoneyError, RoomError, SettingsError, StoreError, MissingFontError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def open_cli_home(home_dir: str | None) -> Home:
    """Open the home, turning problems into a ClickException."""
    try:
        return open_home(home_dir)
    except (SettingsError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON (UTF-8, not escaped), one document."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


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
