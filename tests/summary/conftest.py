"""One scripted day, built once per test process and shared read-only by the summary tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.summary.scripted_day import Day, build_day


@pytest.fixture(scope="session")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    built = build_day(tmp_path_factory.mktemp("summary-day"))
    yield built
    built.home.close()
