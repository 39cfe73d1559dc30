"""The footer's key hints speak the app's language, through Textual's public API only (13q).

``translate_bindings`` used to rewrite each screen's private ``_bindings`` table; now each screen
is made from a per-language subclass whose ``BINDINGS`` are translated (field_app/widgets/common.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from field_app.app import make_app
from field_app.screens.household import HouseholdScreen
from field_app.screens.today import TodayScreen
from field_app.widgets.common import in_language
from fieldapp_support import Community, wait_for
from test_field_flows import SIZE, open_household

import field_app


def shown(app) -> set[str]:  # type: ignore[no-untyped-def]
    """The descriptions of the key hints the footer shows now (Screen.active_bindings is public)."""
    return {binding.description for _node, binding, _enabled, _tooltip in app.screen.active_bindings.values() if binding.show}


async def test_key_hints_follow_the_language_the_screen_was_made_in(community: Community) -> None:
    app = make_app(community.home, staff_id=community.collector)
    async with app.run_test(size=SIZE) as pilot:
        await open_household(pilot, community.rooms[2])
        assert {"返回", "看电话"} <= shown(app), shown(app)
        assert isinstance(app.screen, HouseholdScreen)  # the per-language class is still the screen's class
        app.switch_language("en")
        await wait_for(pilot, lambda: not isinstance(app.screen, TodayScreen))
        await pilot.press("escape")
        await open_household(pilot, community.rooms[2])
        assert {"Back", "Show phone"} <= shown(app), shown(app)


def test_one_class_per_language_and_the_keys_stay_bound() -> None:
    zh, en = in_language(HouseholdScreen, "zh"), in_language(HouseholdScreen, "en")
    assert in_language(HouseholdScreen, "zh") is zh and zh is not en and issubclass(zh, HouseholdScreen)
    keys = lambda cls: sorted((b.key, b.action, b.show, b.priority) for b in cls.BINDINGS)  # noqa: E731
    assert keys(zh) == keys(en) and ("left", "tab(-1)", True, True) in keys(zh)


def test_no_private_binding_tables_are_touched() -> None:
    package = Path(field_app.__file__).parent
    reached = [str(p) for p in package.rglob("*.py") if re.search(r"\._(merged_)?bindings\b", p.read_text(encoding="utf-8"))]
    assert reached == []
