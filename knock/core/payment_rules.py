"""What stops a wrong payment before it becomes a receipt.

A collector at a door types fast, with keys queued; an amount can pick up a
stray digit (67350 for 673.50) or the same payment can be submitted twice.
These rules are the domain's, so the field app and the command line apply the
same ones, and :meth:`knock.core.ledger.Ledger.record_payment` enforces them:

- refused outright: more than ``payments.max_payment_yuan`` in one payment, or
  (when something is owed) more than ``payments.overpay_max_multiple`` times
  what is owed;
- allowed only when confirmed: more than is owed (the rest is kept as credit,
  预存), the same amount for the same household again within
  ``payments.double_submit_minutes`` (a double submit), and any other payment
  for the same household within ``payments.second_payment_minutes`` (keys
  queued after a part payment spell out a second payment of the rest: the
  collector must mean it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from knock.core.errors import LedgerError
from knock.core.money import format_yuan, parse_yuan
from knock.settings import Payments


class PaymentRefused(LedgerError):
    """A payment that the limits in settings do not allow at all."""


class PaymentNeedsConfirmation(LedgerError):
    """A payment that is allowed only once someone has confirmed it (overpayment, double submit)."""


@dataclass(frozen=True)
class RecentPayment:
    """A payment already on record for the household."""

    receipt_no: str
    amount_fen: int
    paid_at: datetime


@dataclass(frozen=True)
class PaymentReview:
    """What the rules say about one proposed payment."""

    amount_fen: int
    owed_fen: int
    refusal: str = ""
    """Non-empty: the payment may not be taken; the text says why."""
    refused_because: str = ""
    """``over_max`` (above the one-payment limit) or ``over_multiple`` (too many times what is owed), for screens that word it themselves."""
    limit_fen: int = 0
    """The limit that was passed: the one-payment maximum, or the multiple of what is owed."""
    multiple: Decimal = Decimal(0)
    repeat_of: RecentPayment | None = None
    """The payment this one follows: the same household, a few minutes ago (the same amount
    within ``double_submit_minutes``, or any amount within ``second_payment_minutes``)."""

    @property
    def same_amount(self) -> bool:
        """The payment it follows was of the same amount (a double submit, not only a second payment)."""
        return self.repeat_of is not None and self.repeat_of.amount_fen == self.amount_fen

    @property
    def overpay_fen(self) -> int:
        """How much is above what is owed (kept as credit, 预存); 0 when not more than owed."""
        return max(0, self.amount_fen - self.owed_fen)

    def overpay_text(self) -> str:
        """The sentence a confirmation shows for an overpayment."""
        return (
            f"¥{format_yuan(self.amount_fen)} is ¥{format_yuan(self.overpay_fen)} more than the ¥{format_yuan(self.owed_fen)} owed; "
            f"the ¥{format_yuan(self.overpay_fen)} is kept as credit (预存) for future bills"
        )

    def repeat_text(self) -> str:
        """The sentence a confirmation (or refusal) shows for a double submit."""
        assert self.repeat_of is not None
        if not self.same_amount:
            return (
                f"¥{format_yuan(self.repeat_of.amount_fen)} was already taken for this household at "
                f"{self.repeat_of.paid_at:%H:%M} (receipt {self.repeat_of.receipt_no}); ¥{format_yuan(self.amount_fen)} now would be a second payment"
            )
        return (
            f"the same amount ¥{format_yuan(self.amount_fen)} was already taken for this household at "
            f"{self.repeat_of.paid_at:%H:%M} (receipt {self.repeat_of.receipt_no})"
        )


def review_payment(amount_fen: int, owed_fen: int, recent: list[RecentPayment], rules: Payments, now: datetime) -> PaymentReview:
    """Apply the rules to a proposed payment of ``amount_fen`` when ``owed_fen`` is open."""
    max_fen = parse_yuan(rules.max_payment_yuan)
    refusal, because, limit = "", "", 0
    if amount_fen > max_fen:
        refusal = f"¥{format_yuan(amount_fen)} is more than one payment may be (at most ¥{format_yuan(max_fen)}, settings payments.max_payment_yuan)"
        because, limit = "over_max", max_fen
    elif owed_fen > 0 and Decimal(amount_fen) > Decimal(owed_fen) * rules.overpay_max_multiple:
        refusal = (
            f"¥{format_yuan(amount_fen)} is more than {rules.overpay_max_multiple}× the ¥{format_yuan(owed_fen)} owed: "
            "check the amount (a mistyped decimal point?)"
        )
        because, limit = "over_multiple", int(Decimal(owed_fen) * rules.overpay_max_multiple)
    same_window = timedelta(minutes=rules.double_submit_minutes) if rules.double_submit_minutes else None
    any_window = timedelta(minutes=rules.second_payment_minutes) if rules.second_payment_minutes else None
    same: RecentPayment | None = None
    other: RecentPayment | None = None
    for payment in sorted(recent, key=lambda p: p.paid_at, reverse=True):
        then, current = payment.paid_at, now
        if (then.tzinfo is None) != (current.tzinfo is None):  # one clock without an offset: compare wall times
            then, current = then.replace(tzinfo=None), current.replace(tzinfo=None)
        age = abs(current - then)
        if same is None and same_window is not None and payment.amount_fen == amount_fen and age <= same_window:
            same = payment
        if other is None and any_window is not None and age <= any_window:
            other = payment
    repeat = same or other  # a double submit is the stronger question: name it when there is one
    return PaymentReview(amount_fen, owed_fen, refusal, because, limit, rules.overpay_max_multiple, repeat)
