"""``ecms-gateway node`` on a port another program holds stops with one sentence naming ``--port``,
before it says it serves (uvicorn alone logged an error after that line and exited 3)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

SAMPLE_NODE_URL = "http://127.0.0.1:8800/ecms-ws01/service2"
DIRECTORY = Path(__file__).parents[3] / "ecms_gateway" / "samples" / "directory.json"


def test_a_node_on_a_taken_port_says_so_and_exits_1(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        directory = tmp_path / "directory.json"  # the node serves its organisations on this port
        sample = SAMPLE_NODE_URL.encode()
        directory.write_bytes(
            DIRECTORY.read_bytes().replace(sample, sample.replace(b":8800", f":{port}".encode()))
        )
        command = [str(Path(sys.executable).parent / "ecms-gateway"), "node", "--directory", str(directory)]
        done = subprocess.run(
            [*command, "--data-dir", str(tmp_path / "node"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={k: v for k, v in os.environ.items() if k != "ECMS_GATEWAY_DEBUG"},
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"ecms-gateway: --port: 127.0.0.1:{port} is in use by another program; stop that program or "
        "choose another --port\n"
    )
    assert not (tmp_path / "node").exists(), "nothing is created for a node that cannot listen"
