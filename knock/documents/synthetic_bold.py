"""Bold drawn from the regular face, so a document embeds one CJK font instead of two.

Every weight of a CJK font is a separate 20 MB file, and WeasyPrint subsets each
face a page uses for every PDF it writes (about 25 ms per face on a CJK font:
most of what a receipt costs). Knock's documents use just two weights, so the
font configuration they are laid out with tells Pango, through its own hook for
"final configuration substitution" on the font map
(``pango_ft2_font_map_set_default_substitute``), to ask fontconfig for the
regular face wherever bold is wanted; and the text of bold boxes is drawn filled
*and* stroked in its own colour, the outline growing by a 24th of the font size
(the amount FreeType's synthetic emboldening adds). Advances are the regular
face's, so a bold run is a little narrower than a real bold one; nothing that
fitted before overflows.

WeasyPrint 70 has no synthetic bold (no ``font-synthesis``, no text stroke in
CSS), so the stroke is added by wrapping the function its drawing code calls for
each text box. :func:`font_configuration` and that wrapper go together: the
wrapper strokes every box whose computed weight is 600 or more, which is right
only while Pango gives such boxes the regular face. The tests read rendered PDFs
back and check both (one CJK font embedded, bold text drawn fill-and-stroke), so
a WeasyPrint or Pango upgrade that moves either hook fails loudly rather than
printing receipts without bold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import weasyprint.draw
from weasyprint.text.fonts import FontConfiguration

from knock.documents.native_fonts import ffi as _ffi
from knock.documents.native_fonts import font_map as _font_map
from knock.documents.native_fonts import fontconfig as _fontconfig
from knock.documents.native_fonts import pangoft2 as _pangoft2

BOLD_FROM = 600
"""Computed ``font-weight`` from which text is drawn emboldened."""

STROKE_EM = 1 / 24
"""Stroke width as a fraction of the font size (half of it grows each side of the outline)."""

_FC_WEIGHT_DEMIBOLD = 180.0
_FC_WEIGHT_REGULAR = 80.0

def _weight(pattern: Any) -> float | None:
    value = _ffi.new("double *")
    if _fontconfig.FcPatternGetDouble(pattern, b"weight", 0, value) == _fontconfig.FcResultMatch:
        return float(value[0])
    number = _ffi.new("int *")
    if _fontconfig.FcPatternGetInteger(pattern, b"weight", 0, number) == _fontconfig.FcResultMatch:
        return float(number[0])
    return None


@_ffi.callback("void(FcPattern *, void *)")
def _regular_for_bold(pattern: Any, _data: Any) -> None:
    """Pango's last say on a font request: ask for the regular face where bold was asked for."""
    weight = _weight(pattern)
    if weight is not None and weight >= _FC_WEIGHT_DEMIBOLD:
        _fontconfig.FcPatternDel(pattern, b"weight")
        _fontconfig.FcPatternAddDouble(pattern, b"weight", _FC_WEIGHT_REGULAR)


def font_configuration() -> FontConfiguration:
    """A WeasyPrint font configuration that picks the regular face for bold text (see the module doc).

    Where the libraries cannot be opened by name, a plain configuration: real bold faces, one more
    font subset per document, the same look.
    """
    config = FontConfiguration()
    if _fontconfig is None or _pangoft2 is None:
        return config
    _install_stroke()
    # Pango's own hook for "final configuration substitution" on the font map WeasyPrint lays out with.
    font_map = _font_map(config)
    _pangoft2.pango_ft2_font_map_set_default_substitute(font_map, _regular_for_bold, _ffi.NULL, _ffi.NULL)
    _pangoft2.pango_ft2_font_map_substitute_changed(font_map)
    return config


def _install_stroke() -> None:
    original: Callable[..., Any] = weasyprint.draw.draw_text
    if getattr(original, "knock_synthetic_bold", False):
        return

    def draw_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        style = textbox.style
        if style["font_weight"] < BOLD_FROM:
            return original(stream, textbox, *args, **kwargs)
        with stream.stacked():
            stream.set_color(style["color"], stroke=True)
            stream.set_line_width(style["font_size"] * STROKE_EM)
            stream.set_line_join(1)  # round: no spikes at the sharp corners of strokes
            stream.set_text_rendering(2)  # fill, then stroke
            return original(stream, textbox, *args, **kwargs)

    draw_text.knock_synthetic_bold = True  # type: ignore[attr-defined]
    weasyprint.draw.draw_text = draw_text  # type: ignore[attr-defined]
