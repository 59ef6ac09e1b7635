"""End-to-end tests: a real e-CMS node and gateways as separate processes on 127.0.0.1.

Every test lays out its own folder and ports, so the tests run in parallel under xdist (``-n auto``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_cluster import Cluster
from ecms_adapters.runtime.layout import LayoutOptions
from ecms_adapters.runtime.processes import free_port


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end, a node and gateways as real processes (xdist-safe)")


@pytest.fixture
def make_cluster(tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    """``make_cluster(**LayoutOptions fields)``: a laid-out cluster, stopped when the test ends."""
    made: list[Cluster] = []

    def make(**options: Any) -> Cluster:
        options.setdefault("node_port", free_port())
        cluster = Cluster(tmp_path / f"cluster{len(made)}", LayoutOptions(**options))
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.close()
