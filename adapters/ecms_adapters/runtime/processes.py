"""Child processes of the demo and the end-to-end tests: the node and the gateways, each started with
``python -m ecms_adapters.cli`` in a session of its own, its output in a log file."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ecms_adapters.runtime.layout import Agency, Layout
from ecms_gateway.codec import TimeCheckRequest, new_message_id, to_wire
from ecms_gateway.node.options import SERVICE_PATH


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, sig)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then SIGKILL after ``timeout``; the exit code."""
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            return self.process.wait()

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.process.wait()

    def tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ecms_adapters.cli", *args]


def spawn(name: str, command: list[str], log: Path, *, env: dict[str, str] | None = None) -> Child:
    handle = log.open("ab")
    try:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,  # Ctrl-C reaches the demo, which stops its children in order
        )
    finally:
        handle.close()
    return Child(name=name, process=process, log=log)


def warm_up_node(url: str, *, timeout: float = 30.0) -> None:
    """One request, alone, before any other: the node compiles its schemas on first use, and libxml2
    fails (or crashes) when several threads of a process compile a schema for the first time at once."""
    body = to_wire(TimeCheckRequest(), message_id=new_message_id(datetime.now(UTC)))
    with httpx.Client(timeout=timeout, trust_env=False) as client:
        client.post(url, content=body, headers={"Content-Type": "text/xml; charset=utf-8"}).raise_for_status()


def start_node(layout: Layout, *, port: int | None = None) -> Child:
    command = cli_command(
        "node",
        "--directory",
        str(layout.directory),
        "--data-dir",
        str(layout.node_data),
        "--port",
        str(port or layout.node_port),
        "--public-url",
        layout.node_url,
    )
    child = spawn("node", command, layout.node_log)
    wait_for_port(port or layout.node_port, timeout=30, child=child)
    warm_up_node(f"http://127.0.0.1:{port or layout.node_port}{SERVICE_PATH}")
    return child


def start_gateway(agency: Agency, *, env: dict[str, str] | None = None, log_level: str = "info") -> Child:
    command = cli_command("run", "--config", str(agency.config), "--log-level", log_level)
    return spawn(f"gateway {agency.name}", command, agency.log, env=env)


def wait_for_port(port: int, *, timeout: float, child: Child | None = None) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and not child.alive():
            raise RuntimeError(f"{child.name} ended before listening:\n{child.tail()}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
