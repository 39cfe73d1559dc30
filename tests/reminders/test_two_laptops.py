"""A batch confirmed on two laptops and merged: both events stay in the log, the text counts once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from knock.core.events import Event
from knock.home import open_home
from tests.conftest import CST

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=CST)


def test_the_same_message_confirmed_on_two_laptops_counts_once(tmp_path: Path) -> None:
    office = open_home(tmp_path / "office", clock=lambda: NOW)
    laptop = open_home(tmp_path / "laptop", clock=lambda: NOW)
    try:
        office.ledger.register_staff("王晓芳", "customer_service")
        hid = office.ledger.register_household("1-1-101", "王芳", phones=["13800001111"])
        for row in office.store.query("SELECT * FROM events ORDER BY device_id, seq"):
            laptop.ledger.journal.ingest(Event.from_row(row))
        staff = office.ledger.staff("王晓芳").staff_id
        assert office.ledger.record_message_sent(hid, message_id="sms-1", template="overdue.monthly", sender=staff)
        assert laptop.ledger.record_message_sent(hid, message_id="sms-1", template="overdue.monthly", sender=staff)
        device = laptop.ledger.device.device_id
        for row in laptop.store.query("SELECT * FROM events WHERE device_id = ? ORDER BY seq", (device,)):
            office.ledger.journal.ingest(Event.from_row(row))
        assert office.store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'contact.logged'") == 2
        assert office.store.scalar("SELECT COUNT(*) FROM contacts WHERE message_id = 'sms-1'") == 1
        assert not office.ledger.record_message_sent(hid, message_id="sms-1", template="overdue.monthly", sender=staff)
    finally:
        office.close()
        laptop.close()
