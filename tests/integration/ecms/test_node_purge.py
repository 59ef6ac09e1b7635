"""Purging a real node's database: ``ecms-gateway node-purge`` while the node runs, and a node started
with ``--purge-after``, drop what was fetched long ago and keep what still waits to be fetched."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from ecms_gateway.node.options import DATABASE_FILE
from ecms_gateway.node.tables import INBOUND, OUTBOUND
from ecms_gateway.store.database import Database
from tests.integration.ecms.conftest import ORG_A, ORG_B, NodeFactory
from tests.integration.ecms.nodes import NODE_COMMAND, NodeProcess, free_port, node_url, write_directory
from tests.integration.ecms.test_ecms_client_and_node import Inbox, clients, letter

pytestmark = pytest.mark.anyio

LOG_DEADLINE_S = 30.0


async def _one_fetched_one_waiting(node: NodeProcess) -> list[str]:
    """Letter 1 sent and fetched by B, letter 2 sent and waiting; their ProcessIDs."""
    a, b = clients(node)
    async with a, b:
        first = await a.send(letter("ศธ 0990/1"))
        assert await b.drain(Inbox().commit) == 1
        second = await a.send(letter("ศธ 0990/2"))
    return [first.process_id, second.process_id]


def _age_everything(data_dir: Path, days: int) -> None:
    """As if every item had arrived (and the fetched one been fetched) ``days`` ago."""
    then = datetime.now(UTC) - timedelta(days=days)
    db = Database(f"sqlite:///{data_dir / DATABASE_FILE}")
    try:
        with db.write() as conn:
            conn.execute(update(INBOUND).values(created_at=then))
            conn.execute(update(INBOUND).where(INBOUND.c.fetched_at.is_not(None)).values(fetched_at=then))
            conn.execute(update(OUTBOUND).values(created_at=then))
    finally:
        db.dispose()


def _purge(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NODE_COMMAND, "node-purge", *args], capture_output=True, text=True, timeout=60, check=False
    )


async def test_node_purge_drops_what_was_fetched_and_keeps_what_waits(shared_node: NodeProcess) -> None:
    _, waiting = await _one_fetched_one_waiting(shared_node)
    _age_everything(shared_node.data_dir, days=100)

    done = _purge("--older-than", "90d", "--data-dir", str(shared_node.data_dir))  # the node runs on

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("purged 1 queue item(s) fetched or withdrawn and 1 receipt(s) ")
    assert "kept 1 item(s) waiting to be fetched and 0 waiting to be relayed" in done.stdout
    _, b = clients(shared_node)
    inbox = Inbox()
    async with b:
        assert await b.drain(inbox.commit) == 1
    assert [item.process_id for item in inbox.items] == [waiting]
    again = _purge("--older-than", "90d", "--data-dir", str(shared_node.data_dir))
    assert again.stdout.startswith("purged 0 queue item(s)"), again.stderr


def test_node_purge_says_what_is_wrong_with_its_options(tmp_path: Path) -> None:
    bad_age = _purge("--older-than", "3 months", "--data-dir", str(tmp_path))
    assert bad_age.returncode == 1
    assert bad_age.stderr.startswith("ecms-gateway: --older-than '3 months' is not a length of time")
    no_node = _purge("--older-than", "90d", "--data-dir", str(tmp_path))
    assert no_node.returncode == 1
    assert no_node.stderr.startswith(f"ecms-gateway: --data-dir: no node database in {tmp_path}")
    assert "Traceback" not in bad_age.stderr + no_node.stderr


async def test_a_node_with_purge_after_purges_when_it_starts(tmp_path: Path, make_node: NodeFactory) -> None:
    port = free_port()
    directory = write_directory(tmp_path / "directory.json", {ORG_A: node_url(port), ORG_B: node_url(port)})
    first = make_node("node", directory, port).start()
    await _one_fetched_one_waiting(first)
    first.stop()
    _age_everything(first.data_dir, days=100)

    node = make_node("node", directory, port, "--purge-after", "90d", "--log-level", "info").start()

    deadline = time.monotonic() + LOG_DEADLINE_S
    while "purged " not in node.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "purged 1 queue item(s) fetched or withdrawn and 1 receipt(s)" in node.log.read_text()
