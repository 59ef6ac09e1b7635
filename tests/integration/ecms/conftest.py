"""Fixtures for the e-CMS integration tests: node processes on 127.0.0.1, stopped after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.integration.ecms.nodes import NodeProcess, free_port, node_url, write_directory

ORG_A = "2099000000"  # department 20990
ORG_B = "2099100000"  # department 20991
ORG_C = "2199000000"  # department 21990

NodeFactory = Callable[..., NodeProcess]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_node(tmp_path: Path) -> Iterator[NodeFactory]:
    """Build (not start) node processes; every one started is stopped at the end of the test."""
    made: list[NodeProcess] = []

    def make(name: str, directory: Path, port: int, *extra: str, scheme: str = "http") -> NodeProcess:
        node = NodeProcess(
            directory=directory, data_dir=tmp_path / name, port=port, extra=extra, scheme=scheme
        )
        made.append(node)
        return node

    yield make
    for node in made:
        node.stop()


@pytest.fixture
def shared_node(tmp_path: Path, make_node: NodeFactory) -> NodeProcess:
    """One running node serving A and B (the sample directory's layout); C has no node."""
    port = free_port()
    nodes: Mapping[str, str | None] = {ORG_A: node_url(port), ORG_B: node_url(port)}
    return make_node("node", write_directory(tmp_path / "directory.json", nodes), port).start()
