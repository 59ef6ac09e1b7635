"""A second ``ecms-gateway run`` on a data folder where a gateway runs is refused, as real processes:
the first keeps its pid file, and ``poll-now`` still reaches it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
from e2e_cluster import Cluster
from ecms_adapters.runtime.processes import cli_command, start_gateway

pytestmark = pytest.mark.e2e


def test_a_second_gateway_on_the_same_data_folder_is_refused_and_the_first_keeps_running(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster().start()
    agency = cluster.layout["A"]
    first = cluster.gateways["A"]
    pid_file = agency.data_dir / "gateway.pid"
    cluster.wait("A's pid file", lambda: pid_file.is_file() and pid_file.read_text() == f"{first.pid}\n")

    second = start_gateway(agency)
    try:
        code = second.process.wait(timeout=60)
    finally:
        second.stop()
    assert code == 1, second.tail()
    assert f"a gateway already runs on {agency.data_dir} (process {first.pid}" in second.tail()

    assert first.alive()
    assert pid_file.read_text() == f"{first.pid}\n"
    poll = subprocess.run(
        cli_command("poll-now", "--config", str(agency.config)),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert poll.returncode == 0, poll.stdout + poll.stderr
    assert f"(pid {first.pid})" in poll.stdout
