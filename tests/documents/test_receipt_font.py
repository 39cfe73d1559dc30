"""The receipt face (knock/templates/documents/fonts/): what it holds, its licence, and the fallback behind it.

Receipts print in a trimmed copy of Noto Sans CJK SC (scripts/receipt_font.py builds it) because
WeasyPrint's per-PDF font subset costs with the size of the source face. It must hold every word
Knock itself prints and every character of GB 2312; anything else (a rare character in a name)
must still print, from the full system font listed after it.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from knock.documents import samples
from knock.documents.render import LOCALES, SIZES, render_receipt
from knock.documents.views import ReceiptView
from knock.paths import templates_dir
from knock.vocabulary import label

from .readback import flat, read_back

ROOT = Path(__file__).resolve().parents[2]
FONTS = templates_dir() / "documents" / "fonts"
FACE = FONTS / "KnockReceiptSansCJKSC-Regular.otf"
FAMILY = "Knock Receipt Sans CJK SC"

RARE_NAME = "张喆堃𠮷"
"""An owner's name with characters outside GB 2312 (喆 U+5586, 堃 U+5803, and 𠮷 U+20BB7 beyond the BMP)."""
RARE = "喆堃𠮷"


@lru_cache(maxsize=1)
def _cmap() -> frozenset[int]:
    return frozenset(TTFont(str(FACE), lazy=True).getBestCmap())


def _gb2312() -> set[str]:
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def test_the_face_holds_all_of_gb2312_and_ascii() -> None:
    cmap = _cmap()
    gb = _gb2312()
    assert len(gb) > 7400  # 6,763 hanzi and the symbol rows
    missing = sorted(char for char in gb if ord(char) not in cmap)
    assert not missing, f"GB 2312 characters missing from the receipt face: {''.join(missing[:40])}"
    assert all(code in cmap for code in range(0x20, 0x7F))
    assert all(ord(char) in cmap for char in "¥￥（）：，。、“”‘’—–…·×＿〇《》【】")


def test_the_face_holds_every_word_knock_prints() -> None:
    """A new printed word with a character outside the face fails here: rebuild it (scripts/receipt_font.py)."""
    cmap = _cmap()
    documents = templates_dir() / "documents"
    texts = [(documents / "strings.toml").read_text("utf-8"), (templates_dir() / "vocabulary.yaml").read_text("utf-8")]
    texts += [(documents / name).read_text("utf-8") for name in ("receipt.html", "receipt.css")]
    missing = sorted({char for text in texts for char in text if char.isprintable() and ord(char) >= 0x20 and ord(char) not in cmap})
    assert not missing, f"printed characters missing from the receipt face (rerun scripts/receipt_font.py): {''.join(missing)}"


def test_the_face_has_its_own_name_and_ships_with_its_licence() -> None:
    """SIL OFL 1.1: a Modified Version takes a new name and carries the copyright notice and the licence."""
    font = TTFont(str(FACE), lazy=True)
    names = font["name"]
    assert names.getDebugName(1) == FAMILY
    assert "Noto" not in (names.getDebugName(6) or "")
    assert "Adobe" in (names.getDebugName(0) or "")
    assert "Open Font License" in (names.getDebugName(13) or "")
    licence = (FONTS / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    assert not any(ord(char) in _cmap() for char in RARE)  # the fallback test below needs characters it lacks


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_receipts_print_in_the_receipt_face(device_key, size: str, locale: str) -> None:
    doc = read_back(render_receipt(samples.sample_receipt(device_key), size, locale))  # type: ignore[arg-type]
    fonts = doc.fonts_of_text()
    assert len(fonts) == 1 and fonts.pop().endswith("Knock-Receipt-Sans-CJK-SC"), doc.fonts_of_text()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES)
def test_a_rare_name_character_prints_from_the_system_font(device_key, size: str, locale: str) -> None:
    view: ReceiptView = dataclasses.replace(samples.sample_receipt(device_key), owner_name=RARE_NAME, payer=RARE_NAME)
    doc = read_back(render_receipt(view, size, locale))  # type: ignore[arg-type]
    text = doc.flat_text()
    assert flat(RARE_NAME) in text, f"{RARE_NAME} does not read back from the {size} {locale} receipt"
    rare_fonts = doc.fonts_of_chars(RARE)
    assert rare_fonts and all("Knock" not in name and "CJK" in name for name in rare_fonts), rare_fonts
    common = doc.fonts_of_chars("张" + label("payment_methods", view.method, locale) + "0123456789")  # type: ignore[arg-type]
    assert common and all(name.endswith("Knock-Receipt-Sans-CJK-SC") for name in common), common



def test_what_every_receipt_prints_has_the_lowest_glyph_ids() -> None:
    """WeasyPrint's subset keeps a slot for every glyph id up to the highest one used: the face puts ASCII,
    Knock's printed words and the capital-amount characters first (scripts/receipt_font.py, ``priority``)."""
    font = TTFont(str(FACE), lazy=True)
    gid = {glyph: index for index, glyph in enumerate(font.getGlyphOrder())}
    cmap = font.getBestCmap()
    documents = templates_dir() / "documents"
    words = (documents / "strings.toml").read_text("utf-8") + (documents / "receipt.html").read_text("utf-8")
    every_receipt = {char for char in words if ord(char) in cmap} | set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整–至年月日")
    highest = max(gid[cmap[ord(char)]] for char in every_receipt)
    assert highest < 1000, f"printed characters reach glyph id {highest} of {len(gid)}: rebuild with scripts/receipt_font.py"


def test_printing_a_receipt_leaves_no_font_copy_behind(tmp_path) -> None:
    """The face is handed to fontconfig where it lies. ``@font-face`` would copy it into a temporary folder
    that WeasyPrint removes only when the cached configuration is collected, which a process that ends
    abruptly (a pytest worker, a killed app) never does: 1.9 MB left in /tmp each time."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = (
        "import sys; from pathlib import Path\n"
        "from knock.core.signing import load_or_create_device_key\n"
        "from knock.documents import samples\n"
        "from knock.documents.render import render_receipt\n"
        "from tests.documents.readback import read_back\n"
        "key = load_or_create_device_key(Path(sys.argv[1]) / 'device.key')\n"
        "fonts = read_back(render_receipt(samples.sample_receipt(key), '80mm', 'zh')).fonts_of_text()\n"
        "import tempfile; print(*fonts, *Path(tempfile.gettempdir()).iterdir())\n"
    )
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [done.stdout.split()[0]] and done.stdout.strip().endswith("Knock-Receipt-Sans-CJK-SC"), done.stdout
    assert list(scratch.iterdir()) == []
