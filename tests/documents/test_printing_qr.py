"""Printing or saving, QR image rules and font checks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from knock.documents import fonts, printing
from knock.documents.qr import MIN_PRINT_MM, qr_for_print, qr_modules, qr_png


def _fake_cups(bin_dir: Path, *, lp_status: int = 0) -> None:
    bin_dir.mkdir(exist_ok=True)
    scripts = {
        "lpstat": "#!/bin/sh\necho 'scheduler is running'\n",
        "lp": f"#!/bin/sh\necho \"$@\" > '{bin_dir}/lp-args'\n"
        + ("echo 'request id is Knock-7 (1 file(s))'\nexit 0\n" if lp_status == 0 else "echo 'lp: The printer or class does not exist.' >&2\nexit 1\n"),
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(body)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_saves_and_says_where_without_cups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    outcome = printing.print_or_save(b"%PDF-1.7 test", tmp_path / "out" / "r.pdf")
    assert not outcome.printed
    assert (tmp_path / "out" / "r.pdf").read_bytes() == b"%PDF-1.7 test"
    assert str(tmp_path / "out" / "r.pdf") in outcome.message and "CUPS" in outcome.message


def test_prints_with_lp_when_cups_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_cups(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    outcome = printing.print_or_save(b"%PDF-1.7", tmp_path / "r.pdf", printer="counter58")
    assert outcome.printed and "Knock-7" in outcome.job
    assert (tmp_path / "bin" / "lp-args").read_text().split() == ["-d", "counter58", str(tmp_path / "r.pdf")]
    assert (tmp_path / "r.pdf").exists(), "a printed document is kept too"


def test_printer_error_is_a_message_and_the_file_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_cups(tmp_path / "bin", lp_status=1)
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    outcome = printing.print_or_save(b"%PDF-1.7", tmp_path / "r.pdf")
    assert not outcome.printed and "does not exist" in outcome.message and (tmp_path / "r.pdf").exists()


def test_save_only(tmp_path: Path) -> None:
    outcome = printing.print_or_save(b"%PDF", tmp_path / "x.pdf", send=False)
    assert not outcome.printed and outcome.path.exists()


def test_qr_png_decodes_with_quiet_zone() -> None:
    payload = "KNOCK1|D1-000001|100|3-2-501|2025-01-01T08:00|DABC|sig"
    png = qr_png(payload, box_size=4)
    from io import BytesIO

    image = Image.open(BytesIO(png)).convert("L")
    assert image.size[0] == qr_modules(payload) * 4
    # the 4-module quiet zone is white all round
    for x in range(image.size[0]):
        for y in list(range(16)) + list(range(image.size[1] - 16, image.size[1])):
            assert image.getpixel((x, y)) == 255
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [payload]
    assert zxingcpp.read_barcodes(image)[0].ec_level in ("M", "Q", "H")


@pytest.mark.parametrize(("kwargs", "message"), [({"error_correction": "L"}, "error correction"), ({"border": 2}, "quiet zone")])
def test_qr_refuses_weak_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        qr_png("x", **kwargs)  # type: ignore[arg-type]


def test_qr_never_prints_below_2cm() -> None:
    _, width = qr_for_print("hello", symbol_mm=5)
    modules = qr_modules("hello")
    assert width * (modules - 8) / modules >= MIN_PRINT_MM - 0.01


def test_font_checks() -> None:
    assert fonts.require_cjk_font()
    assert fonts.font_problems() == [] or all(isinstance(p, str) for p in fonts.font_problems())
    assert "fonts-noto-cjk" in fonts.INSTALL_HINT


def test_print_image_has_a_pixel_per_300_dpi_dot_and_decodes() -> None:
    import base64
    from io import BytesIO

    payload = "KNOCK1|D1-000001|100|3-2-501|2025-01-01T08:00|DABC|sig"
    uri, width_mm = qr_for_print(payload, symbol_mm=26)
    image = Image.open(BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")
    assert image.size[0] >= width_mm / 25.4 * 300, "a printer would have to scale the code up (and smooth it)"
    assert image.size[0] % qr_modules(payload) == 0, "whole pixels per module"
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [payload]


@pytest.mark.parametrize("seed", range(3))
def test_fixed_mask_codes_scan_back(seed: int) -> None:
    """Every code uses one mask (no scoring of the eight): varied payloads of every length still decode."""
    import random
    from io import BytesIO

    from knock.documents.qr import MASK_PATTERN

    rng = random.Random(seed)
    for length in (1, 17, 60, 156, 300):
        payload = "".join(rng.choice("KNOCK|0123456789-ABCDEFabcdef收款房号") for _ in range(length))
        image = Image.open(BytesIO(qr_png(payload, box_size=3))).convert("L")
        results = zxingcpp.read_barcodes(image)
        assert [r.text for r in results] == [payload]
    assert 0 <= MASK_PATTERN <= 7
