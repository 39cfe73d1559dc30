"""Helpers for reading rendered documents back: text, fonts and QR codes."""

from __future__ import annotations

from collections.abc import Callable
import ctypes
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import zxingcpp

DPI = 300
MM_PER_PX = 25.4 / DPI


@dataclass(frozen=True)
class DecodedQR:
    text: str
    width_mm: float


class ReadBack:
    """A rendered PDF opened with pdfium."""

    def __init__(self, pdf: bytes) -> None:
        assert pdf.startswith(b"%PDF-")
        self.pdf = pdfium.PdfDocument(pdf)

    def __len__(self) -> int:
        return len(self.pdf)

    def size_mm(self, page: int = 0) -> tuple[float, float]:
        width, height = self.pdf[page].get_size()
        return width * 25.4 / 72, height * 25.4 / 72

    def text(self, page: int | None = None) -> str:
        pages = range(len(self.pdf)) if page is None else [page]
        return "\n".join(self.pdf[i].get_textpage().get_text_range() for i in pages)

    def flat_text(self, page: int | None = None) -> str:
        """All text with whitespace removed (letter-spaced titles come out as "收 款 收 据")."""
        return flat(self.text(page))

    def text_in(self, page: int, top_mm: float, bottom_mm: float) -> str:
        """Text in a horizontal band measured from the top of the page."""
        pg = self.pdf[page]
        width, height = pg.get_size()
        pt = 72 / 25.4
        return pg.get_textpage().get_text_bounded(left=0, bottom=height - bottom_mm * pt, right=width, top=height - top_mm * pt)

    def fonts_of_cjk_text(self) -> set[str]:
        """Names of the fonts that draw every CJK character in the document."""
        return self._fonts_of(lambda code: 0x4E00 <= code <= 0x9FFF)

    def fonts_of_text(self) -> set[str]:
        """Names of the fonts that draw any character in the document."""
        return self._fonts_of(lambda code: True)

    def fonts_of_chars(self, chars: str) -> set[str]:
        """Names of the fonts that draw any of ``chars`` in the document."""
        return self._fonts_of(lambda code: chr(code) in chars)

    def _fonts_of(self, wanted: Callable[[int], bool]) -> set[str]:
        names: set[str] = set()
        buffer = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        for page in self.pdf:
            textpage = page.get_textpage()
            for index in range(pdfium_c.FPDFText_CountChars(textpage)):
                if wanted(pdfium_c.FPDFText_GetUnicode(textpage, index)) and pdfium_c.FPDFText_GetFontInfo(
                    textpage, index, buffer, 256, ctypes.byref(flags)
                ):
                    names.add(buffer.value.decode("latin-1"))
        return names

    def text_by_render_mode(self, page: int = 0) -> dict[int, list[str]]:
        """The text objects of a page grouped by PDF text rendering mode (0 fill, 2 fill and stroke)."""
        pg = self.pdf[page]
        textpage = pg.get_textpage()
        found: dict[int, list[str]] = {}
        for obj in pg.get_objects():
            if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
                continue
            mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw)
            length = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = (ctypes.c_ushort * length)()
            pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, length)
            found.setdefault(mode, []).append(bytes(buffer).decode("utf-16-le").rstrip("\x00"))
        return found

    def boxes(self, page: int = 0) -> list[tuple[str, tuple[float, float, float, float]]]:
        """Every text run and image drawn on a page with its (left, bottom, right, top) in points ("" for images)."""
        pg = self.pdf[page]
        textpage = pg.get_textpage()
        found = []
        for obj in pg.get_objects():
            if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
                length = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buffer = (ctypes.c_ushort * length)()
                pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, length)
                found.append((bytes(buffer).decode("utf-16-le").rstrip("\x00"), obj.get_bounds()))
            elif obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                found.append(("", obj.get_bounds()))
        return found

    def qr_codes(self, page: int = 0) -> list[DecodedQR]:
        image = self.pdf[page].render(scale=DPI / 72).to_pil()
        found = []
        for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            pos = result.position
            width_px = max(abs(pos.top_right.x - pos.top_left.x), abs(pos.bottom_left.y - pos.top_left.y))
            found.append(DecodedQR(result.text, width_px * MM_PER_PX))
        return found


def flat(text: str) -> str:
    """``text`` without any whitespace."""
    return re.sub(r"\s+", "", text)


def read_back(pdf: bytes) -> ReadBack:
    return ReadBack(pdf)


def save_for_eyes(pdf: bytes, name: str) -> Path | None:
    """Keep a copy under $KNOCK_DOC_PREVIEW (if set) for looking at by hand."""
    import os

    folder = os.environ.get("KNOCK_DOC_PREVIEW")
    if not folder:
        return None
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return path
