"""Views to PDF bytes with Jinja2 templates and WeasyPrint.

Templates, CSS and the printed words live in ``knock/templates/documents/``. Parsed
stylesheets and the font configuration are kept between calls, so a warm
render only lays out the page. Roll receipts (80 mm, 58 mm) are laid out on a
long page and then cut just below the last line, as a thermal printer would.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from knock.core.daxie import to_daxie
from knock.core.money import format_yuan
from knock.documents.fonts import require_cjk_font
from knock.documents.native_fonts import add_font_file
from knock.documents.qr import qr_for_print
from knock.documents.synthetic_bold import font_configuration
from knock.documents.summary_tables import Money, Table, by_key, summary_tables, words
from knock.core.reports.summary import Summary
from knock.documents.views import LetterView, NoticeView, PeriodAmount, ReceiptView
from knock.paper import SIZES, Size
from knock.paths import templates_dir
from knock.vocabulary import label

Locale = Literal["zh", "en"]

LOCALES: tuple[Locale, ...] = ("zh", "en")

_PAGE_CSS: dict[Size, str] = {
    "a5": "@page { size: A5; margin: 8mm 11mm; }",
    "a4": "@page { size: A4; margin: 16mm 18mm; }",
    # Rolls: long pages cut after layout. The side margins leave exactly the printable width of
    # real roll printers: 58 mm rolls print 48 mm (384 dots at 203 dpi), 80 mm rolls 72 mm.
    "80mm": "@page { size: 80mm 1500mm; margin: 3mm 4mm; }",
    "58mm": "@page { size: 58mm 1500mm; margin: 2mm 5mm; }",
}
_ROLL_BOTTOM_MM = {"80mm": 6.0, "58mm": 5.0}
"""Blank paper left below the last line before the cut."""

_RECEIPT_QR_MM: dict[Size, float] = {"a5": 24, "a4": 26, "80mm": 26, "58mm": 24}
"""Printed width of the verification QR symbol (quiet zone excluded); never below 20 mm."""

@dataclass(frozen=True)
class ReceiptColumns:
    """Label columns of a receipt, in em of its text: key/value lines, the lines below the items, item labels (sheets)."""

    kv: float
    wide: float
    item: float = 0.0
    amount: float = 7.0
    """Room an item row keeps clear at its right for the amount drawn over it (receipt.html widens it for a longer amount)."""

    def css(self) -> str:
        """The rules that put each column's tab stop where its hanging indent ends."""
        rules = [f".kv {{ padding-left: {self.kv}em; text-indent: -{self.kv}em; tab-size: {self.kv}em; }}",
                 f".kv.wide {{ padding-left: {self.wide}em; text-indent: -{self.wide}em; tab-size: {self.wide}em; }}",
                 f".items .row {{ padding-right: {self.amount}em; }}"]
        if self.item:
            rules.append(f".items .row {{ tab-size: {self.item}em; }}")
        return "\n".join(rules)


_RECEIPT_COLUMNS: dict[tuple[Size, Locale], ReceiptColumns] = {
    # Sheets: item labels take 30% of the text width (A5 126 mm at 9 pt, A4 174 mm at 11.5 pt).
    ("a5", "zh"): ReceiptColumns(7.5, 7.5, 12), ("a5", "en"): ReceiptColumns(10.5, 10.5, 12),
    ("a4", "zh"): ReceiptColumns(7.5, 7.5, 13), ("a4", "en"): ReceiptColumns(10.5, 10.5, 13),
    ("80mm", "zh"): ReceiptColumns(7, 8.5), ("80mm", "en"): ReceiptColumns(7, 8.5),
    ("58mm", "zh"): ReceiptColumns(5, 8.5, amount=6), ("58mm", "en"): ReceiptColumns(6.5, 8.5, amount=6),
}

_SHEET_FOOT_MM: dict[Size, dict[str, float]] = {
    "a5": {"seal_mm": 26, "caption_top_mm": 8},
    "a4": {"seal_mm": 30, "caption_top_mm": 8},
}
"""Sheets put the stamp area (a circle ``seal_mm`` wide) at the right of the code and the caption
``caption_top_mm`` below the code's top edge, beside it; receipt.css sizes the circle to match."""

_LATIN_EM: dict[str, float] = {
    char: width
    for chars, width in (
        (" ", 0.23), ("',.:;ij|", 0.28), ("l", 0.29), ("I", 0.30), ("!f", 0.33), ("()[]{}", 0.34), ("-", 0.35),
        ("t", 0.38), ("r", 0.39), ("/\\", 0.40), ("*s", 0.47), ('"?z', 0.48), ("x", 0.50), ("c", 0.52), ("vy", 0.53),
        ("JY", 0.54), ("L", 0.55), ("#$+0123456789<=>F^_ek~", 0.56), ("ag", 0.57), ("VX", 0.58), ("E", 0.59),
        ("ST", 0.60), ("AZ`hnou", 0.61), ("bdpq", 0.62), ("CPR", 0.64), ("K", 0.65), ("B", 0.66), ("&DG", 0.69),
        ("HNU", 0.73), ("OQ", 0.75), ("w", 0.81), ("M", 0.82), ("W", 0.88), ("%m", 0.93), ("@", 0.95),
    )
    for char in chars
}
"""Advance widths of printable ASCII in Noto Sans CJK SC (the font scripts/setup installs), in em, rounded up."""


def text_width_em(text: str) -> float:
    """How wide ``text`` prints in Noto Sans CJK SC, in em of its font size, never less.

    Chinese characters (and other wide ones) are one em; other characters not in the table
    are counted generously. Its only use is to decide whether a label leaves room for a tab
    on its line; in another font a wrong guess only moves a value one tab stop further.
    """
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 1.0
        else:
            width += _LATIN_EM.get(char, 0.75)
    return width


def wider_than(label: str, column_em: float) -> bool:
    """True when ``label`` leaves no room for a tab in a ``column_em`` column (its value then starts the next line)."""
    return text_width_em(label) + 0.1 > column_em


NOTICE_MAX_LINES = 8
"""A door notice lists at most this many periods; earlier ones are summed into one line."""

_PX_PER_MM = 96 / 25.4


def _documents_dir() -> Path:
    return templates_dir() / "documents"


class DocumentError(ValueError):
    """A view that cannot be printed as asked (unknown size or locale)."""


RECEIPT_FACE_FILE = "fonts/KnockReceiptSansCJKSC-Regular.otf"
"""The receipt face, under the documents folder: Noto Sans CJK SC trimmed to what a receipt prints
(scripts/receipt_font.py). receipt.css names its family first, the system CJK fonts after it."""


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    """The one font configuration of every document: synthetic bold, and the receipt face added where it lies
    (WeasyPrint subsets the font of every PDF, at a cost that grows with the source face: 1.9 MB against the
    system's 19 MB collection). Where the face cannot be added, receipts print in the system font, slower."""
    config = font_configuration()
    add_font_file(config, _documents_dir() / RECEIPT_FACE_FILE)
    return config


class _LeanHTML(HTML):
    """An HTML document laid out with a small user-agent sheet of Knock's own (see receipt_ua.css).

    WeasyPrint takes its user-agent sheet from this (private, pinned below 71 in pyproject.toml) method;
    a document whose template uses only the elements that sheet styles can skip the full one.
    """

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_css("receipt_ua.css")]


@lru_cache(maxsize=None)
def _css(name: str) -> CSS:
    path = _documents_dir() / name
    return CSS(filename=str(path), font_config=_font_config())


@lru_cache(maxsize=None)
def _page_css(size: Size) -> CSS:
    return CSS(string=_PAGE_CSS[size], font_config=_font_config())


@lru_cache(maxsize=None)
def _receipt_css(size: Size, locale: Locale) -> CSS:
    """The page and the label columns of one receipt size and locale, parsed once."""
    return CSS(string=_PAGE_CSS[size] + "\n" + _RECEIPT_COLUMNS[size, locale].css(), font_config=_font_config())


@lru_cache(maxsize=1)
def _all_strings() -> dict[str, dict[str, Any]]:
    with open(_documents_dir() / "strings.toml", "rb") as handle:
        return tomllib.load(handle)


def strings(locale: Locale) -> dict[str, Any]:
    """The printed words of one locale."""
    if locale not in LOCALES:
        raise DocumentError(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
    return _all_strings()[locale]


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def format_period(start: date, end: date, locale: Locale) -> str:
    """A billing period: whole months as months, anything else as dates."""
    whole = start.day == 1 and end == _month_end(end)
    if whole:
        if locale == "zh":
            a, b = f"{start.year}年{start.month:02d}月", f"{end.year}年{end.month:02d}月"
            return a if a == b else f"{a}–{b}"
        a, b = start.strftime("%b %Y"), end.strftime("%b %Y")
        return a if a == b else f"{a} – {b}"
    joiner = "至" if locale == "zh" else "to"
    return f"{start.isoformat()} {joiner} {end.isoformat()}"


def format_date(day: date, locale: Locale) -> str:
    """A date as people write it on letters."""
    if locale == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B %Y')}"


def format_datetime(moment: datetime, locale: Locale) -> str:
    """Date and time to the minute."""
    if locale == "zh":
        return f"{moment.year}年{moment.month:02d}月{moment.day:02d}日 {moment:%H:%M}"
    return moment.strftime("%Y-%m-%d %H:%M")


def format_cell(value: object) -> str:
    """A summary table cell as printed: money as yuan with separators, times to the minute, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, Money):
        return format_yuan(value.fen)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
def daxie_html(fen: int) -> Markup:
    """The capital amount with its last two characters kept together, so 整 (or 分) never starts a line alone."""
    text = to_daxie(fen)
    head, tail = text[:-2], text[-2:]
    return Markup('{}<span class="nowrap">{}</span>').format(head, tail)


def period_html(text: str) -> Markup:
    """A period range that may wrap only at its dash, each end kept whole (a 58 mm roll has no room for
    "2025年01月–2025年03月" on one line and would otherwise leave "月" alone on the next)."""
    head, dash, tail = text.partition("–")
    if not dash:
        return Markup("{}").format(text)
    return Markup('<span class="nowrap">{}</span><span class="nowrap">{}</span>').format(head + dash, tail)


def _env(locale: Locale) -> jinja2.Environment:
    return _environments()[locale]


@lru_cache(maxsize=1)
def _environments() -> dict[Locale, jinja2.Environment]:
    made: dict[Locale, jinja2.Environment] = {}
    for locale in LOCALES:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(_documents_dir())),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["yuan"] = lambda fen: format_yuan(fen)
        env.filters["daxie"] = to_daxie
        env.filters["daxie_html"] = daxie_html
        env.filters["period"] = lambda line, _l=locale: format_period(line.period_start, line.period_end, _l)
        env.filters["period_html"] = period_html
        env.filters["date"] = lambda d, _l=locale: format_date(d, _l)
        env.filters["datetime"] = lambda d, _l=locale: format_datetime(d, _l)
        env.filters["cell"] = format_cell
        env.tests["nonzero_money"] = lambda value: isinstance(value, Money) and value.fen != 0
        env.filters["wider_than"] = wider_than
        env.filters["em_width"] = text_width_em
        made[locale] = env
    return made


def _qr(payload: str, symbol_mm: float) -> dict[str, Any]:
    src, width_mm = qr_for_print(payload, symbol_mm=symbol_mm)
    return {"src": src, "width_mm": width_mm}


def _layout(template: str, stylesheets: list[CSS], context: dict[str, Any], locale: Locale, *, lean: bool = False) -> Any:
    require_cjk_font()
    html = _env(locale).get_template(template).render(locale=locale, s=strings(locale), **context)
    kind = _LeanHTML if lean else HTML
    return kind(string=html, base_url=str(_documents_dir())).render(stylesheets=stylesheets, font_config=_font_config())


def _render(
    template: str, stylesheets: list[CSS], context: dict[str, Any], locale: Locale, roll: Size | None = None, *, lean: bool = False
) -> bytes:
    document = _layout(template, stylesheets, context, locale, lean=lean)
    if roll is not None:
        _cut_roll(document, roll)
    return document.write_pdf()


def _cut_roll(document: Any, size: Size) -> None:
    """Shorten a roll page to just below its ``#knock-end`` marker."""
    if len(document.pages) != 1:
        raise DocumentError(f"a {size} roll receipt must fit on one strip")
    page = document.pages[0]
    end = page.anchors.get("knock-end")
    if end is None:  # pragma: no cover - every roll template has the marker
        return
    page.height = min(page.height, end[1] + _ROLL_BOTTOM_MM[size] * _PX_PER_MM)


def render_receipt(view: ReceiptView, size: Size = "80mm", locale: Locale = "zh") -> bytes:
    """A receipt as PDF: A5 or A4 sheet, or 80 mm or 58 mm roll."""
    if size not in SIZES:
        raise DocumentError(f"unknown receipt size {size!r}; choose one of {', '.join(SIZES)}")
    s = strings(locale)
    method = label("payment_methods", view.method, locale)
    roll = size in ("80mm", "58mm")
    context = {
        "view": view,
        "size": size,
        "roll": roll,
        "method": method,
        "qr": _qr(view.qr_text, _RECEIPT_QR_MM[size]),
        "cols": _RECEIPT_COLUMNS[size, locale],
        "foot": _SHEET_FOOT_MM.get(size),
    }
    sheets = [_css("base.css"), _css("receipt.css"), _receipt_css(size, locale)]
    return _render("receipt.html", sheets, context, locale, roll=size if roll else None, lean=True)


def fit_lines(lines: tuple[PeriodAmount, ...], max_lines: int, label: str) -> tuple[PeriodAmount, ...]:
    """At most ``max_lines`` lines: the earliest are summed into one line called ``label``.

    The total is unchanged; the merged line spans from the first start to the
    last end of the lines it replaces.
    """
    if len(lines) <= max_lines:
        return lines
    ordered = sorted(lines, key=lambda line: (line.period_start, line.period_end))
    cut = len(ordered) - (max_lines - 1)
    early, late = ordered[:cut], ordered[cut:]
    merged = PeriodAmount(
        label.format(n=len(early)),
        min(line.period_start for line in early),
        max(line.period_end for line in early),
        sum(line.amount_fen for line in early),
    )
    return (merged, *late)


def render_notice(view: NoticeView, locale: Locale = "zh") -> bytes:
    """A door notice: one A4 sheet, Z-folded so only the top panel (room, 业主亲启) shows."""
    lines = fit_lines(view.lines, NOTICE_MAX_LINES, strings(locale)["notice_earlier"])
    context = {"view": view, "lines": lines, "qr": _qr(view.payment_qr, 30)}
    return _render("notice.html", [_css("base.css"), _css("notice.css")], context, locale)


def _letter_layout(view: LetterView, locale: Locale) -> Any:
    if view.kind not in ("dunning", "lawyer"):
        raise DocumentError(f"unknown letter kind {view.kind!r}")
    template = "dunning_letter.html" if view.kind == "dunning" else "lawyer_letter.html"
    context = {"view": view, "qr": _qr(view.payment_qr, 24)}
    return _layout(template, [_css("base.css"), _css("letter.css")], context, locale)


def render_letter(view: LetterView, locale: Locale = "zh") -> bytes:
    """A dunning letter or lawyer's letter on A4."""
    return _letter_layout(view, locale).write_pdf()


def render_letters(views: list[LetterView] | tuple[LetterView, ...], locale: Locale = "zh") -> bytes:
    """Several letters in one PDF for one print run; each starts on a new sheet.

    Page numbers ("1 / 2") stay per letter, since each letter is sent on its own.
    """
    if not views:
        raise DocumentError("no letters to render")
    documents = [_letter_layout(view, locale) for view in views]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


HANDOVER_MAX_FLAGS = 10
"""Flags printed on a hand-over sheet; more are counted and left to ``knock sync review``."""


def render_cash_handover(report: dict[str, Any], locale: Locale = "zh") -> bytes:
    """One collector's day and cash check on one A4 page (``report`` as ``CollectorReport.to_dict()``)."""
    money = [{**m, "label": label("payment_methods", m["method"], locale)} for m in report["money"]]
    outcomes = [(label("outcomes", key, locale), n) for key, n in report["outcomes"].items()]
    flags = report["flags"][:HANDOVER_MAX_FLAGS]
    context = {"r": report, "money": money, "outcomes": outcomes, "flags": flags, "more": len(report["flags"]) - len(flags)}
    document = _layout("cash_handover.html", [_css("base.css"), _css("cash_handover.css")], context, locale)
    if len(document.pages) != 1:
        raise DocumentError(f"the hand-over sheet of {report['name']} does not fit on one page")
    return document.write_pdf()
CHART_MAX_BUILDINGS = 40
"""The building chart draws every building up to this many, else the lowest rates (the table lists them all)."""


def render_summary(summary: Summary, locale: Locale = "zh", *, company: str = "") -> bytes:
    """The nightly summary on A4: headline with the rate chart, the day by collector, buildings, promises,
    complaints, escalation, risk and the hard-cases page."""
    tables: list[Table] = summary_tables(summary, locale)
    bars = list(summary.buildings)
    if len(bars) > CHART_MAX_BUILDINGS:
        bars = sorted(sorted(bars, key=lambda b: (b.rate_by_households, b.building))[:CHART_MAX_BUILDINGS], key=lambda b: summary.buildings.index(b))
    context = {
        "summary": summary,
        "tables": by_key(tables),
        "w": words(locale),
        "colon": "：" if locale == "zh" else ": ",
        "company": company,
        "chart_buildings": bars,
    }
    return _render("summary.html", [_css("base.css"), _css("summary.css")], context, locale)
