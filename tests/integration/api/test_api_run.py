"""``ecms-gateway run`` with an ``[http]`` section serves the API beside the gateway in one process,
and SIGTERM stops both cleanly; a taken port stops the start with one line naming http.port; when
either the gateway or the HTTP server ends, the other is stopped too."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest
from ecms_adapters.runtime.http import run_together
from ecms_adapters.runtime.layout import AgencyOptions, LayoutOptions, write_layout
from ecms_adapters.runtime.processes import free_port, start_gateway, wait_for_port

from tests.integration.api.server import make_server


def _layout(tmp_path: Path, http_port: int) -> AgencyOptions:
    return AgencyOptions(name="A", org_id="2099000000", http_port=http_port)


def test_run_with_http_serves_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    options = LayoutOptions(
        node_port=free_port(),  # no node listens there: the API does not need it
        agencies=(_layout(tmp_path, port),),
        extra_toml='\n[directory]\nfile = "../directory.json"\n',
    )
    agency = write_layout(tmp_path, options)["A"]
    child = start_gateway(agency)
    try:
        wait_for_port(port, timeout=30, child=child)
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        letters = httpx.get(f"http://127.0.0.1:{port}/api/v1/letters", timeout=10)
    finally:
        code = child.stop()
    assert health.status_code == 200, child.tail()
    assert health.json()["status"] == "alive"
    assert letters.status_code == 401
    assert code == 0, child.tail()
    log = agency.log.read_text(encoding="utf-8")
    assert f"REST API at http://127.0.0.1:{port}/api/v1" in log
    assert "gateway stopped" in log


def test_a_taken_port_stops_the_start_naming_the_key(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        options = LayoutOptions(
            node_port=free_port(),
            agencies=(_layout(tmp_path, port),),
            extra_toml='\n[directory]\nfile = "../directory.json"\n',
        )
        agency = write_layout(tmp_path, options)["A"]
        child = start_gateway(agency)
        code = child.process.wait(timeout=60)
    assert code != 0
    assert f"http.port: 127.0.0.1:{port} is in use" in agency.log.read_text(encoding="utf-8")


@pytest.mark.anyio
async def test_the_http_server_stops_when_the_gateway_fails_and_the_error_surfaces(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    url = server.url

    async def failing_gateway() -> None:
        while not server.face.server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/healthz")).status_code == 200
        raise RuntimeError("a gateway task failed")

    try:
        with pytest.raises(RuntimeError, match="a gateway task failed"):
            await run_together(failing_gateway(), server.face, stop_main=lambda: None)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz", timeout=2)
    finally:
        server.store.close()


@pytest.mark.anyio
async def test_the_gateway_is_told_to_stop_when_the_http_server_ends(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    stop = asyncio.Event()

    async def gateway() -> None:
        while not server.face.server.started:
            await asyncio.sleep(0.01)
        server.face.server.should_exit = True  # the server ends by itself (as on a fatal error)
        await stop.wait()

    try:
        await asyncio.wait_for(run_together(gateway(), server.face, stop_main=stop.set), timeout=30)
    finally:
        server.store.close()
    assert stop.is_set()
