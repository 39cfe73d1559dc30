"""How long a guard at the door waits for a receipt.

A warm render (in process, after a first render of every size) of one receipt
against the floor: WeasyPrint rendering a one-line page in the same CJK font.
Receipts print in their own face, Noto Sans CJK SC trimmed to what a receipt can
hold (knock/templates/documents/fonts/, built by scripts/receipt_font.py), so two
floors run: B, the line in the system's Noto Sans CJK SC (the floor issue 13 set,
and the font every other document uses), and B2, the same line in the receipt
face. Each size's ratio is given against both.
The runs are interleaved in one process, round by round: B (the floor), then A
(a receipt) for each size, in an order that rotates every round so no size
always follows the floor. Each round's receipts carry a new receipt number, so
their verification QR codes differ and nothing is served from a cache a real
new payment would miss.

Reported: median wall and CPU (``time.process_time``) milliseconds of each,
and each size's ratio to the floor. The CPU figure is the one to trust on a
shared machine. Goal (issue 13): 80 mm and A5 within 1.5x of the floor (B).

With ``--bare`` (needs pypdfium2, a dev dependency) two more kinds of run are
interleaved too, for each size: C, the receipt's own printed lines as unstyled
paragraphs plus its QR image; and D, the same lines as ONE unstyled paragraph
(pre-wrap) plus the image, the least WeasyPrint can do to print that text and
code at all (both in the receipt face). They show how much of A is styling and
how much is the text itself: each distinct character costs its outline in the
embedded font subset, and a receipt prints well over a hundred of them against
the floor's fifteen.

    .venv/bin/python bench/bench_receipt.py [--repeat 25] [--sizes a5,80mm,58mm,a4] [--bare]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import CSS, HTML  # noqa: E402

from knock.core.signing import load_or_create_device_key  # noqa: E402
from knock.documents import samples  # noqa: E402
from knock.documents.fonts import SLOW_SUBSET_HINT, fast_font_subsetting, require_cjk_font  # noqa: E402
from knock.documents.qr import qr_for_print  # noqa: E402
from knock.documents.render import _PAGE_CSS, _RECEIPT_QR_MM, SIZES, _font_config, render_receipt  # noqa: E402

GOAL = 1.5
RECEIPT_FACE = "Knock Receipt Sans CJK SC"
TARGET_SIZES = ("80mm", "a5")


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="rounds; each round runs the floor once and every size once")
    parser.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated sizes (default: {','.join(SIZES)})")
    parser.add_argument("--bare", action="store_true", help="also time C: the printed lines as bare paragraphs plus the code")
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown or not sizes:
        parser.error(f"unknown size(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SIZES)}")

    font = require_cjk_font()
    if not fast_font_subsetting():
        print("warning:", SLOW_SUBSET_HINT, file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        key = load_or_create_device_key(Path(tmp) / "bench.key")
    # One new receipt per round (and one for warming), signed before the clock starts.
    views = [samples.sample_receipt(key, receipt_no=f"{key.device_id}-{n:06d}") for n in range(1, args.repeat + 2)]

    line = "收款收据 No. 000042 ¥1,005.60"
    floor_html = f'<p style="font-family: \'{font}\'; font-size: 9pt">{line}</p>'
    face_html = f'<p style="font-family: \'{RECEIPT_FACE}\'; font-size: 9pt">{line}</p>'

    def floor() -> bytes:
        return HTML(string=floor_html).write_pdf(font_config=_font_config())

    def floor_face() -> bytes:
        return HTML(string=face_html).write_pdf(font_config=_font_config())

    # Warm: fonts loaded, stylesheets parsed, templates compiled.
    floor()
    floor_face()
    for size in sizes:
        render_receipt(views[0], size, "zh")  # type: ignore[arg-type]

    bare: dict[str, Callable[[object], bytes]] = {}
    face_stack = f"'{RECEIPT_FACE}', '{font}'"  # as receipt.css lists them
    if args.bare:
        for size in sizes:
            pdf = render_receipt(views[0], size, "zh")  # type: ignore[arg-type]
            bare[f"bare {size}"] = _bare_runner(pdf, size, face_stack, one_paragraph=False)
            bare[f"one {size}"] = _bare_runner(pdf, size, face_stack, one_paragraph=True)
    for run in bare.values():
        run(views[0])

    names = ["floor", "floor face", *sizes, *bare]
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for round_no in range(args.repeat):
        view = views[round_no + 1]
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            qr_for_print.cache_clear()  # sizes of one round share a payload: each run makes its code, as a new payment does
            if name == "floor":
                w, c = _timed(floor)
            elif name == "floor face":
                w, c = _timed(floor_face)
            elif name in bare:
                w, c = _timed(lambda: bare[name](view))
            else:
                w, c = _timed(lambda: render_receipt(view, name, "zh"))  # type: ignore[arg-type]
            wall[name].append(w)
            cpu[name].append(c)

    med_wall = {name: statistics.median(values) for name, values in wall.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    print(f"font: {font}; {args.repeat} interleaved rounds, medians (ms)")
    print(f"{'':34s} {'wall':>8s} {'cpu':>8s}   {'ratio wall':>10s} {'ratio cpu':>10s} {'cpu vs B2':>10s}")
    print(f"{'B floor (one line, Noto)':34s} {med_wall['floor']:8.1f} {med_cpu['floor']:8.1f}")
    print(f"{'B2 floor (one line, receipt face)':34s} {med_wall['floor face']:8.1f} {med_cpu['floor face']:8.1f}")
    for size in sizes:
        rw, rc = med_wall[size] / med_wall["floor"], med_cpu[size] / med_cpu["floor"]
        r2 = med_cpu[size] / med_cpu["floor face"]
        goal = f"   goal <= {GOAL}x cpu (B): {'met' if rc <= GOAL else 'NOT met'}" if size in TARGET_SIZES else ""
        print(f"{'A receipt ' + size:34s} {med_wall[size]:8.1f} {med_cpu[size]:8.1f}   {rw:9.2f}x {rc:9.2f}x {r2:9.2f}x{goal}")
    for name in bare:
        rw, rc = med_wall[name] / med_wall["floor"], med_cpu[name] / med_cpu["floor"]
        kind, size = name.split(" ", 1)
        label = ("C bare lines + code " if kind == "bare" else "D one paragraph + code ") + size
        r2 = med_cpu[name] / med_cpu["floor face"]
        print(f"{label:34s} {med_wall[name]:8.1f} {med_cpu[name]:8.1f}   {rw:9.2f}x {rc:9.2f}x {r2:9.2f}x")


def _bare_runner(pdf: bytes, size: str, font_family: str, *, one_paragraph: bool) -> Callable[[object], bytes]:
    """C (or D) for one size: every line the receipt prints as a bare paragraph (or all in one), and a QR code of the same size."""
    import pypdfium2 as pdfium
    from html import escape

    document = pdfium.PdfDocument(pdf)
    lines = [line.strip() for line in document[0].get_textpage().get_text_range().splitlines() if line.strip()]
    if one_paragraph:
        body = '<p style="white-space: pre-wrap">' + escape("\n".join(lines)) + "</p>"
    else:
        body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    css = CSS(string=f"{_PAGE_CSS[size]} html {{ font-family: {font_family}; font-size: 9pt }} p {{ margin: 0 }}", font_config=_font_config())  # type: ignore[index]

    def run(view: object) -> bytes:
        src, width = qr_for_print(view.qr_text, symbol_mm=_RECEIPT_QR_MM[size])  # type: ignore[attr-defined,index]
        html = f'<body>{body}<img src="{src}" style="width: {width}mm"></body>'
        return HTML(string=html).write_pdf(stylesheets=[css], font_config=_font_config())

    return run


if __name__ == "__main__":
    main()
