"""The day's list: the collector's households in visiting order with what each owes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from knock.core.accounts import Household, account
from knock.core.reports.collected import collected_fen
from knock.core.reports.day import pending_sync_count, promises_due_on, visited_on
from knock.core.rooms import walk_key
from knock.home import Home

from field_app.i18n import _, get_locale
from field_app.names import owner_title


@dataclass(frozen=True)
class TodayRow:
    """One household on the day's list."""

    household_id: str
    room: str
    building: str
    unit: str
    floor: int
    owner: str
    owner_name: str
    owed_fen: int
    months_owed: int
    debtor_label: str
    next_action_label: str
    appointment: str
    """The window (morning/afternoon/evening) of a promise due today, or empty."""
    visited: bool


@dataclass(frozen=True)
class TodayView:
    """The collector's day at a glance."""

    staff_name: str
    day: date
    rows: tuple[TodayRow, ...]
    visited: int
    assigned: int
    collected_fen: int
    pending_sync: int

    @property
    def complete(self) -> bool:
        """Every household of the day has its row (a quick pass asked for the ``first`` few has not)."""
        return len(self.rows) == self.assigned


@dataclass(frozen=True)
class _Planned:
    """A household on the day's list with the playbook's words for it."""

    household: Household
    debtor_label: str
    next_action_label: str
    overdue_fen: int | None = None
    """What the triage's facts already found overdue (None on the first pass)."""
    months_owed: int = 0


def _plan(home: Home, staff_id: str, now: datetime, locale: str, progress: Callable[[int, int], None] | None = None) -> list[_Planned]:
    """The day's households in the playbook's visit order, with their types and next action.

    Through :func:`knock.advice.triage_for_collector` (no cards: the list does
    not show them). When the playbook fails, the list still comes, in building
    order, with the error where the type would be: a playbook bug must never
    empty a collector's day.
    """
    from knock.advice import triage_for_collector

    try:
        triaged = triage_for_collector(home, staff_id, now.date(), now=now, progress=progress)
    except Exception as exc:  # noqa: BLE001 - shown in every row; the household screen says more
        failed = _("Advice is not available: {error}").format(error=exc)
        return [_Planned(h, "—", failed) for h in _assigned(home, staff_id, now.date())]
    return [
        _Planned(t.household, t.type_label(locale) or _("Paid up"), t.action_label.get(locale), t.facts.owed_fen, t.facts.months_owed)  # type: ignore[arg-type]
        for t in triaged
    ]


def _assigned(home: Home, staff_id: str, day: date) -> list[Household]:
    rows = home.store.query(
        "SELECT h.* FROM assignments a JOIN households h ON h.household_id = a.household_id"
        " WHERE a.day = ? AND a.staff_id = ?",
        (day.isoformat(), staff_id),
    )
    households = [Household.from_row(r) for r in rows]
    return sorted(households, key=lambda h: walk_key(h.building, h.unit, h.floor, h.room_no))


def load_today(
    home: Home,
    staff_id: str,
    now: datetime,
    *,
    with_advice: bool = True,
    progress: Callable[[int, int], None] | None = None,
    first: int | None = None,
) -> TodayView:
    """The collector's households for today with what each owes, and the day's counters.

    ``with_advice=False`` is the quick first pass (amounts in building order, no
    playbook); ``progress(done, total)`` is called while the advice is worked out.
    ``first`` (quick pass only) gives rows to the first ``first`` households in
    building order only, the ones a screen shows (each row's account is most of
    the pass); the counters still count the whole day (see :attr:`TodayView.complete`).
    """
    day = now.date()
    locale = get_locale()
    staff = home.ledger.staff(staff_id)
    if with_advice:
        planned = _plan(home, staff_id, now, locale, progress)
    else:
        planned = [_Planned(h, "…", "…") for h in _assigned(home, staff_id, day)]
    everyone = [entry.household.household_id for entry in planned]
    if first is not None and not with_advice:
        planned = planned[:first]
    visited_ids = visited_on(home.store, day)
    due_today = promises_due_on(home.store, day, [entry.household.household_id for entry in planned])
    rows = []
    for entry in planned:
        hh = entry.household
        if entry.overdue_fen:
            owed, months = entry.overdue_fen, entry.months_owed
        else:  # the first pass, or nothing overdue yet: what is owed, due or not
            acct = account(home.store, hh.household_id, day, home.settings)
            owed, months = (acct.owed_fen if acct.overdue_fen == 0 else acct.overdue_fen), acct.months_owed
        rows.append(
            TodayRow(
                household_id=hh.household_id,
                room=hh.room,
                building=hh.building,
                unit=hh.unit,
                floor=hh.floor,
                owner=owner_title(hh.owner_name, hh.gender, locale),
                owner_name=hh.owner_name,
                owed_fen=owed,
                months_owed=months,
                debtor_label=entry.debtor_label,
                next_action_label=entry.next_action_label,
                appointment=due_today.get(hh.household_id, ""),
                visited=hh.household_id in visited_ids,
            )
        )
    return TodayView(
        staff_name=staff.name,
        day=day,
        rows=tuple(rows),
        visited=sum(1 for hid in everyone if hid in visited_ids),
        assigned=len(everyone),
        collected_fen=collected_fen(home.store, day, staff_id),
        pending_sync=pending_sync_count(home.store, home.ledger.device.device_id),
    )


def normalise_query(text: str) -> str:
    """A search as typed (``3栋2单元``, ``3 2 501``, ``3/2``) in room-code spelling."""
    query = text.strip()
    for sep in ("号楼", "栋", "幢", "单元", "室", "号", "/", " ", "－", "—", "_", "#"):
        query = query.replace(sep, "-")
    while "--" in query:
        query = query.replace("--", "-")
    return query.strip("-") if query.strip("-") else ""


def search_rows(rows: tuple[TodayRow, ...] | list[TodayRow], text: str) -> list[TodayRow]:
    """Rows whose room starts with the query (``3-2-501``, ``3-2``) or whose owner's name contains it."""
    raw = text.strip()
    if not raw:
        return list(rows)
    query = normalise_query(raw)
    found = []
    for row in rows:
        if query and (row.room == query or row.room.startswith(query + "-") or row.room.startswith(query)):
            found.append(row)
        elif raw in row.owner_name or raw.lower() in row.owner.lower():
            found.append(row)
    return found
