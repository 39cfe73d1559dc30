"""No wrong amount: overpayment is confirmed, a stray digit is refused, a double submit is caught."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.core.payment_rules import PaymentNeedsConfirmation, PaymentRefused
from knock.home import open_home


def _home(tmp_path: Path, settings: str = "") -> Path:
    path = tmp_path / "h"
    path.mkdir()
    if settings:
        (path / "settings.toml").write_text(settings, encoding="utf-8")
    home = open_home(path)
    home.ledger.register_household("1-1-101", "陈红")
    home.ledger.register_staff("刘强", "cleaner")
    home.ledger.add_charge("1-1-101", "property_fee", date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), 67350)
    home.close()
    return path


def pay(path: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["pay", "1-1-101", *args, "--method", "cash", "--collector", "刘强", "--home", str(path)], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def payments(path: Path) -> list[tuple[int, str]]:
    home = open_home(path)
    try:
        return [(r["amount_fen"], r["payer"]) for r in home.store.query("SELECT amount_fen, payer FROM payments ORDER BY rowid")]
    finally:
        home.close()


def test_a_stray_digit_is_refused_not_taken(tmp_path: Path) -> None:
    path = _home(tmp_path)
    code, out = pay(path, "67350")  # meant 673.50
    assert code == 1 and "more than 3× the ¥673.50 owed" in out
    assert payments(path) == []


def test_overpayment_asks_naming_the_credit_and_no_means_nothing(tmp_path: Path) -> None:
    path = _home(tmp_path)
    code, out = pay(path, "700", stdin="n\n")
    assert code == 1 and "¥26.50 more than the ¥673.50 owed" in out and "预存" in out
    assert payments(path) == []
    code, out = pay(path, "700", stdin="y\n")
    assert code == 0, out
    assert payments(path) == [(70000, "")]


def test_the_absolute_bound_holds_even_when_much_is_owed(tmp_path: Path) -> None:
    path = _home(tmp_path, "[payments]\nmax_payment_yuan = \"500\"\n")
    code, out = pay(path, "600")
    assert code == 1 and "at most ¥500.00" in out and "payments.max_payment_yuan" in out
    assert payments(path) == []


def test_a_double_submit_is_refused_unless_again(tmp_path: Path) -> None:
    path = _home(tmp_path)
    assert pay(path, "100", "--payer", "陈红的儿子")[0] == 0
    code, out = pay(path, "100")
    assert code == 1 and "already taken" in out and "--again" in out
    assert pay(path, "100", "--again")[0] == 0
    assert payments(path) == [(10000, "陈红的儿子"), (10000, "")]


def test_a_second_payment_of_another_amount_within_minutes_is_refused_unless_again(tmp_path: Path) -> None:
    """Keys queued after a part payment spell out a payment of the rest: any second payment minutes later asks."""
    path = _home(tmp_path)
    assert pay(path, "100")[0] == 0
    code, out = pay(path, "573.50")  # the rest
    assert code == 1 and "¥100.00 was already taken" in out and "second payment" in out and "--again" in out
    assert pay(path, "573.50", "--again")[0] == 0
    assert payments(path) == [(10000, ""), (57350, "")]


def test_the_second_payment_window_is_a_setting(tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    home = open_home(_home(tmp_path, "[payments]\nsecond_payment_minutes = 3\n"))
    typed = {"overpay_confirmed": False, "again": False}
    first = datetime(2026, 4, 1, 10, 0)
    home.ledger.record_payment("1-1-101", 100, method="cash", collector="刘强", at=first, **typed)
    with pytest.raises(PaymentNeedsConfirmation, match="second payment"):
        home.ledger.record_payment("1-1-101", 200, method="cash", collector="刘强", at=first + timedelta(minutes=2), **typed)
    assert home.ledger.review_payment("1-1-101", 200, at=first + timedelta(minutes=2)).repeat_of is not None
    # Past the window another amount is an ordinary payment (the same amount still asks for double_submit_minutes).
    assert home.ledger.review_payment("1-1-101", 200, at=first + timedelta(minutes=4)).repeat_of is None
    assert home.ledger.review_payment("1-1-101", 100, at=first + timedelta(minutes=4)).same_amount
    home.ledger.record_payment("1-1-101", 200, method="cash", collector="刘强", at=first + timedelta(minutes=4), **typed)
    home.close()


def test_the_second_payment_rule_can_be_switched_off(tmp_path: Path) -> None:
    path = _home(tmp_path, "[payments]\nsecond_payment_minutes = 0\n")
    assert pay(path, "100")[0] == 0
    assert pay(path, "200")[0] == 0
    assert pay(path, "200")[0] == 1  # the same amount is still a double submit


def test_the_ledger_itself_enforces_the_rules(tmp_path: Path) -> None:
    home = open_home(_home(tmp_path))
    typed = {"overpay_confirmed": False, "again": False}  # what a surface where a person types passes
    with pytest.raises(PaymentRefused):
        home.ledger.record_payment("1-1-101", 6735000, method="cash", collector="刘强", **typed)
    with pytest.raises(PaymentNeedsConfirmation, match="预存"):
        home.ledger.record_payment("1-1-101", 70000, method="cash", collector="刘强", **typed)
    home.ledger.record_payment("1-1-101", 100, method="cash", collector="刘强", **typed)
    with pytest.raises(PaymentNeedsConfirmation, match="already taken"):
        home.ledger.record_payment("1-1-101", 100, method="cash", collector="刘强", **typed)
    # Above the absolute bound nobody may record a payment, whatever the caller.
    with pytest.raises(PaymentRefused, match="max_payment_yuan"):
        home.ledger.record_payment("1-1-101", 20_000_001, method="cash", collector="刘强")
    home.close()


@pytest.mark.parametrize("bad", ["0", "0.5", "101"])
def test_bad_payment_settings_are_refused_naming_the_field(tmp_path: Path, bad: str) -> None:
    from knock.settings import SettingsError, load_settings

    (tmp_path / "s.toml").write_text(f"[payments]\noverpay_max_multiple = \"{bad}\"\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="payments.overpay_max_multiple"):
        load_settings(tmp_path / "s.toml")
