"""A payment taken at the door is a visit that happened, even when no contact could be logged with it.

Quiet hours (and the daily cap) limit what the company starts; they never stop an owner from
paying. The field app then logs the payment and no contact (13q). Every "visited" figure (the
Today line, the end-of-day screen, the sync report, the nightly summary) counts the household,
none of them counts a contact, and a voided receipt does not make a visit. The outcome figures
beside them count that household once, as "paid" or as "part_paid" when money is still owed after
the day's last door payment, so it is not visited with nothing to show, nor shown as settled when it is not.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from knock.core.reports.day import collector_day, visited_on
from knock.core.reports.summary import nightly_summary
from knock.home import Home
from sync.report import collector_reports
from tests.sync.conftest import world  # noqa: F401  (the office and two laptops)

CST = timezone(timedelta(hours=8))
DAY = date(2026, 11, 23)


def test_a_quiet_hours_payment_counts_as_visited_and_not_as_a_contact(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    ledger = home.ledger
    guard = ledger.register_staff("张保安", "guard")
    rooms = ["1-1-101", "1-1-102"]
    for room in rooms:
        ledger.register_household(room, "王某某")
        ledger.add_charge(room, "property_fee", date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 15), 22250)
    ledger.set_assignments(DAY, {ledger.household(r).household_id: guard for r in rooms})
    clock.set(datetime(2026, 11, 23, 22, 30, tzinfo=CST))
    assert not ledger.contact_verdict(rooms[0], "door").allowed  # quiet hours: we may not start a contact
    kept = ledger.record_payment(rooms[0], 22250, method="cash", collector=guard)
    voided = ledger.record_payment(rooms[1], 22250, method="cash", collector=guard)
    manager = ledger.register_staff("赵经理", "manager")
    ledger.void_payment(voided.receipt_no, "wrong room", author=manager)
    paid_id = ledger.household(rooms[0]).household_id

    assert home.store.query("SELECT 1 FROM contacts") == []  # nothing was contacted
    assert ledger.contacts_today(paid_id) == 0  # and the cap is untouched
    assert visited_on(home.store, DAY) == {paid_id}
    eod = collector_day(home.store, guard, DAY, ledger.device.device_id)
    assert (eod.households_visited, eod.contacts_by_outcome) == (1, {"paid": 1})  # the voided receipt is no outcome
    [report] = collector_reports(home.store, DAY)
    assert (report.visited, report.assigned, report.outcomes) == (1, 2, {"paid": 1})
    summary = nightly_summary(home.store, home.settings, DAY, now=clock.current)
    [row] = [c for c in summary.collectors if c.staff_id == guard]
    assert (row.visited, row.contacts, row.collected_fen, row.outcomes) == (1, 0, 22250, {"paid": 1})
    assert kept.receipt_no


def test_a_payment_at_the_office_counter_is_no_visit(world) -> None:  # type: ignore[no-untyped-def]
    """At the office (it has enrolled laptops) its own device is the counter; on a laptop, the office's device is."""
    from tests.sync.conftest import DAY as SYNC_DAY

    office = world.office.ledger
    office.record_payment("1-1-101", 10000, method="cash", collector=world.zhang)  # the owner came to the counter
    world.a07.ledger.record_payment("1-1-102", 10000, method="cash", collector=world.zhang)  # at the door
    world.merge(world.export(world.a07))
    [report] = collector_reports(world.office.store, SYNC_DAY, only={world.zhang})
    assert (report.visited, report.outcomes) == (1, {"part_paid": 1})  # the counter payment is neither a visit nor an outcome
    # (100 yuan at the door left money owed: part-paid)
    counter_id, door_id = (office.household(r).household_id for r in ("1-1-101", "1-1-102"))
    assert visited_on(world.office.store, SYNC_DAY) == {door_id}
    world.give_office_events(world.a07)  # what the next pack brings: the counter payment
    assert world.a07.store.query_one("SELECT 1 FROM payments WHERE household_id = ?", (counter_id,)) is not None
    assert visited_on(world.a07.store, SYNC_DAY) == {door_id}


def test_a_door_payment_with_a_logged_contact_is_one_outcome_not_two(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    """The contact tells what happened at that door: the payment adds nothing, and the part-paid stays part-paid."""
    ledger = home.ledger
    guard = ledger.register_staff("张保安", "guard")
    ledger.register_household("1-1-101", "王某某")
    ledger.add_charge("1-1-101", "property_fee", date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 15), 22250)
    clock.set(datetime(2026, 11, 23, 19, 0, tzinfo=CST))
    ledger.record_payment("1-1-101", 10000, method="cash", collector=guard)
    ledger.log_contact("1-1-101", channel="door", outcome="part_paid", collector=guard)
    eod = collector_day(home.store, guard, DAY, ledger.device.device_id)
    assert (eod.households_visited, eod.contacts_by_outcome) == (1, {"part_paid": 1})
    [report] = collector_reports(home.store, DAY)
    assert report.outcomes == {"part_paid": 1}
    [row] = [c for c in nightly_summary(home.store, home.settings, DAY, now=clock.current).collectors if c.staff_id == guard]
    assert (row.contacts, row.outcomes) == (1, {"part_paid": 1})


def test_a_part_payment_with_no_contact_is_part_paid_until_the_day_settles_it(home: Home, clock) -> None:  # type: ignore[no-untyped-def]
    """The office must not read a part payment as settled: the day's last door payment tells paid from part-paid."""
    ledger = home.ledger
    guard = ledger.register_staff("张保安", "guard")
    ledger.register_household("1-1-101", "王某某")
    ledger.add_charge("1-1-101", "property_fee", date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 15), 22250)
    clock.set(datetime(2026, 11, 23, 22, 30, tzinfo=CST))  # quiet hours: no contact can be logged with it

    def outcomes() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        eod = collector_day(home.store, guard, DAY, ledger.device.device_id)
        [report] = collector_reports(home.store, DAY)
        [row] = [c for c in nightly_summary(home.store, home.settings, DAY, now=clock.current).collectors if c.staff_id == guard]
        return eod.contacts_by_outcome, report.outcomes, dict(row.outcomes)

    ledger.record_payment("1-1-101", 10000, method="cash", collector=guard)
    assert outcomes() == ({"part_paid": 1},) * 3
    clock.set(datetime(2026, 11, 23, 22, 45, tzinfo=CST))
    ledger.record_payment("1-1-101", 12250, method="cash", collector=guard, again=True)  # the rest, a quarter-hour later
    assert outcomes() == ({"paid": 1},) * 3  # one household, one outcome: settled
