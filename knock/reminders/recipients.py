"""Whose number a reminder may go to: the owner's own mobile, never anyone else's.

A household's ``phones`` are the owner's numbers; ``other_phones`` are a
tenant's, an agent's or a relative's. A text that names a debt goes only to
an owner's mobile that is not also on file as someone else's (a number shared
with the tenant would tell the tenant), so a third party never learns of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knock.core.accounts import Household

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise(number: str) -> str:
    """Digits only, without the +86 / 0086 country prefix."""
    digits = re.sub(r"[^\d+]", "", number.strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits.replace("+", "")


def is_mobile(number: str) -> bool:
    """A mainland mobile number (11 digits, 13x-19x): the only kind that takes a text."""
    return bool(_MOBILE.match(normalise(number)))


@dataclass(frozen=True)
class Recipient:
    """The number to text, or why there is none."""

    phone: str | None
    why_not: str = ""
    """``no_phone``, ``no_mobile`` or ``not_owners`` when ``phone`` is None."""


def owner_mobile(household: Household) -> Recipient:
    """The owner's first own mobile number that nobody else is also on file with."""
    if not household.phones:
        return Recipient(None, "no_phone")
    others = {normalise(o.number) for o in household.other_phones}
    mobiles = [normalise(p) for p in household.phones if is_mobile(p)]
    if not mobiles:
        return Recipient(None, "no_mobile")
    own = [m for m in mobiles if m not in others]
    if not own:
        return Recipient(None, "not_owners")
    return Recipient(own[0])
