"""Shared fixtures for the document tests."""

from __future__ import annotations

import pytest

from knock.core.signing import DeviceKey, load_or_create_device_key


@pytest.fixture(scope="session")
def device_key(tmp_path_factory: pytest.TempPathFactory) -> DeviceKey:
    return load_or_create_device_key(tmp_path_factory.mktemp("key") / "device.key")
