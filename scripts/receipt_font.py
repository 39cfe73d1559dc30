"""Build the receipt face: Noto Sans CJK SC Regular trimmed to what a receipt can print.

WeasyPrint subsets the font of every PDF it writes, and the time that takes grows with the
SOURCE face: the system's Noto Sans CJK SC is a 19 MB collection of ten faces with 65,535
glyphs, and its PDF subsets keep a slot for every glyph id up to the highest one used (CJK
punctuation sits near the end). That was ~25 ms of a ~60 ms receipt. This face has the same
design and metrics, cut down to GB 2312 (both levels: 6,763 hanzi and its symbols), ASCII,
Latin-1, general and CJK punctuation, full-width forms and every character of Knock's
templates and vocabulary (~7,800 glyphs, 1.9 MB), in an order that puts what every receipt prints
first (see ``priority``). Receipts list it first in font-family and
the full system CJK font after it, so a rare character in a name (a 生僻字) still prints.

It is a Modified Version under the SIL Open Font License 1.1, so it carries a new name
("Knock Receipt Sans CJK SC": "Noto" is Google's trademark) and ships with the licence and
the original copyright notice (OFL.txt beside it). Rebuild it after adding printed words with
characters outside GB 2312 (tests/documents/test_receipt_font.py says when):

    .venv/bin/python scripts/receipt_font.py
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTCollection, TTFont
from fontTools.ttLib.reorderGlyphs import reorderGlyphs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from knock.core import daxie  # noqa: E402
from knock.sample import names  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "knock" / "templates" / "documents" / "fonts"
FAMILY = "Knock Receipt Sans CJK SC"
POSTSCRIPT = "KnockReceiptSansCJKSC-Regular"
FILE_NAME = POSTSCRIPT + ".otf"
SOURCE_FAMILY = "Noto Sans CJK SC"

TEXT_SUFFIXES = (".html", ".toml", ".yaml", ".css")
"""Package data whose characters the face must hold (printed words, labels, playbook)."""

BLOCKS = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 (¥, ·, ×, accented names)
    (0x2000, 0x206F),  # general punctuation (–, —, ‘’, “”, …, ‰)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〇《》「」【】〔〕)
    (0xFF00, 0xFFEF),  # full-width and half-width forms (（）：，￥＿)
)

LAYOUT_FEATURES = ("ccmp", "kern", "liga", "clig", "calt", "rlig", "mark", "mkmk")
"""The horizontal shaping Pango applies. Not ``locl`` (it would pull in the JP/KR/TC/HK glyph
variants: a zh-CN or English receipt never asks for them) nor the vertical features."""


def gb2312() -> set[int]:
    """Every character GB 2312 encodes: symbols (rows 1-9) and both levels of hanzi (rows 16-87)."""
    found: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def gb2312_levels() -> tuple[list[str], list[str]]:
    """The hanzi of GB 2312 in its own order: level 1 (3,755 common ones, by pinyin), level 2 (3,008, by radical)."""
    levels: tuple[list[str], list[str]] = ([], [])
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            levels[0 if high < 0xD8 else 1].append(char)
    return levels


def printed_words(root: Path = ROOT) -> str:
    """The words of receipts and their labels, in the order they appear."""
    documents = root / "knock" / "templates" / "documents"
    files = (documents / "strings.toml", root / "knock" / "templates" / "vocabulary.yaml", documents / "receipt.html")
    return "".join(path.read_text("utf-8") for path in files)


def template_characters(root: Path = ROOT) -> set[int]:
    """The printable characters of Knock's templates, strings and vocabulary."""
    found: set[int] = set()
    for path in sorted((root / "knock" / "templates").rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            found |= {ord(char) for char in path.read_text("utf-8") if ord(char) >= 0x20 and char != "\x7f"}
    return found


def characters(root: Path = ROOT) -> set[int]:
    """Everything the receipt face holds."""
    chars = gb2312() | template_characters(root)
    for first, last in BLOCKS:
        chars |= set(range(first, last + 1))
    return chars


def source_face() -> tuple[Path, int]:
    """The system's Noto Sans CJK SC Regular: file and face index in its collection."""
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\n", f"{SOURCE_FAMILY}:style=Regular"], capture_output=True, text=True, check=True
    ).stdout.strip()
    path = Path(out)
    if not path.is_file():
        raise SystemExit(f"{SOURCE_FAMILY} Regular not found (fc-match said {out!r}); run scripts/setup")
    if path.suffix.lower() in (".ttc", ".otc"):
        for index, face in enumerate(TTCollection(str(path), lazy=True).fonts):
            if face["name"].getDebugName(1) == SOURCE_FAMILY:
                return path, index
        raise SystemExit(f"no {SOURCE_FAMILY} face in {path}")
    return path, 0


def priority() -> str:
    """Characters in the order their glyphs should take: what every receipt prints first, then names.

    WeasyPrint's subset keeps a slot for every glyph id up to the highest one a document uses, and
    its cost (and the PDF's size) grows with that id; so ASCII and Knock's own words come first,
    then common surnames and name characters, then the rest of GB 2312 level 1, then level 2.
    """
    surnames = "".join(surname for surname, _ in sorted(names.SURNAME_WEIGHTS, key=lambda pair: -pair[1]))
    given = "".join(names.GIVEN_ANY + names.GIVEN_MALE + names.GIVEN_FEMALE)
    level1, level2 = gb2312_levels()
    ascii_ = "".join(chr(code) for code in range(0x20, 0x7F))
    # Printed by code rather than templates: capital amounts (render.daxie_html) and period ranges (render.format_period).
    from_code = daxie.DIGITS + "拾佰仟万亿元圆角分整" + "–—至年月日"
    return ascii_ + printed_words() + from_code + surnames + given + "".join(level1) + "".join(level2)


def _glyph_order(font: TTFont) -> list[str]:
    """The face's glyphs with :func:`priority` first; glyphs no character maps to (ligatures) right after ASCII."""
    cmap = font.getBestCmap()
    old = font.getGlyphOrder()
    order: list[str] = [old[0]]  # .notdef stays glyph 0
    seen = set(order)

    def take(glyph: str) -> None:
        if glyph not in seen:
            seen.add(glyph)
            order.append(glyph)

    chars = priority()
    for char in chars[:95]:
        take(cmap[ord(char)])
    mapped = set(cmap.values())
    for glyph in old:
        if glyph not in mapped:
            take(glyph)
    for char in chars[95:]:
        if ord(char) in cmap:
            take(cmap[ord(char)])
    for glyph in old:
        take(glyph)
    return order


def _reorder(font: TTFont) -> TTFont:
    """``font`` with its glyphs in :func:`_glyph_order`, every outline, advance and private dict checked unchanged."""
    before = _reloaded(font)
    order = _glyph_order(before)
    after = _reloaded(before)
    top = after["CFF "].cff.topDictIndex[0]
    fd_of = dict(zip(after.getGlyphOrder(), top.FDSelect.gidArray))
    for glyph in after.getGlyphOrder():
        top.CharStrings[glyph].decompile()  # each charstring takes its private dict (and local subrs) while FDSelect is the old one
    reorderGlyphs(after, order)
    # reorderGlyphs moves the charstrings and layout tables; a CID-keyed face also needs its FDSelect (which
    # private dict, with its hints and nominal width, each glyph id uses) moved along.
    top.FDSelect.gidArray = [fd_of[glyph] for glyph in order]
    top.FDSelect.format = None
    after = _reloaded(after)
    _check_same_glyphs(before, after)
    return after


def _reloaded(font: TTFont) -> TTFont:
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    return TTFont(buffer, recalcTimestamp=False)


def _check_same_glyphs(before: TTFont, after: TTFont) -> None:
    """Every character draws the same outline with the same advance and private dict in both faces."""
    if before.getBestCmap() != after.getBestCmap():
        raise SystemExit("reordering changed the character map")
    fds = []
    for font in (before, after):
        top = font["CFF "].cff.topDictIndex[0]
        fds.append({glyph: top.FDSelect.gidArray[gid] for gid, glyph in enumerate(font.getGlyphOrder())})
    sets = (before.getGlyphSet(), after.getGlyphSet())
    for glyph in before.getGlyphOrder():
        pens = (RecordingPen(), RecordingPen())
        for glyph_set, pen in zip(sets, pens):
            glyph_set[glyph].draw(pen)
        if pens[0].value != pens[1].value or before["hmtx"][glyph] != after["hmtx"][glyph] or fds[0][glyph] != fds[1][glyph]:
            raise SystemExit(f"reordering changed glyph {glyph}")


def _rename(font: TTFont, source_version: str) -> None:
    """A new name (OFL: a Modified Version takes its own); copyright, licence and credits kept."""
    name = font["name"]
    keep = {0, 7, 8, 9, 10, 11, 12, 13, 14}
    name.names = [record for record in name.names if record.nameID in keep]
    for name_id, text in (
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{POSTSCRIPT};subset of {SOURCE_FAMILY} {source_version} for Knock receipts"),
        (4, FAMILY),
        (5, f"{source_version}; trimmed for Knock receipts (scripts/receipt_font.py)"),
        (6, POSTSCRIPT),
    ):
        name.setName(text, name_id, 3, 1, 0x409)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    top.FullName = FAMILY
    top.FamilyName = FAMILY


def build(out: Path) -> TTFont:
    """Write the face to ``out`` (same input, same bytes: no timestamps are touched)."""
    path, index = source_face()
    font = TTFont(str(path), fontNumber=index, recalcTimestamp=False)
    source_version = font["name"].getDebugName(5) or "?"
    source_version = source_version.split(";")[0].replace("Version ", "")
    options = subset.Options()
    options.layout_features = list(LAYOUT_FEATURES)
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["BASE", "VORG", "vhea", "vmtx"]  # receipts are set horizontally
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(characters()))
    subsetter.subset(font)
    font = _reorder(font)
    _rename(font, source_version)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return font


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR / FILE_NAME, help="where to write the .otf")
    args = parser.parse_args()
    font = build(args.out)
    print(f"{args.out}: {len(font.getBestCmap())} characters, {font['maxp'].numGlyphs} glyphs, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    sys.exit(main())
