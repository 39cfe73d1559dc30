"""A QR code drawn with Unicode half blocks: dark modules on a light ground, with a quiet zone.

One terminal cell is about twice as tall as it is wide, so each cell holds two
modules stacked (``▀`` top, ``▄`` bottom, ``█`` both, space neither) and the
code comes out square. The colours are fixed (black on white) whatever the
terminal's theme: phone scanners expect dark modules on a light ground, and
an inverted code fails on many of them. The quiet zone (4 modules, as ISO/IEC
18004 asks) is drawn in the same white.
"""

from __future__ import annotations

from collections.abc import Sequence

import qrcode
import qrcode.constants
from rich.style import Style
from rich.text import Text

QUIET_ZONE = 4
"""Light modules around the code (ISO/IEC 18004)."""
DARK_ON_LIGHT = Style(color="#000000", bgcolor="#ffffff")
LEVELS = (("M", qrcode.constants.ERROR_CORRECT_M), ("L", qrcode.constants.ERROR_CORRECT_L))
"""Tried in this order: M when it fits the screen, else L (a screen is not torn or smudged like paper)."""
HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
"""(top dark, bottom dark) -> the character that draws them."""


def qr_matrix(payload: str, *, level: str = "M", border: int = QUIET_ZONE) -> list[list[bool]]:
    """The code's modules (True = dark), quiet zone included."""
    code = qrcode.QRCode(error_correction=dict(LEVELS)[level], box_size=1, border=border)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def fitting_matrix(payload: str, max_columns: int, max_rows: int) -> list[list[bool]] | None:
    """The strongest code for ``payload`` that fits ``max_columns`` x ``max_rows`` cells, or None."""
    for level, _constant in LEVELS:
        matrix = qr_matrix(payload, level=level)
        columns, rows = cells_needed(matrix)
        if columns <= max_columns and rows <= max_rows:
            return matrix
    return None


def smallest_size(payload: str) -> tuple[int, int]:
    """(columns, rows) the code needs at its lowest error correction."""
    return cells_needed(qr_matrix(payload, level=LEVELS[-1][0]))


def cells_needed(matrix: Sequence[Sequence[bool]]) -> tuple[int, int]:
    """(columns, rows) of terminal cells the matrix takes as half blocks."""
    return len(matrix[0]), (len(matrix) + 1) // 2


def half_block_lines(matrix: Sequence[Sequence[bool]]) -> list[str]:
    """The matrix as lines of half blocks, two module rows per line (an odd last row gets a light partner)."""
    rows = [list(r) for r in matrix]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    return ["".join(HALF_BLOCKS[(top, bottom)] for top, bottom in zip(rows[y], rows[y + 1])) for y in range(0, len(rows), 2)]


def matrix_from_lines(lines: Sequence[str]) -> list[list[bool]]:
    """Read half-block lines back into module rows (what a test does with the screen's text)."""
    top = {char: pair[0] for pair, char in HALF_BLOCKS.items()}
    bottom = {char: pair[1] for pair, char in HALF_BLOCKS.items()}
    matrix: list[list[bool]] = []
    for line in lines:
        matrix.append([top[c] for c in line])
        matrix.append([bottom[c] for c in line])
    return matrix


def qr_text(matrix: Sequence[Sequence[bool]]) -> Text:
    """The code as rich text, black on white."""
    return Text("\n".join(half_block_lines(matrix)), style=DARK_ON_LIGHT, no_wrap=True, overflow="crop")
