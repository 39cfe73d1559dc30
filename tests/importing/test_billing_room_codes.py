"""Room codes as billing systems write them: the one room rule reads them, the household keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from knock.core.rooms import RoomError, parse_room
from knock.exporting.payments import collect_payments, render
from knock.home import Home
from knock.importing import import_households

from .conftest import REPO, write_csv


@pytest.mark.parametrize(
    ("written", "code", "floor"),
    [
        ("1栋1单元101", "1-1-101", 1),
        ("3幢2单元1502室", "3-2-1502", 15),
        ("01-02-0301", "1-2-301", 3),  # zero padding is padding: room 301 on floor 3
        ("A座-12-03", "A-1-1203", 12),  # a tower: floor 12, flat 03, never room 3
        ("A座12-03", "A-1-1203", 12),
        ("A座1203", "A-1-1203", 12),
        ("B座-08-11", "B-1-811", 8),
        ("Ａ座－１２－０３", "A-1-1203", 12),
        ("12座-08-11室", "12-1-811", 8),
        ("A-1-1203", "A-1-1203", 12),  # the canonical code reads back as itself
    ],
)
def test_billing_forms_and_what_they_mean(written: str, code: str, floor: int) -> None:
    room = parse_room(written)
    assert (room.code, room.floor) == (code, floor)
    assert parse_room(room.code) == room


@pytest.mark.parametrize("written", ["A-12-03", "A-1-3", "A座-12-1203", "A座", "A座-1-2-3", "A座-12-03\x00", "A座-12-0３\u202e"])
def test_ambiguous_or_broken_tower_codes_are_refused(written: str) -> None:
    with pytest.raises(RoomError) as caught:
        parse_room(written)
    assert repr(written) in str(caught.value)  # the message names the text, control characters escaped


def test_zero_padded_codes_are_kept_for_the_export(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "codes.csv", [
        "房号,业主,收费项目,所属期间,欠费金额",
        "A座-12-03,周建华,物业服务费,2026-03,298.50",
        "01-02-0301,陈国平,物业服务费,2026-03,224.00",
        "3幢2单元1502室,何丽华,物业管理费,2026-03,269.92",
    ])
    report = import_households(home.ledger, path)
    assert report.ok and report.applied
    assert {r[0]: r[1] for r in home.store.query("SELECT room, billing_code FROM households")} == {
        "A-1-1203": "A座-12-03",
        "1-2-301": "01-02-0301",
        "3-2-1502": "3幢2单元1502室",
    }
    from knock.importing import import_staff

    assert import_staff(home.ledger, REPO / "sample_data" / "staff.csv").applied
    for room, fen in (("A-1-1203", 29850), ("01-02-0301", 22400), ("3幢2单元1502室", 26992)):
        home.ledger.record_payment(room, fen, method="cash", collector="张建军")
    data = render(collect_payments(home.ledger), home.settings.billing, "csv").decode("utf-8-sig")
    written = {line.split(",")[0] for line in data.splitlines()[1:]}
    assert written == {"A座-12-03", "01-02-0301", "3幢2单元1502室"}  # exactly as the billing system wrote them


def test_a_lettered_room_that_could_be_floor_and_flat_is_an_error_naming_the_row(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "codes.csv", ["房号,业主", "A座-12-03,周建华", "A-12-03,郑佳"])
    report = import_households(home.ledger, path)
    assert not report.applied
    assert [(e.row, e.column) for e in report.errors] == [(3, "房号")]
    assert "A座-12-03" in report.errors[0].message  # it says how to write it


def test_a_tower_in_the_building_column(home: Home, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "codes.csv", ["楼栋,单元,房号,业主", "A座,,1203,周建华", "3栋,2单元,0501,周婷"])
    report = import_households(home.ledger, path)
    assert report.ok and report.applied, [str(e) for e in report.errors]
    assert home.ledger.household("A座-12-03").room == "A-1-1203"
    assert home.ledger.household("3-2-501").billing_code == "3栋-2单元-0501"
