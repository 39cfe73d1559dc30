"""Late-payment penalty (违约金), computed from settings, never stored as a fact.

The contract sets a daily rate on the overdue amount; courts often cut
excessive penalties, so both the rate and a cap (as a share of the charge)
are settings, and the penalty is off unless a company turns it on.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from knock.core.money import apply_rate
from knock.settings import Penalty


def penalty_fen(open_fen: int, due: date, today: date, rule: Penalty) -> int:
    """Penalty on ``open_fen`` overdue since ``due``, as of ``today``, capped."""
    if not rule.enabled or open_fen <= 0:
        return 0
    days = (today - due).days - rule.grace_days
    if days <= 0:
        return 0
    raw = apply_rate(open_fen, rule.daily_rate_per_mille / Decimal(1000), times=days)
    cap = apply_rate(open_fen, rule.cap_percent_of_principal / Decimal(100))
    return min(raw, cap)
