"""Real e-CMS node processes (``ecms-gateway node``) on 127.0.0.1 for the integration tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import SAMPLES

SERVICE_PATH = "/ecms-ws01/service2"
# ``ecms-gateway node`` as the installed command runs it (the core parser plus the node command of the
# composition root), without the composition root's other commands.
NODE_COMMAND = (
    sys.executable,
    "-c",
    "import sys; from ecms_gateway.cli.main import main; "
    "sys.exit(main(sys.argv[1:], extra_modules=('ecms_adapters.commands.node',)))",
)
STARTUP_DEADLINE_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def node_url(port: int, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{port}{SERVICE_PATH}"


def write_directory(path: Path, nodes: Mapping[str, str | None]) -> Path:
    """The sample directory with each organisation's ECMS-URL set from ``nodes`` (org id -> URL)."""
    data = json.loads((SAMPLES / "directory.json").read_text(encoding="utf-8"))
    for organization in data["organizations"]:
        organization["ecms_url"] = nodes.get(organization["id"])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@dataclass
class NodeProcess:
    """One ``ecms-gateway node`` process; ``start`` waits until it answers, ``stop`` ends it."""

    directory: Path
    data_dir: Path
    port: int
    extra: tuple[str, ...] = ()
    scheme: str = "http"
    log: Path = field(init=False)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.log = self.data_dir.with_name(self.data_dir.name + ".log")

    @property
    def url(self) -> str:
        return node_url(self.port, self.scheme)

    def start(self, *, verify: ssl.SSLContext | None = None) -> NodeProcess:
        """Start the process; ``verify`` is how to check an HTTPS node's certificate while waiting."""
        command = [
            *NODE_COMMAND,
            "node",
            "--directory",
            str(self.directory),
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(self.port),
            *self.extra,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ)
            )
        with httpx.Client(trust_env=False, verify=verify or True) as http:
            self._wait_ready(http)
        return self

    def _wait_ready(self, http: httpx.Client) -> None:
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the node exited with {self.process.returncode}:\n{self.log.read_text()}"
                )
            try:
                if http.get(f"{self.url}?wsdl", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(
            f"the node did not answer within {STARTUP_DEADLINE_S} s:\n{self.log.read_text()}"
        )

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as a power cut or OOM kill would leave it."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, how: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(how)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
