"""``/readyz`` through a real HTTP server: 200 while the e-CMS node (a real ``ecms-gateway node``
process, logging JSON) answers, 503 naming the failed check once it is stopped, 200 again when it is
back."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from ecms_adapters.observability.endpoints import Observability
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from starlette.applications import Starlette

from ecms_gateway.engine import Store
from ecms_gateway.runtime.health import HealthChecks, database_check, folder_check, node_check
from tests.integration.ecms.conftest import ORG_A, NodeFactory
from tests.integration.ecms.nodes import free_port, node_url, write_directory

from .conftest import serving

pytestmark = pytest.mark.anyio


async def test_readyz_follows_the_node_down_and_up_and_healthz_stays_alive(
    tmp_path: Path, make_node: NodeFactory
) -> None:
    port = free_port()
    directory = write_directory(tmp_path / "directory.json", {ORG_A: node_url(port)})
    node = make_node("node", directory, port, "--log-format", "json", "--log-level", "info").start()
    with Store(data_dir=tmp_path / "gateway") as store:
        soap = SoapClientConfig(url=node.url, connect_timeout_s=2, read_timeout_s=2)
        async with EcmsSoapClient(soap) as client:
            checks = HealthChecks(
                [
                    database_check(store),
                    folder_check("file_store", tmp_path / "gateway" / "files"),
                    node_check(ORG_A, client, timeout_s=3),
                ],
                cache_s=0,
            )
            observability = Observability(health=checks, process_metrics=False)
            app = Starlette()
            observability.install_health(app)
            async with serving(app) as url, httpx.AsyncClient(base_url=url, trust_env=False) as http:
                ready = await http.get("/readyz")
                assert ready.status_code == 200, ready.text
                assert {c["name"]: c["ok"] for c in ready.json()["checks"]} == {
                    "database": True,
                    "file_store": True,
                    f"ecms:{ORG_A}": True,
                }

                node.stop()
                down = await http.get("/readyz")
                assert down.status_code == 503
                failed = [c for c in down.json()["checks"] if not c["ok"]]
                assert [c["name"] for c in failed] == [f"ecms:{ORG_A}"]
                assert failed[0]["reason"]
                assert (await http.get("/healthz")).status_code == 200

                node.start()
                assert (await http.get("/readyz")).status_code == 200
    # The node's log (uvicorn's lines included) went through the JSON formatter.
    lines = [line for line in node.log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert any(e["logger"].startswith("uvicorn") and e["level"] == "info" for e in entries), lines
