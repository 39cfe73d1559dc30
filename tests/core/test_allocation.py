from __future__ import annotations

from hypothesis import given, strategies as st

from knock.core.allocation import ChargeLine, allocate, settle

charges_st = st.lists(
    st.builds(
        ChargeLine,
        charge_id=st.uuids().map(str),
        amount_fen=st.integers(min_value=1, max_value=10_000_000),
        due_date=st.dates().map(lambda d: d.isoformat()),
        period_start=st.dates().map(lambda d: d.isoformat()),
        item=st.sampled_from(["property_fee", "parking", "shared_utilities"]),
    ),
    max_size=30,
    unique_by=lambda c: c.charge_id,
)


def test_oldest_charge_is_paid_first() -> None:
    old = ChargeLine("a", 10000, "2026-01-15", "2026-01-01")
    new = ChargeLine("b", 10000, "2026-02-15", "2026-02-01")
    result = allocate([new, old], 15000)
    assert result.lines == (("a", 10000), ("b", 5000))
    assert result.credit_fen == 0


def test_overpayment_becomes_credit() -> None:
    result = allocate([ChargeLine("a", 10000, "2026-01-15")], 12345)
    assert result.lines == (("a", 10000),)
    assert result.credit_fen == 2345


@given(charges_st, st.integers(min_value=0, max_value=10**9))
def test_allocation_preserves_the_total_and_never_goes_negative(charges: list[ChargeLine], amount: int) -> None:
    result = allocate(charges, amount)
    assert result.total_fen == amount
    assert result.credit_fen >= 0
    by_id = {c.charge_id: c for c in charges}
    for charge_id, fen in result.lines:
        assert 0 < fen <= by_id[charge_id].amount_fen
    assert len({cid for cid, _ in result.lines}) == len(result.lines)
    # credit only once every charge is fully paid
    if result.credit_fen:
        assert sum(fen for _, fen in result.lines) == sum(c.amount_fen for c in charges)


@given(charges_st, st.integers(min_value=0, max_value=10**9))
def test_only_the_newest_paid_charge_can_be_partial(charges: list[ChargeLine], amount: int) -> None:
    result = allocate(charges, amount)
    ordered = sorted(charges, key=lambda c: c.order_key)
    by_id = {c.charge_id: c for c in charges}
    for charge_id, fen in result.lines[:-1]:
        assert fen == by_id[charge_id].amount_fen
    paid_ids = [cid for cid, _ in result.lines]
    assert paid_ids == [c.charge_id for c in ordered[: len(paid_ids)]]


@given(charges_st, st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=10**8))
def test_two_payments_settle_like_one(charges: list[ChargeLine], first: int, second: int) -> None:
    open_after_first, credit1 = settle(charges, first)
    remaining = [ChargeLine(c.charge_id, open_after_first[c.charge_id], c.due_date, c.period_start, c.item) for c in charges]
    open_after_both, credit2 = settle(remaining, second)
    together, credit = settle(charges, first + second)
    assert open_after_both == together
    assert credit1 + credit2 == credit
