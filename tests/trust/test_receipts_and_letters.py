"""Receipts fit the paper real printers print on, read as a proper 收据, and lawyer's letters come from a law firm."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from knock.cli.main import cli
from knock.core.daxie import to_daxie
from knock.core.signing import load_or_create_device_key
from knock.documents import samples
from knock.documents.render import render_receipt
from knock.documents.views import PeriodAmount
from knock.home import Home
from tests.documents.readback import read_back

DPI = 203
PRINTABLE_DOTS = {"58mm": 384, "80mm": 576}
"""What real roll printers print at 203 dpi: 48 mm on 58 mm paper, 72 mm on 80 mm paper."""


def _ink_columns(pdf: bytes, tmp_path: Path) -> tuple[int, int, int]:
    """(first, last, page width) of the dot columns with any ink, as a 203 dpi thermal head would print them."""
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(tmp_path / "r.pdf"), str(tmp_path / "r")], check=True)
    image = Image.open(tmp_path / "r.png").convert("L")
    width, height = image.size
    dark = image.point(lambda v: 255 if v < 160 else 0).getbbox()
    assert dark is not None
    return dark[0], dark[2] - 1, width


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_or_create_device_key(tmp_path_factory.mktemp("k") / "device.key")


@pytest.mark.parametrize("size", ["58mm", "80mm"])
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_roll_receipts_print_inside_the_printable_width(key, tmp_path: Path, size: str, locale: str) -> None:  # type: ignore[no-untyped-def]
    items = tuple(PeriodAmount("物业服务费", date(2026, m, 1), date(2026, m, 28), 1783350) for m in range(1, 7))
    view = samples.sample_receipt(
        key, items=items, total_fen=sum(i.amount_fen for i in items), payer="欧阳娜娜的女儿",
        company_credit_code="91330106MA2B3C4D5E", company_address="杭州市西湖区文三路 100 号", invoice_place="小区物业服务中心",
    )
    first, last, width = _ink_columns(render_receipt(view, size, locale), tmp_path)  # type: ignore[arg-type]
    printable = PRINTABLE_DOTS[size]
    margin = (width - printable) / 2
    assert first >= margin - 1 and last <= width - margin + 1, (first, last, width, printable)


@pytest.mark.parametrize("fen", [10700053, 100560, 12345678900, 100000])
def test_zheng_never_starts_a_line_alone(key, fen: int) -> None:  # type: ignore[no-untyped-def]
    items = (PeriodAmount("物业服务费", date(2026, 1, 1), date(2026, 1, 31), fen),)
    view = samples.sample_receipt(key, items=items, total_fen=fen)
    lines = [line.strip() for line in read_back(render_receipt(view, "58mm", "zh")).text().splitlines()]
    daxie = to_daxie(fen)
    assert not any(line in ("整", "分") for line in lines), lines
    assert daxie.replace("", "") in "".join(lines)


def test_a_receipt_is_a_proper_shouju(key) -> None:  # type: ignore[no-untyped-def]
    view = samples.sample_receipt(
        key, payer="王小明", company_credit_code="91330106MA2B3C4D5E", company_address="杭州市西湖区文三路 100 号", invoice_place="小区物业服务中心"
    )
    for size in ("a5", "80mm", "58mm"):
        text = read_back(render_receipt(view, size, "zh")).flat_text()  # type: ignore[arg-type]
        for expected in ("统一社会信用代码", "91330106MA2B3C4D5E", "地址", "交款人", "王小明", "收款人", "经手人", "不是发票", "小区物业服务中心开具", "盖章处"):
            assert expected in text, (size, expected)
    bare = samples.sample_receipt(key, company_credit_code="", company_address="")
    text = read_back(render_receipt(bare, "58mm", "zh")).flat_text()
    assert "统一社会信用代码" not in text and "地址" not in text and "交款人" in text


@pytest.fixture
def owing(home: Home) -> Home:
    led = home.ledger
    led.register_household("3-2-501", "王建国")
    led.register_staff("张经理", "manager")
    for month in range(1, 7):
        led.add_charge("3-2-501", "property_fee", date(2026, month, 1), date(2026, month, 28), date(2026, month, 15), 24625)
    return home


def test_no_law_firm_no_lawyers_letter_but_a_draft(owing: Home) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, ["letter", "3-2-501", "--kind", "lawyer", "--by", "张经理", "--home", str(owing.path)])
    assert refused.exit_code == 1 and "company.law_firm" in refused.output and "--draft" in refused.output
    assert owing.store.scalar("SELECT COUNT(*) FROM escalations") == 0
    draft = runner.invoke(cli, ["letter", "3-2-501", "--kind", "lawyer", "--draft", "--json", "--home", str(owing.path)])
    assert draft.exit_code == 0, draft.output
    text = read_back(Path(json.loads(draft.output)["path"]).read_bytes()).flat_text()
    company = owing.settings.company.name
    assert f"{company}受{company}委托" not in text and "律师事务所受" in text
    assert "《物业管理条例》第四十一条" in text
    assert text.count("《物业服务合同》") == 1  # the contract clause is cited once


def test_with_a_law_firm_the_letter_is_sent_and_recorded(owing: Home) -> None:
    (owing.path / "settings.toml").write_text('[company]\nlaw_firm = "浙江某某律师事务所"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["letter", "3-2-501", "--kind", "lawyer", "--by", "张经理", "--home", str(owing.path)])
    assert result.exit_code == 0, result.output
    assert owing.store.scalar("SELECT step FROM escalations") == "lawyer_letter"
