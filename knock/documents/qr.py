"""QR code images for documents: error correction M or better, a 4-module quiet zone.

Every code uses one fixed mask pattern instead of trying all eight and scoring
them, which in pure Python is most of the cost of making a code (about 8 ms of a
receipt's render, against under 2 ms with the mask given). Any of the eight
masks is valid QR and every reader decodes it; the scoring only steers away from
patterns that might confuse a camera. Mask 2 (a dark stripe every third column)
is the one the scoring picks most often for Knock's payloads (receipt
verification texts, EMVCo payment texts) and scores best on average among them.
"""

from __future__ import annotations

import base64
import io
import math
from functools import lru_cache

import qrcode
import qrcode.constants
from PIL import Image

_LEVELS = {
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

MASK_PATTERN = 2
"""The mask every code is drawn with (see the module doc)."""

PRINT_DPI = 300
"""Finest printer resolution documents are made for: a code image has at least one pixel per dot."""

MIN_PRINT_MM = 20.0
"""No code is printed smaller than this (the symbol itself, quiet zone excluded)."""


def _make(payload: str, error_correction: str, border: int) -> qrcode.QRCode:
    if error_correction not in _LEVELS:
        raise ValueError(f"error correction must be M, Q or H (L is too weak for paper), got {error_correction!r}")
    if border < 4:
        raise ValueError("a QR code needs a quiet zone of at least 4 modules")
    code = qrcode.QRCode(error_correction=_LEVELS[error_correction], box_size=1, border=border, mask_pattern=MASK_PATTERN)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code


def _png(code: qrcode.QRCode, box_size: int, *, compress_level: int = 6) -> bytes:
    """Black-on-white 8-bit grey PNG, ``box_size`` pixels per module.

    Drawn from the module matrix in one go rather than square by square, and grey rather than
    1-bit: WeasyPrint converts 1-bit images to RGB and encodes them twice more; grey PNGs it embeds as they are.
    """
    matrix = code.get_matrix()
    side = len(matrix)
    image = Image.frombytes("L", (side, side), bytes(0 if dark else 255 for row in matrix for dark in row))
    if box_size != 1:
        image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def qr_png(payload: str, *, box_size: int = 4, border: int = 4, error_correction: str = "M") -> bytes:
    """The QR code as a black-on-white PNG, ``box_size`` pixels per module."""
    return _png(_make(payload, error_correction, border), box_size)


def qr_modules(payload: str, *, border: int = 4, error_correction: str = "M") -> int:
    """Width of the code in modules, quiet zone included."""
    code = _make(payload, error_correction, border)
    return code.modules_count + 2 * border


def qr_data_uri(payload: str, *, border: int = 4, error_correction: str = "M") -> str:
    """A ``data:image/png`` URI of the code (enough pixels per module for a 300 dpi printer), for HTML."""
    return qr_for_print(payload, border=border, error_correction=error_correction)[0]


@lru_cache(maxsize=64)
def qr_for_print(
    payload: str, *, symbol_mm: float = MIN_PRINT_MM, border: int = 4, error_correction: str = "M"
) -> tuple[str, float]:
    """``(data URI, image width in mm)`` for a code whose symbol is ``symbol_mm`` wide (at least 2 cm).

    Kept for the last 64 payloads: a receipt previewed and then printed, or reprinted, is encoded once.
    The image has whole pixels per module and at least one pixel per printer dot at
    :data:`PRINT_DPI`, so no printer or viewer scales it up (scaling up smooths the edges of
    the modules); the documents' CSS also draws it ``pixelated`` (``/Interpolate false``).
    """
    code = _make(payload, error_correction, border)
    total = code.modules_count + 2 * border
    width = round(max(symbol_mm, MIN_PRINT_MM) * total / code.modules_count, 2)
    # Fastest deflate: WeasyPrint decodes this PNG and deflates its pixels again for the PDF, so
    # squeezing it harder only shrinks a string that never leaves the process (~0.6 ms a code).
    png = _png(code, math.ceil(width / 25.4 * PRINT_DPI / total), compress_level=1)
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return uri, width


def qr_print_width_mm(payload: str, *, symbol_mm: float = MIN_PRINT_MM, border: int = 4, error_correction: str = "M") -> float:
    """Image width (quiet zone included) that makes the symbol itself ``symbol_mm`` wide."""
    symbol_mm = max(symbol_mm, MIN_PRINT_MM)
    total = qr_modules(payload, border=border, error_correction=error_correction)
    return round(symbol_mm * total / (total - 2 * border), 2)
