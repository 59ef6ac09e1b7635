from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.web.live import LiveWeb


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveWeb]:
    web = LiveWeb(tmp_path).start()
    yield web
    web.stop()
