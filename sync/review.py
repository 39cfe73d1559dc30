"""What a team lead does after a merge: resolve flags with a reason, and count each collector's cash.

Both are events in the office ledger, written under the lead's name, so the review itself is
on record. Only active managers (the role team leads hold) may do either.
"""

from __future__ import annotations

from datetime import date

from knock.core.errors import LedgerError, NotFound, PermissionDenied
from knock.core.money import format_yuan
from knock.core.events import EventKind as K
from knock.core.journal import new_id
from knock.core.ledger import Ledger, Staff
from sync.status import CashCount, Flag, _flag, cash_counts, cash_expected_fen
from sync.flag_text import Text, both


def _lead(ledger: Ledger, name: str) -> Staff:
    lead = ledger.staff(name)
    if lead.role != "manager" or not lead.active:
        raise PermissionDenied(f"{lead.name} is not an active team lead or manager")
    return lead


def find_flag(ledger: Ledger, flag_id: str) -> Flag:
    """A flag by id or by its last characters (the report shows the last 8; a ULID's end is its random part)."""
    text = flag_id.strip()
    if len(text) < 4:
        raise LedgerError("give at least 4 characters of the flag id")
    rows = ledger.store.query("SELECT * FROM sync_flags WHERE flag_id LIKE '%' || ? ESCAPE '\\'", (text.replace("%", "\\%").replace("_", "\\_"),))
    if not rows:
        raise NotFound(f"no review flag {text}")
    if len(rows) > 1:
        raise LedgerError(f"{text} matches {len(rows)} flags; give more of the id")
    return _flag(rows[0])


def resolve_flag(ledger: Ledger, flag_id: str, *, resolution: str, by: str) -> Flag:
    """Close a flag with what was decided (refund, carry forward, cash found, …)."""
    if not resolution.strip():
        raise LedgerError("resolving a flag needs a reason")
    lead = _lead(ledger, by)
    with ledger.store.transaction():
        flag = find_flag(ledger, flag_id)
        if flag.status != "open":
            raise LedgerError(f"flag {flag.flag_id} was already resolved on {str(flag.resolved_at)[:16]}: {flag.resolution}")
        ledger.journal.append(K.SYNC_FLAG_RESOLVED, {"flag_id": flag.flag_id, "resolution": resolution.strip()}, author=lead.staff_id)
    return find_flag(ledger, flag.flag_id)


def count_cash(ledger: Ledger, collector: str, counted_fen: int, *, by: str, day: date | None = None) -> CashCount:
    """Record the cash a lead counted for a collector; a difference from the receipts is flagged."""
    if not isinstance(counted_fen, int) or isinstance(counted_fen, bool) or counted_fen < 0:
        raise LedgerError(f"counted cash must be a non-negative amount, got {counted_fen!r}")
    lead = _lead(ledger, by)
    person = ledger.staff(collector)
    the_day = (day or ledger.today()).isoformat()
    with ledger.store.transaction():
        expected = cash_expected_fen(ledger.store, person.staff_id, the_day)
        count_id = new_id()
        event = ledger.journal.append(
            K.CASH_COUNTED,
            {"count_id": count_id, "day": the_day, "collector_id": person.staff_id, "counted_fen": counted_fen, "expected_fen": expected},
            author=lead.staff_id,
        )
        difference = counted_fen - expected
        if difference:
            sentence = both(Text(
                "cash_short" if difference < 0 else "cash_over",
                name=person.name, day=the_day, counted=_yuan_(counted_fen), expected=_yuan_(expected), difference=_yuan_(abs(difference)),
            ))
            ledger.journal.append(
                K.SYNC_FLAGGED,
                {
                    "flag_id": new_id(),
                    "kind": "cash_difference",
                    "collector_id": person.staff_id,
                    "subject_event_id": event.event_id,
                    "message": sentence["zh"],
                    "detail": {
                        "day": the_day, "counted_fen": counted_fen, "expected_fen": expected, "difference_fen": difference,
                        "message_en": sentence["en"],
                    },
                },
                author=lead.staff_id,
            )
    return next(c for c in cash_counts(ledger.store, the_day) if c.collector_id == person.staff_id)



def _yuan_(fen: int) -> str:
    return format_yuan(fen, symbol=True)
