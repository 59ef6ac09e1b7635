"""The webhook tests' store (SQLite, in the test's folder) on a clock they move, and anyio on asyncio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecms_gateway.engine import Store
from tests.unit.webhooks.support import Clock


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(data_dir=tmp_path, clock=clock) as opened:
        yield opened
