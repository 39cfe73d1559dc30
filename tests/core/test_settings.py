"""The settings file: what it accepts, and how it says what is wrong.

Field-by-field rules are tested where they matter (PIN lockout, payment
limits, the billing mapping, the SMS gateway); these tests hold the loader
itself: the README's example loads, times read either way, every bad section
is named at once, and nothing bad is silently ignored.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest

from knock.settings import ClockTime, Contact, Payments, Settings, SettingsError, Window, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "missing.toml") == Settings() == load_settings(None)
    assert Settings().contact.quiet_start == time(22, 0) and Settings().payments.overpay_max_multiple == Decimal("3")


def test_the_readme_example_loads(tmp_path: Path) -> None:
    block = re.search(r"## Settings.*?```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None
    settings = load_settings(_write(tmp_path, block[1]))
    assert settings.contact.quiet_start == time(22, 0) and settings.contact.quiet_end == time(8, 0)
    assert settings.fees.property_fee_per_m2_month == Decimal("2.50") and settings.billing.columns == {"本期欠缴额": "outstanding"}


def test_times_of_day_read_as_toml_times_or_text(tmp_path: Path) -> None:
    text = '[contact]\nquiet_start = 21:30:00\nquiet_end = "07:45"\nvisit_windows = [{weekdays = [5, 6], start = "10:00", end = 12:00:00}]\n'
    contact = load_settings(_write(tmp_path, text)).contact
    assert (contact.quiet_start, contact.quiet_end) == (time(21, 30), time(7, 45))
    assert contact.visit_windows == [Window(weekdays=[5, 6], start=time(10, 0), end=time(12, 0))]
    assert isinstance(Window(start="09:00", end=time(20, 0)).start, ClockTime)  # code may build sections the same two ways


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[contact]\nquiet_start = "7pm"\n', "contact.quiet_start"),
        ('[contact]\nquiet_start = "22:00+08:00"\n', "contact.quiet_start"),
        ("[contact]\nvisit_windows = [{weekdays = [7], start = 10:00:00, end = 11:00:00}]\n", "contact.visit_windows[0].weekdays[0]"),
        ("[contact]\nvisit_windows = [{start = 10:00:00}]\n", "contact.visit_windows[0]"),
        ('[payments]\nmax_payment_yuan = "0"\n', "payments.max_payment_yuan"),
        ('[payments]\nmax_payment_yuan = "lots"\n', "payments.max_payment_yuan"),
        ("[penalty]\ndaily_rate_per_mille = -1\n", "penalty.daily_rate_per_mille"),
        ('[company]\nnmae = "typo"\n', "nmae"),
        ('[compnay]\nname = "typo"\n', "compnay"),
        ("company = 5\n", "company"),
        ('[reminders]\nholidays = [{on = "Jan 1", name = "x"}]\n', "reminders.holidays[0].on"),
        ('[billing]\nexport_columns = [{header = "金额", field = "amont"}]\n', "billing.export_columns[0].field"),
        ("[billing]\nexport_columns = []\n", "billing.export_columns"),
        ('[sms_gateway]\ntimeout_seconds = "soon"\n', "sms_gateway.timeout_seconds"),
    ],
)
def test_a_bad_value_is_refused_naming_the_file_and_the_field(tmp_path: Path, text: str, named: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and named in message and "\n" not in message, message


def test_a_mapping_is_checked_like_a_file() -> None:
    assert Settings.model_validate({"ui": {"locale": "en"}, "company": None}) == Settings(ui=Settings().ui.model_copy(update={"locale": "en"}))
    with pytest.raises(SettingsError, match=r"^escalation\.limitation_years: Expected `int`"):
        Settings.model_validate({"escalation": {"limitation_years": "three"}})


def test_every_bad_section_is_named_at_once(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(_write(tmp_path, "[security]\npin_max_tries = 99\n[ui]\nlocale = \"fr\"\n[sync]\nmax_body_mb = 0\n"))
    assert all(field in str(raised.value) for field in ("security.pin_max_tries", "ui.locale", "sync.max_body_mb"))


@pytest.mark.parametrize("text", ["[ui\n", "\x00", 'x = "\\q"\n'])
def test_a_file_that_is_not_toml_is_one_clear_line(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(path)


def test_a_file_in_another_encoding_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes('[company]\nname = "安居物业"\n'.encode("gb18030"))
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(path)


def test_sections_are_frozen_and_copies_are_checked_again() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.ui = None  # type: ignore[misc]
    changed = settings.model_copy(update={"payments": settings.payments.model_copy(update={"overpay_max_multiple": Decimal("5")})})
    assert changed.payments.overpay_max_multiple == 5 and settings.payments.overpay_max_multiple == 3
    with pytest.raises(ValueError, match="overpay_max_multiple"):
        Payments(overpay_max_multiple=Decimal("0.5"))
    with pytest.raises(ValueError, match="not a time of day"):
        Contact(quiet_start="late")  # type: ignore[arg-type]
