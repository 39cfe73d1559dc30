"""``knock remind sms`` and ``confirm`` from the command line, and nasty input ending in a clear message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import Home
from tests.reminders.conftest import AddHousehold


@pytest.fixture(autouse=True)
def on_the_test_clock(monkeypatch: pytest.MonkeyPatch, clock: object) -> Iterator[None]:
    """The commands open their home on the test's clock (Monday 2026-11-23 19:30), not the wall clock."""
    import knock.cli.remind_cmds as remind_cmds
    from knock.home import open_home

    opened: list[Home] = []

    def open_at(home_dir: str | None) -> Home:
        opened.append(open_home(home_dir, clock=clock))  # type: ignore[arg-type]
        return opened[-1]

    monkeypatch.setattr(remind_cmds, "open_cli_home", open_at)
    yield
    for home in opened:
        home.close()


@pytest.fixture
def office_home(office: Home, add_household: AddHousehold) -> str:
    add_household("8-1-101", "王芳")
    add_household("8-1-102", "李强", gender="m")
    office.ledger.open_complaint("8-1-102", category="repair", text="水管漏水", author="张建军")
    return str(office.path)


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_batch_to_file_then_confirm_twice(office_home: str, office: Home, tmp_path: Path) -> None:
    out = tmp_path / "今日短信.csv"
    made = _run("remind", "sms", "--date", "2026-11-24", "--kind", "overdue", "-o", str(out), "--home", office_home)
    assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
    text = made.output  # type: ignore[attr-defined]
    assert "8-1-101" in text and "有未处理的相关投诉" in text and "remind confirm" in text
    as_json = json.loads(_run("remind", "sms", "--date", "2026-11-24", "--kind", "overdue", "--json", "--home", office_home).output)  # type: ignore[attr-defined]
    assert [m["room"] for m in as_json["messages"]] == ["8-1-101"]
    assert as_json["left_out"][0]["reason"] == "open_complaint" and as_json["cost"]["segments"] >= 1
    cleared = json.loads(_run("remind", "sms", "--date", "2026-11-24", "--kind", "overdue", "--allow-complaint", "8-1-102", "--json", "--home", office_home).output)  # type: ignore[attr-defined]
    assert [m["room"] for m in cleared["messages"]] == ["8-1-101", "8-1-102"]
    first = _run("remind", "confirm", str(out), "--by", "王晓芳", "--home", office_home)
    assert first.exit_code == 0 and "1 recorded as sent, 0 already" in first.output  # type: ignore[attr-defined]
    second = _run("remind", "confirm", str(out), "--by", "王晓芳", "--json", "--home", office_home)
    assert json.loads(second.output) == {"recorded": [], "already": ["8-1-101"], "not_in_file": []}  # type: ignore[attr-defined]
    assert office.store.scalar("SELECT COUNT(*) FROM contacts WHERE channel = 'sms'") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["remind", "sms", "--date", "2026-02-30"], "not a date"),
        (["remind", "sms", "--date", "9" * 40], "not a date"),
        (["remind", "sms", "--date", "2020-01-01"], "has passed"),
        (["remind", "sms", "--kind", "threat"], "Invalid value for '--kind'"),
        (["remind", "sms", "-o", "batch.txt"], ".csv or .xlsx"),
        (["remind", "sms", "--allow-complaint", "8-1-1\x00\x1b[2J"], "no household in room '8-1-1\\x00\\x1b[2J'"),
        (["remind", "confirm", "nowhere.csv", "--by", "王晓芳"], "no manifest"),
        (["remind", "confirm", "x.csv", "--by", "nobody"], "no manifest"),
        (["remind", "calls", "--date", "2026-13-01"], "not a date"),
    ],
)
def test_nasty_input_gets_a_clear_message(office_home: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run(*args, "--home", office_home)
    assert result.exit_code in (1, 2)  # type: ignore[attr-defined]
    assert message in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_a_bad_settings_file_is_named(office_home: str) -> None:
    Path(office_home, "settings.toml").write_text('[reminders]\nrepeat_days = -1\n[sms_gateway]\nmethod = "TELNET"\n', encoding="utf-8")
    result = _run("remind", "sms", "--home", office_home)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "reminders.repeat_days" in result.output and "sms_gateway.method" in result.output  # type: ignore[attr-defined]
