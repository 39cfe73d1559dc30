"""Nobody acts in another's name from the command line; the lockout lives in the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.errors import PermissionDenied
from knock.core.pins import authorise_manager, check_pin, hash_pin, lock_state, pin_matches
from knock.home import Home, open_home
from knock.settings import SettingsError, load_settings

MANAGER_PIN = "9999"
PIN = "1234"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now().astimezone()  # the CLI runs on the system clock

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(visiting_hours) -> Clock:  # type: ignore[no-untyped-def]
    """The system clock at 19:30 today, for the ledger and the in-process CLI alike (quiet hours refuse visits)."""
    found = Clock()
    found.now = visiting_hours()
    return found


@pytest.fixture
def home(tmp_path: Path, clock: Clock) -> Iterator[Home]:
    opened = open_home(tmp_path / "home", clock=clock)
    ledger = opened.ledger
    ledger.register_staff("赵经理", "manager", pin_hash=hash_pin(MANAGER_PIN))
    ledger.register_staff("张保安", "guard", pin_hash=hash_pin(PIN))
    ledger.register_staff("新人", "cleaner")
    ledger.register_household("1-1-101", "王某")
    yield opened
    opened.close()


def run(home: Home, *args: str, stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--home", str(home.path)], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _fill_cap(home: Home) -> None:
    for _ in range(home.settings.contact.daily_cap):
        # The CLI runs on the (visiting-hours) clock: fill today's cap on today's date.
        home.ledger.log_contact("1-1-101", channel="door", outcome="not_home", collector="张保安")


def test_override_by_asks_the_managers_pin(home: Home) -> None:
    _fill_cap(home)
    code, out = run(home, "visit", "1-1-101", "--outcome", "not_home", "--collector", "张保安", "--override-by", "赵经理", "--pin-from-stdin", stdin="0000\n")
    assert code == 1 and "wrong PIN for 赵经理" in out
    assert home.store.scalar("SELECT COUNT(*) FROM contacts") == home.settings.contact.daily_cap
    code, out = run(home, "visit", "1-1-101", "--outcome", "not_home", "--collector", "张保安", "--override-by", "赵经理", stdin=f"{MANAGER_PIN}\n")
    assert code == 0, out
    assert MANAGER_PIN not in out  # the prompt is hidden
    assert home.store.scalar("SELECT override_by FROM contacts ORDER BY rowid DESC LIMIT 1") == home.ledger.staff("赵经理").staff_id


def test_override_by_a_non_manager_is_refused_whatever_the_pin(home: Home) -> None:
    _fill_cap(home)
    code, out = run(home, "visit", "1-1-101", "--outcome", "not_home", "--collector", "张保安", "--override-by", "张保安", "--pin-from-stdin", stdin=f"{PIN}\n")
    assert code == 1 and "not an active manager" in out


def test_set_pin_over_an_existing_pin_needs_a_manager(home: Home) -> None:
    code, out = run(home, "set-pin", "张保安", "--pin", "5555")
    assert code == 1 and "--by" in out
    code, out = run(home, "set-pin", "张保安", "--pin", "5555", "--by", "赵经理", "--pin-from-stdin", stdin="1111\n")
    assert code == 1 and "wrong PIN" in out
    assert pin_matches(home.ledger.staff("张保安").pin_hash, PIN)
    code, out = run(home, "set-pin", "张保安", "--by", "赵经理", "--pin-from-stdin", stdin=f"{MANAGER_PIN}\n5555\n")
    assert code == 0, out
    assert pin_matches(home.ledger.staff("张保安").pin_hash, "5555")
    # A first PIN for someone without one is office set-up: no manager needed.
    code, out = run(home, "set-pin", "新人", "--pin-from-stdin", stdin="2468\n")
    assert code == 0, out


def _lock(home: Home, name: str) -> None:
    staff_id = home.ledger.staff(name).staff_id
    for _ in range(home.settings.security.pin_max_tries):
        check_pin(home.ledger, staff_id, "0000", home.ledger.now())


def test_lockout_is_in_the_ledger_and_survives_deleting_files(home: Home, clock: Clock) -> None:
    _lock(home, "张保安")
    staff_id = home.ledger.staff("张保安").staff_id
    for extra in home.path.iterdir():
        if extra.suffix == ".json":
            extra.unlink()
    assert not check_pin(home.ledger, staff_id, PIN, clock.now).ok
    with pytest.raises(Exception, match="append-only"):
        home.store.conn.execute("DELETE FROM signin_attempts")
    with pytest.raises(Exception, match="append-only"):
        home.store.conn.execute("UPDATE signin_attempts SET outcome = 'ok'")
    clock.now += timedelta(minutes=home.settings.security.lockout_minutes)
    assert check_pin(home.ledger, staff_id, PIN, clock.now).ok


def test_manager_unlocks_with_their_pin_and_it_is_logged(home: Home) -> None:
    _lock(home, "张保安")
    staff_id = home.ledger.staff("张保安").staff_id
    code, out = run(home, "unlock", "张保安", "--by", "赵经理", "--pin-from-stdin", stdin="1111\n")
    assert code == 1 and "wrong PIN" in out
    assert lock_state(home.ledger, staff_id, home.ledger.now()).locked_until is not None
    code, out = run(home, "unlock", "张保安", "--by", "赵经理", "--pin-from-stdin", stdin=f"{MANAGER_PIN}\n")
    assert code == 0 and "unlocked by 赵经理" in out
    assert home.store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'signin.unlocked'") == 1
    assert check_pin(home.ledger, staff_id, PIN, home.ledger.now()).ok


def test_a_locked_manager_cannot_approve(home: Home) -> None:
    _lock(home, "赵经理")
    with pytest.raises(PermissionDenied, match="locked until"):
        authorise_manager(home.ledger, "赵经理", MANAGER_PIN, home.ledger.now())


@pytest.mark.parametrize(("field", "value"), [("pin_max_tries", 0), ("pin_max_tries", 1000), ("lockout_minutes", 0), ("lockout_minutes", 1)])
def test_the_lockout_cannot_be_switched_off_in_settings(tmp_path: Path, field: str, value: int) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"[security]\n{field} = {value}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=f"security.{field}"):
        load_settings(path)


def test_void_needs_a_managers_pin(home: Home) -> None:
    from datetime import date

    home.ledger.add_charge("1-1-101", "property_fee", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 15), 10000)
    receipt = home.ledger.record_payment("1-1-101", 10000, method="cash", collector="张保安").receipt_no
    code, out = run(home, "void", receipt, "--reason", "wrong", "--by", "张保安", "--pin-from-stdin", stdin=f"{PIN}\n")
    assert code == 1 and "not an active manager" in out
    code, out = run(home, "void", receipt, "--reason", "wrong", "--by", "赵经理", "--pin-from-stdin", stdin="0000\n")
    assert code == 1 and "wrong PIN" in out
    assert home.store.scalar("SELECT COUNT(*) FROM payment_voids") == 0
    code, out = run(home, "void", receipt, "--reason", "wrong", "--by", "赵经理", stdin=f"{MANAGER_PIN}\n")
    assert code == 0 and MANAGER_PIN not in out
    assert home.store.scalar("SELECT voided_by FROM payment_voids") == home.ledger.staff("赵经理").staff_id
