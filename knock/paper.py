"""The paper sizes Knock prints on: a light module, so the settings and the CLI name them without loading WeasyPrint."""

from __future__ import annotations

from typing import Literal

Size = Literal["a5", "a4", "80mm", "58mm"]

SIZES: tuple[Size, ...] = ("a5", "a4", "80mm", "58mm")
"""Receipt sizes: sheets and thermal rolls."""
