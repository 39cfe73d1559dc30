"""Money is counted one way: live_payments, collected_fen, and every report built on them agree."""

from __future__ import annotations

from datetime import date

from knock.core.reports import collected_fen, community_status
from knock.core.reports.day import collector_day
from knock.home import Home

TODAY = date(2026, 11, 23)


def _community(home: Home) -> None:
    led = home.ledger
    for room in ("3-2-501", "3-2-502"):
        led.register_household(room, "王建国", phones=["13800001111"], area_centi_m2=9850, gender="m")
        led.add_charge(room, "property_fee", date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 15), 30000)
    led.register_staff("李明", "guard")
    led.register_staff("赵强", "guard")
    led.register_staff("张经理", "manager")


def test_a_voided_payment_drops_out_of_every_sum_and_stays_on_the_receipt_list(home: Home) -> None:
    _community(home)
    led = home.ledger
    kept = led.record_payment("3-2-501", 12000, method="cash", collector="李明")
    voided = led.record_payment("3-2-502", 30000, method="wechat", collector="李明")
    led.record_payment("3-2-502", 5000, method="cash", collector="赵强", overpay_confirmed=True, again=True)  # minutes after the first
    led.void_payment(voided.receipt_no, "wrong household", author="张经理")
    li = led.staff("李明").staff_id

    assert home.store.scalar("SELECT COUNT(*) FROM payments") == 3
    assert home.store.scalar("SELECT COUNT(*) FROM live_payments") == 2
    assert collected_fen(home.store, TODAY) == 17000
    assert collected_fen(home.store, TODAY, li) == 12000
    assert collected_fen(home.store, date(2026, 11, 22)) == 0
    assert community_status(home.store, TODAY, target_percent=80).collected_today_fen == 17000  # type: ignore[arg-type]

    day = collector_day(home.store, li, TODAY, led.device.device_id)
    assert [(r.receipt_no, r.void) for r in day.receipts] == [(kept.receipt_no, False), (voided.receipt_no, True)]
    assert day.by_method_fen == {"cash": 12000} and day.total_fen == 12000
