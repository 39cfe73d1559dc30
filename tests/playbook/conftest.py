"""Fixtures for the playbook tests; the hand-built households live in ``cases.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from knock.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def with_settings() -> Callable[..., Settings]:
    """Settings with some fields of one section changed: with_settings("escalation", dunning_min_months=4)."""

    def make(section: str, **fields: Any) -> Settings:
        base = Settings()
        return base.model_copy(update={section: getattr(base, section).model_copy(update=fields)})

    return make
