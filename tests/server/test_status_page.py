"""The read-only status page at / of a real server, looked at in headless Chromium (selenium)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from knock.core.money import format_yuan
from sync.devices import revoke_device
from sync.online import sync_with_server
from tests.server.conftest import busy_day
from tests.server.server_process import ServerProcess
from tests.sync.conftest import World


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Debian's Chromium, headless, with a fresh profile and no network of its own."""
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    binary = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert binary and driver_path, "scripts/setup installs Debian's chromium and chromium-driver"
    options.binary_location = binary
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_the_status_page_shows_each_laptop_its_flags_and_todays_money_in_chinese(world: World, server: ServerProcess, browser: webdriver.Chrome) -> None:
    # Today on the server's clock: A07 and B02 both take money for 1-1-101 (a flag), B02 is then revoked.
    now = datetime.now().astimezone()
    households = {r["room"]: r["household_id"] for r in world.office.store.query("SELECT room, household_id FROM households")}
    world.office.ledger.set_assignments(now.date(), {h: (world.zhang if room.startswith("1-") else world.li) for room, h in households.items()})
    world.a07_clock.set(now)
    world.b02_clock.set(now)
    busy_day(world, world.a07, 6, payments=("1-1-101", "1-1-102"))
    world.b02.ledger.record_payment("1-1-101", 30000, method="cash", collector="李娜")
    sync_with_server(world.a07, server.url)
    sync_with_server(world.b02, server.url)
    revoke_device(world.office.ledger, "B02", reason="replaced", author="office")
    expected_flags = int(world.office.store.scalar("SELECT COUNT(*) FROM sync_flags WHERE status = 'open' AND device_id = ?", (world.b02.ledger.device.device_id,)))
    assert expected_flags >= 1

    browser.get(server.url + "/")
    assert "同步状态" in browser.title
    assert browser.find_element(By.ID, "collected").text == format_yuan(10000 + 10000 + 30000, symbol=True)
    assert browser.find_element(By.ID, "target").text.startswith("¥")
    rows = {r.get_attribute("data-device"): r for r in browser.find_elements(By.CSS_SELECTOR, "#devices tbody tr")}
    assert set(rows) == {"A07", "B02"}
    a07, b02 = rows["A07"], rows["B02"]
    assert a07.find_element(By.CSS_SELECTOR, ".last-sync").text[:10] == now.date().isoformat()
    assert int(a07.find_element(By.CSS_SELECTOR, ".events").text) == int(world.a07.store.scalar(
        "SELECT COUNT(*) FROM events WHERE device_id = ?", (world.a07.ledger.device.device_id,)))
    assert int(b02.find_element(By.CSS_SELECTOR, ".flags").text) == expected_flags
    assert "已停用" in b02.text and "在用" in a07.text
    assert not browser.find_elements(By.TAG_NAME, "script")

    browser.get(server.url + "/?lang=en")
    assert "Sync status" in browser.title
    assert "revoked" in browser.find_element(By.CSS_SELECTOR, "tr[data-device='B02']").text
