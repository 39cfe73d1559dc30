"""How long a guard at the door waits for a receipt.

Times a warm render of one receipt (every size) against the floor: WeasyPrint
rendering a one-line page in the same CJK font. Prints medians and the ratio.

    .venv/bin/python bench/bench_receipt.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import HTML  # noqa: E402

from knock.core.signing import load_or_create_device_key  # noqa: E402
from knock.documents import samples  # noqa: E402
from knock.documents.fonts import SLOW_SUBSET_HINT, fast_font_subsetting, require_cjk_font  # noqa: E402
from knock.documents.render import SIZES, _font_config, render_receipt  # noqa: E402


def _median_ms(action, repeat: int) -> float:
    action()  # warm: fonts loaded, stylesheets parsed, templates compiled
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    font = require_cjk_font()
    if not fast_font_subsetting():
        print("warning:", SLOW_SUBSET_HINT, file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        key = load_or_create_device_key(Path(tmp) / "bench.key")
    view = samples.sample_receipt(key)

    floor_html = f'<p style="font-family: \'{font}\'; font-size: 9pt">收款收据 No. 000042 ¥1,005.60</p>'

    def floor() -> bytes:
        return HTML(string=floor_html).write_pdf(font_config=_font_config())

    floor_ms = _median_ms(floor, args.repeat)
    print(f"font: {font}; median of {args.repeat} warm runs")
    print(f"{'floor (one line, same font)':32s} {floor_ms:8.1f} ms")
    for size in SIZES:
        ms = _median_ms(lambda: render_receipt(view, size, "zh"), args.repeat)
        print(f"{'receipt ' + size:32s} {ms:8.1f} ms   ratio {ms / floor_ms:5.2f}x")


if __name__ == "__main__":
    main()
