"""Payments settle the oldest charges first; what is left over is credit.

Allocation is a pure function of the charges and the money paid, so the
balance of any household can be recomputed at any time from the ledger, a
voided payment or reversed charge simply drops out, and a merge of two
laptops' payments cannot leave a charge paid twice: it leaves credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ChargeLine:
    """A charge as allocation sees it: an id, a sort key and an amount."""

    charge_id: str
    amount_fen: int
    due_date: str = ""
    period_start: str = ""
    item: str = ""

    @property
    def order_key(self) -> tuple[str, str, str, str]:
        """Oldest first: by due date, then period, then item, then id (total order)."""
        return (self.due_date, self.period_start, self.item, self.charge_id)


@dataclass(frozen=True)
class Allocation:
    """How an amount of money spreads over charges."""

    lines: tuple[tuple[str, int], ...]
    """(charge_id, fen) in the order paid; only non-zero lines."""
    credit_fen: int
    """Money left after every charge is paid."""

    @property
    def total_fen(self) -> int:
        """Everything allocated, credit included: always the amount put in."""
        return sum(fen for _, fen in self.lines) + self.credit_fen


def allocate(charges: Sequence[ChargeLine], amount_fen: int) -> Allocation:
    """Spread ``amount_fen`` over ``charges`` oldest first (``charges`` are open amounts)."""
    if amount_fen < 0:
        raise ValueError("cannot allocate a negative amount")
    remaining = amount_fen
    lines: list[tuple[str, int]] = []
    for charge in sorted(charges, key=lambda c: c.order_key):
        if remaining == 0:
            break
        if charge.amount_fen <= 0:
            continue
        take = min(charge.amount_fen, remaining)
        lines.append((charge.charge_id, take))
        remaining -= take
    return Allocation(tuple(lines), remaining)


def settle(charges: Sequence[ChargeLine], paid_fen: int) -> tuple[dict[str, int], int]:
    """Open amount of every charge after ``paid_fen`` in total was paid, and the credit."""
    allocation = allocate(charges, paid_fen)
    paid = dict(allocation.lines)
    open_amounts = {c.charge_id: c.amount_fen - paid.get(c.charge_id, 0) for c in charges}
    return open_amounts, allocation.credit_fen
