"""A small community for the field app's tests, built through the Ledger API, and test helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from knock.core.pins import hash_pin
from knock.home import Home

PIN = "1234"
MANAGER_PIN = "9999"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋欧"


@dataclass
class Community:
    """Who is who in the fixture."""

    home: Home
    collector: str
    other: str
    manager: str
    rooms: list[str]
    """The collector's rooms, in visit order."""


def build_community(home: Home) -> Community:
    """Three buildings, 24 households, three staff; 16 households assigned to the collector today."""
    ledger = home.ledger
    ledger.create_community("安居花园", "杭州市西湖区")
    pin_hash = hash_pin(PIN)
    collector = ledger.register_staff("张保安", "guard", pin_hash=pin_hash)
    other = ledger.register_staff("李保洁", "cleaner", pin_hash=pin_hash)
    manager = ledger.register_staff("赵经理", "manager", pin_hash=hash_pin(MANAGER_PIN))
    rooms: list[str] = []
    pairs: dict[str, str] = {}
    n = 0
    for building in (3, 5, 8):
        for floor in (2, 5, 7, 11):
            for unit, flat in ((1, 1), (2, 2)):
                room = f"{building}-{unit}-{floor}0{flat}"
                gender = ("m", "f", "")[n % 3]
                hid = ledger.register_household(
                    room, SURNAMES[n] + "某某", phones=[f"1380000{n:04d}"], area_centi_m2=8900 + n * 100, gender=gender
                )
                months = 1 + n % 6
                for m in range(months):
                    start = date(2026, 5 + m, 1)
                    end = date(2026, 5 + m, 28)
                    ledger.add_charge(room, "property_fee", start, end, date(2026, 5 + m, 15), 22250 + n * 100)
                if building != 5:
                    pairs[hid] = collector
                    rooms.append(room)
                else:
                    pairs[hid] = other
                n += 1
    ledger.set_assignments(ledger.today(), pairs)
    # A promise due today and one earlier visit, so the list shows them.
    ledger.make_promise(rooms[1], due_date=ledger.today(), window="evening", collector=collector, at=ledger.now().replace(day=20))
    return Community(home, collector, other, manager, rooms)


async def wait_for(pilot: object, predicate: Callable[[], object], timeout: float = 5.0, *, workers: bool = True) -> None:
    """Let the app run until ``predicate()`` is true (values that come from workers).

    ``workers=False`` does not wait for running workers between looks (a test holding one back on purpose).
    """
    app = pilot.app  # type: ignore[attr-defined]
    waited = 0.0
    while not predicate():
        if waited > timeout:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)  # type: ignore[attr-defined]
        if workers:
            await app.workers.wait_for_complete()
        waited += 0.02


def decode_screen_qr(screen: object, module_px: int = 6) -> str:
    """What a phone reads from the payment QR as the screen draws it.

    The code widget's lines are taken as drawn (``render_line``: the cells
    that reach the terminal), turned back into modules (each half-block cell is
    two modules stacked), painted dark on light at ``module_px`` pixels a
    module, and decoded with zxing-cpp. The widget must lie wholly on screen.
    """
    import zxingcpp
    from PIL import Image

    from field_app.widgets.qr_code import matrix_from_lines

    code = screen.query_one("#payqr-code")  # type: ignore[attr-defined]
    region = code.region
    assert region.right <= screen.size.width and region.bottom <= screen.size.height - 1, (region, screen.size)  # type: ignore[attr-defined]
    lines = [code.render_line(y).text for y in range(code.size.height)]
    matrix = matrix_from_lines(lines)
    width = max(len(row) for row in matrix)
    image = Image.new("L", (width * module_px, len(matrix) * module_px), 255)
    pixels = image.load()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(module_px):
                    for dx in range(module_px):
                        pixels[x * module_px + dx, y * module_px + dy] = 0
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the screen's text"
    return found[0].text
