from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from knock.cli.main import cli
from knock.home import open_home


def _community(tmp_path: Path) -> Path:
    path = tmp_path / "h"
    home = open_home(path)
    led = home.ledger
    led.register_staff("李明", "guard")
    for room, owner in (("2-1-301", "周强"), ("1-1-101", "吴芳"), ("1-2-502", "郑伟")):
        led.register_household(room, owner, phones=["13800000000"])
        for month in range(5, 10):
            led.add_charge(room, "property_fee", date(2026, month, 1), date(2026, month, 28), date(2026, month, 15), 20000)
    base = led.now() - timedelta(days=30)
    for week in range(3):  # three broken promises: an undecided household
        led.make_promise("1-2-502", due_date=(base + timedelta(days=7 * week + 2)).date(), window="evening", collector="李明", at=base + timedelta(days=7 * week))
    staff_id = led.staff("李明").staff_id
    led.set_assignments(led.today(), {led.household(r).household_id: staff_id for r in ("2-1-301", "1-1-101", "1-2-502")})
    home.close()
    return path


def test_advise_names_the_type_with_reasons_in_both_languages(tmp_path: Path) -> None:
    path = _community(tmp_path)
    zh = json.loads(CliRunner().invoke(cli, ["advise", "1-2-502", "--json", "--home", str(path)]).output)
    no_show = next(t for t in zh["types"] if t["key"] == "agrees_no_show")
    assert zh["owed_fen"] == 100000 and zh["group"] in ("undecided", "hard")
    assert any("答应过3次" in reason for reason in no_show["reasons"])
    en = CliRunner().invoke(cli, ["advise", "1-2-502", "--lang", "en", "--home", str(path)])
    assert en.exit_code == 0 and "promised 3 times" in en.output
    missing = CliRunner().invoke(cli, ["advise", "9-9-999", "--home", str(path)])
    assert missing.exit_code == 1 and "no household in room 9-9-999" in missing.output


def test_plan_puts_ordinary_payers_first_then_by_building_and_floor(tmp_path: Path) -> None:
    path = _community(tmp_path)
    result = CliRunner().invoke(cli, ["plan", "--collector", "李明", "--json", "--home", str(path)])
    assert result.exit_code == 0, result.output
    rooms = [entry["room"] for entry in json.loads(result.output)]
    assert rooms == ["1-1-101", "2-1-301", "1-2-502"]
