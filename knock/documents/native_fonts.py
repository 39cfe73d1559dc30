"""The font libraries WeasyPrint lays out with (fontconfig, Pango's FreeType font map), reached through cffi.

Two things Knock needs are not in WeasyPrint's API: a hook on the font map (synthetic bold, see
synthetic_bold.py) and a font file of its own added where it lies. ``@font-face`` would add a
file too, but WeasyPrint copies it into a temporary folder per font configuration and removes
that folder only when the configuration is garbage-collected, which a process that ends with
the configuration still cached (any Knock command, a pytest worker) never does: 1.9 MB left in
/tmp per process for the receipt face. :func:`add_font_file` hands fontconfig the file itself.

Both use the same libraries WeasyPrint has loaded, by the names it tries first on each
platform. Where they cannot be opened, the handles are None and callers fall back (real bold
faces; the system fonts instead of Knock's own, which look the same and only cost more time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cffi
from weasyprint.text.ffi import ffi as weasy_ffi
from weasyprint.text.fonts import FontConfiguration

ffi = cffi.FFI()
ffi.cdef(
    """
    typedef struct _FcPattern FcPattern;
    typedef struct _FcConfig FcConfig;
    typedef int FcBool;
    typedef unsigned char FcChar8;
    typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId, FcResultOutOfMemory } FcResult;
    FcResult FcPatternGetDouble (const FcPattern *p, const char *object, int id, double *d);
    FcResult FcPatternGetInteger (const FcPattern *p, const char *object, int id, int *i);
    FcBool FcPatternDel (FcPattern *p, const char *object);
    FcBool FcPatternAddDouble (FcPattern *p, const char *object, double d);
    FcBool FcConfigAppFontAddFile (FcConfig *config, const FcChar8 *file);

    typedef void (*PangoFT2SubstituteFunc) (FcPattern *pattern, void *data);
    typedef void (*GDestroyNotify) (void *data);
    void pango_ft2_font_map_set_default_substitute (
        void *fontmap, PangoFT2SubstituteFunc func, void *data, GDestroyNotify notify);
    void pango_ft2_font_map_substitute_changed (void *fontmap);
    FcConfig *pango_fc_font_map_get_config (void *fontmap);
    void pango_fc_font_map_config_changed (void *fontmap);
    """
)


def _dlopen(*names: str) -> Any:
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    return None


fontconfig = _dlopen("libfontconfig.so.1", "libfontconfig-1", "fontconfig", "libfontconfig.1.dylib", "libfontconfig-1.dll")
pangoft2 = _dlopen("libpangoft2-1.0.so.0", "libpangoft2-1.0-0", "pangoft2-1.0", "libpangoft2-1.0.dylib", "libpangoft2-1.0-0.dll")


def font_map(config: FontConfiguration) -> Any:
    """The Pango font map of a WeasyPrint font configuration, as a pointer this module's functions take."""
    return ffi.cast("void *", int(weasy_ffi.cast("uintptr_t", config.font_map)))


def add_font_file(config: FontConfiguration, path: Path) -> bool:
    """Make the font in ``path`` available, by the family name inside it, to documents laid out with ``config``.

    False (and nothing changed) where the libraries or the file cannot be used.
    """
    if fontconfig is None or pangoft2 is None or not path.is_file():
        return False
    fonts = font_map(config)
    fc_config = pangoft2.pango_fc_font_map_get_config(fonts)
    if fc_config == ffi.NULL or not fontconfig.FcConfigAppFontAddFile(fc_config, str(path).encode()):
        return False
    pangoft2.pango_fc_font_map_config_changed(fonts)
    return True
