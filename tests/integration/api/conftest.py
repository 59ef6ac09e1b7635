"""Fixtures for the API tests: a running API server per test over a fresh store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api.server import ApiServer, make_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[ApiServer]:
    server = make_server(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
        server.store.close()
