"""The read-only status page the server shows at ``/`` for the team lead on the office network.

Server-rendered HTML from the package templates (``knock/templates/server/status.html``), no
script at all: per laptop the last sync, the events set aside waiting to be applied, the flags to
review; and today's collection against the day's target. Chinese by default (``?lang=en`` for
English). The numbers come from the same queries the CLI reports use, so the page and
``knock sync review`` / ``knock status`` never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import jinja2

from knock import paths
from knock.core.money import format_yuan
from knock.core.reports.collected import collected_fen
from knock.core.reports.status import overdue_by_household
from knock.home import Home

TEXT = {
    "zh": {
        "title": "同步状态", "devices": "各台笔记本", "device": "笔记本", "last_sync": "最近同步", "never": "从未",
        "events": "已收事件", "waiting": "待处理事件", "flags": "待复核", "state": "状态", "revoked": "已停用",
        "active": "在用", "today": "今日收款", "collected": "今日已收", "target": "今日目标", "progress": "完成",
        "target_note": "今日目标 = 今日派单住户的逾期金额 × 目标收缴率", "updated": "更新于", "no_devices": "尚无登记的笔记本",
        "assigned": "今日派单住户", "readonly": "只读页面；处理请用 knock sync review",
    },
    "en": {
        "title": "Sync status", "devices": "Laptops", "device": "Laptop", "last_sync": "Last sync", "never": "never",
        "events": "Events merged", "waiting": "Events set aside", "flags": "Flags to review", "state": "State", "revoked": "revoked",
        "active": "active", "today": "Today's collection", "collected": "Collected today", "target": "Today's target", "progress": "Done",
        "target_note": "Today's target = overdue amount of today's assigned households × target collection rate", "updated": "Updated",
        "no_devices": "No laptops enrolled yet", "assigned": "Households assigned today", "readonly": "Read-only; resolve flags with knock sync review",
    },
}


@dataclass(frozen=True)
class DeviceRow:
    """One laptop's line on the page."""

    name: str
    device_id: str
    active: bool
    last_sync: str | None
    events_merged: int
    waiting: int
    flags: int


@dataclass(frozen=True)
class DayProgress:
    """Today's money against the day's target (all integer fen)."""

    day: date
    collected_fen: int
    target_fen: int
    assigned_households: int

    @property
    def percent(self) -> int:
        """Whole percent of the target reached (0 when there is no target)."""
        if self.target_fen <= 0:
            return 0
        return int((Decimal(self.collected_fen) * 100 / Decimal(self.target_fen)).to_integral_value(ROUND_HALF_UP))


def device_rows(home: Home) -> list[DeviceRow]:
    """Every enrolled laptop, active first, by name."""
    rows = home.store.query(
        "SELECT d.device_id, d.name, d.revoked_at,"
        " (SELECT MAX(merged_at) FROM sync_merges m WHERE m.device_id = d.device_id) AS last_sync,"
        " (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id) AS merged,"
        " (SELECT COUNT(*) FROM sync_parked p WHERE p.device_id = d.device_id AND p.applied_at IS NULL) AS waiting,"
        " (SELECT COUNT(*) FROM sync_flags f WHERE f.device_id = d.device_id AND f.status = 'open') AS flags"
        " FROM device_enrolments d ORDER BY d.revoked_at IS NOT NULL, d.name"
    )
    return [DeviceRow(r["name"], r["device_id"], r["revoked_at"] is None, r["last_sync"], int(r["merged"]), int(r["waiting"]), int(r["flags"])) for r in rows]


def day_progress(home: Home, day: date) -> DayProgress:
    """Collected today against target% of the overdue money of today's assigned households."""
    assigned = [r[0] for r in home.store.query("SELECT household_id FROM assignments WHERE day = ?", (day.isoformat(),))]
    overdue = overdue_by_household(home.store, day)
    base = sum(overdue.get(h, 0) for h in assigned)
    rate = home.settings.targets.collection_rate_percent
    target = int((Decimal(base) * rate / 100).to_integral_value(ROUND_HALF_UP))
    return DayProgress(day, collected_fen(home.store, day), target, len(assigned))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.templates_dir() / "server")), autoescape=True, undefined=jinja2.StrictUndefined
    )


def render_status_page(home: Home, lang: str = "") -> str:
    """The page's HTML."""
    locale = lang if lang in TEXT else home.settings.ui.locale
    today = home.ledger.today()
    return _environment().get_template("status.html").render(
        t=TEXT[locale], lang=locale, devices=device_rows(home), day=day_progress(home, today),
        yuan=lambda fen: format_yuan(fen, symbol=True), now=home.ledger.now().isoformat(timespec="seconds"),
        community=home.store.scalar("SELECT name FROM communities ORDER BY rowid LIMIT 1") or "",
    )
