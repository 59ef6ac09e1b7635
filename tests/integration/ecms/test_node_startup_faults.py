"""``ecms-gateway node`` that cannot open its database or listen on its ``--host`` stops with one sentence
naming the option to fix (exit 1), not as an internal error (exit 3); a signal stops it cleanly (exit 0)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.ecms.conftest import NodeFactory
from tests.integration.ecms.nodes import NodeProcess, free_port, node_url, write_directory

ORG = "2099000000"


def run_node(tmp_path: Path, *extra: str, host: str = "127.0.0.1") -> subprocess.CompletedProcess[str]:
    port = free_port()
    directory = write_directory(tmp_path / "directory.json", {ORG: node_url(port)})
    command = [str(Path(sys.executable).parent / "ecms-gateway"), "node", "--directory", str(directory)]
    return subprocess.run(
        [*command, "--data-dir", str(tmp_path / "node"), "--port", str(port), "--host", host, *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "ECMS_GATEWAY_DEBUG"},
        check=False,
    )


def test_an_unreachable_postgresql_names_the_url_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql://node:s3cret@127.0.0.1:{free_port()}/node"  # nothing listens there
    done = run_node(tmp_path, "--database-url", url, "--public-url", node_url(1))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("ecms-gateway: --database-url: cannot use the node's database ")
    assert "127.0.0.1" in done.stderr
    assert "s3cret" not in done.stderr
    assert "internal error" not in done.stderr


def test_a_database_file_the_node_cannot_open_names_the_data_dir(tmp_path: Path) -> None:
    (tmp_path / "node" / "ecms-node.sqlite3").mkdir(parents=True)  # in the way of the database file
    done = run_node(tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"ecms-gateway: --data-dir: cannot use the node's database in {tmp_path}")
    assert "internal error" not in done.stderr


def test_a_host_that_is_not_this_machines_names_host_not_port(tmp_path: Path) -> None:
    done = run_node(tmp_path, host="192.0.2.1")  # TEST-NET-1: no address of this machine
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("ecms-gateway: --host 192.0.2.1 is not an address of this machine")
    assert "--port" not in done.stderr


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_the_node_cleanly_with_exit_0(
    shared_node: NodeProcess, how: signal.Signals
) -> None:
    """uvicorn raised the signal again after shutting down: the node died by it (exit 143 on SIGTERM)
    before it closed its database, whose write-ahead log then stayed behind."""
    status_request = b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    status_request += b"<OutboundStatusRequest/></soap:Body></soap:Envelope>"
    with httpx.Client(trust_env=False) as http:
        assert http.post(f"{shared_node.url}?org={ORG}", content=status_request).status_code == 200
    assert (shared_node.data_dir / "ecms-node.sqlite3-wal").exists()
    process = shared_node.process
    assert process is not None
    process.send_signal(how)
    assert process.wait(timeout=30) == 0, shared_node.log.read_text()
    assert not (shared_node.data_dir / "ecms-node.sqlite3-wal").exists(), "the database was closed"


def test_a_second_node_on_the_same_data_dir_is_refused(shared_node: NodeProcess, tmp_path: Path) -> None:
    """Two nodes on one folder would serve the same queues and forward the same relay jobs."""
    assert shared_node.process is not None
    command = [
        str(Path(sys.executable).parent / "ecms-gateway"),
        "node",
        "--directory",
        str(shared_node.directory),
    ]
    second = subprocess.run(
        [*command, "--data-dir", str(shared_node.data_dir), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "ECMS_GATEWAY_DEBUG"},
        check=False,
    )
    assert second.returncode == 1, second.stderr
    said = f"ecms-gateway: --data-dir: a node already runs on {shared_node.data_dir} "
    assert second.stderr.startswith(f"{said}(process {shared_node.process.pid}): stop it first"), (
        second.stderr
    )
    shared_node.process.send_signal(signal.SIGTERM)  # once it is gone, the folder is free again
    assert shared_node.process.wait(timeout=30) == 0
    shared_node.start()
    assert shared_node.process.poll() is None


def test_with_json_logs_every_line_the_node_writes_is_a_json_record(
    tmp_path: Path, make_node: NodeFactory
) -> None:
    """A log reader that takes one JSON object a line choked on the plain "e-CMS node at ..." line."""
    port = free_port()
    directory = write_directory(tmp_path / "directory.json", {ORG: node_url(port)})
    node = make_node("json-node", directory, port, "--log-format", "json", "--log-level", "info").start()
    node.stop()
    lines = [line for line in node.log.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # each line a JSON object, or this fails
    serving = [r for r in records if r["message"].startswith("e-CMS node at ")]
    assert len(serving) == 1, records
    assert serving[0]["message"] == f"e-CMS node at {node.url} serving {ORG}"
