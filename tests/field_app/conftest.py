"""Fixtures for the field app's tests (the helpers live in fieldapp_support.py)."""

from __future__ import annotations

import pytest
from fieldapp_support import Community, build_community

from field_app import i18n
from knock.home import Home


@pytest.fixture
def community(home: Home) -> Community:
    """The fixture community on a fresh home (Monday 2026-11-23 19:30)."""
    return build_community(home)


@pytest.fixture(autouse=True)
def chinese_by_default() -> None:
    """Every test starts in Chinese, whatever the previous one chose."""
    i18n.set_locale("zh")
