"""QR code images for documents: error correction M or better, a 4-module quiet zone."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage

_LEVELS = {
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

MIN_PRINT_MM = 20.0
"""No code is printed smaller than this (the symbol itself, quiet zone excluded)."""


def _make(payload: str, error_correction: str, border: int) -> qrcode.QRCode:
    if error_correction not in _LEVELS:
        raise ValueError(f"error correction must be M, Q or H (L is too weak for paper), got {error_correction!r}")
    if border < 4:
        raise ValueError("a QR code needs a quiet zone of at least 4 modules")
    code = qrcode.QRCode(error_correction=_LEVELS[error_correction], box_size=1, border=border)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code


def qr_png(payload: str, *, box_size: int = 4, border: int = 4, error_correction: str = "M") -> bytes:
    """The QR code as a black-on-white PNG, ``box_size`` pixels per module."""
    code = _make(payload, error_correction, border)
    code.box_size = box_size
    image = code.make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def qr_modules(payload: str, *, border: int = 4, error_correction: str = "M") -> int:
    """Width of the code in modules, quiet zone included."""
    code = _make(payload, error_correction, border)
    return code.modules_count + 2 * border


def qr_data_uri(payload: str, *, border: int = 4, error_correction: str = "M") -> str:
    """A ``data:image/png`` URI of the code (8 pixels per module), for HTML."""
    return qr_for_print(payload, border=border, error_correction=error_correction)[0]


def qr_for_print(
    payload: str, *, symbol_mm: float = MIN_PRINT_MM, border: int = 4, error_correction: str = "M"
) -> tuple[str, float]:
    """``(data URI, image width in mm)`` for a code whose symbol is ``symbol_mm`` wide (at least 2 cm).

    The code is built once (choosing the mask is the slow part of QR encoding).
    """
    code = _make(payload, error_correction, border)
    # Several pixels per module, so viewers and printers that smooth images still print sharp edges.
    code.box_size = 8
    image = code.make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    total = code.modules_count + 2 * border
    width = round(max(symbol_mm, MIN_PRINT_MM) * total / code.modules_count, 2)
    return uri, width


def qr_print_width_mm(payload: str, *, symbol_mm: float = MIN_PRINT_MM, border: int = 4, error_correction: str = "M") -> float:
    """Image width (quiet zone included) that makes the symbol itself ``symbol_mm`` wide."""
    symbol_mm = max(symbol_mm, MIN_PRINT_MM)
    total = qr_modules(payload, border=border, error_correction=error_correction)
    return round(symbol_mm * total / (total - 2 * border), 2)
