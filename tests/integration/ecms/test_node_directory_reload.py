"""A running node reads its directory file again on SIGHUP: a new organisation is served without a
restart, and a file with faults is refused in the log while the directory in use stays."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.integration.ecms.conftest import ORG_A, ORG_B, NodeFactory
from tests.integration.ecms.nodes import NodeProcess, free_port, node_url, write_directory

LOG_DEADLINE_S = 30.0


def _hangup_and_wait_for(node: NodeProcess, words: str) -> str:
    """Send SIGHUP and wait until the node's log has one more line with ``words``; the log."""
    seen = node.log.read_text().count(words)
    assert node.process is not None
    node.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + LOG_DEADLINE_S
    while node.log.read_text().count(words) == seen and time.monotonic() < deadline:
        time.sleep(0.05)
    return node.log.read_text()


def _wsdl_for(node: NodeProcess, org: str) -> int:
    return httpx.get(f"{node.url}?wsdl&org={org}", trust_env=False).status_code


def test_sighup_takes_a_new_directory_and_refuses_a_broken_one(
    tmp_path: Path, make_node: NodeFactory
) -> None:
    port = free_port()
    directory = write_directory(tmp_path / "directory.json", {ORG_A: node_url(port)})
    node = make_node("node", directory, port).start()
    assert _wsdl_for(node, ORG_B) == 404  # not served here (yet)

    write_directory(directory, {ORG_A: node_url(port), ORG_B: node_url(port)})
    log = _hangup_and_wait_for(node, "directory reloaded")

    assert f"{ORG_B} ECMS-URL none -> {node_url(port)}" in log
    assert f"serving {ORG_A}, {ORG_B}" in log
    assert _wsdl_for(node, ORG_B) == 200

    directory.write_text('{"organizations": "none"}', encoding="utf-8")
    log = _hangup_and_wait_for(node, "refused, keeping the directory in use")

    assert "organizations: Input should be a valid array" in log
    assert "Traceback" not in log
    assert _wsdl_for(node, ORG_B) == 200  # the directory in use stays
    assert node.process is not None
    assert node.process.poll() is None
