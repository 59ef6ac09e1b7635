"""The node's HTTP face (ASGI): SOAP over POST, the WSDL and schemas over GET, faults with HTTP 500."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import httpx
import pytest
from ecms_adapters.http import create_node_app
from lxml import etree
from starlette.types import Message

from ecms_gateway.codec import (
    ErrorDetail,
    InboundRequest,
    TimeCheckRequest,
    TimeCheckResponse,
    read_message,
    to_wire,
)
from ecms_gateway.node import NodeService, describe_service
from ecms_gateway.store.database import Database
from ecms_gateway.xml.parser import XmlLimits
from tests.unit.node.helpers import HERE, make_node

pytestmark = pytest.mark.anyio


def _http(node: NodeService) -> httpx.AsyncClient:
    app = create_node_app(node, describe_service(HERE))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://node-a.test")


async def test_a_soap_request_gets_its_reply_as_text_xml(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        response = await http.post("/ecms-ws01/service2", content=to_wire(TimeCheckRequest()))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert read_message(response.content).message == TimeCheckResponse(
        process_time="2026-11-20T10:00:00+07:00"
    )


async def test_a_fault_goes_out_with_http_500(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        response = await http.post("/ecms-ws01/service2", content=to_wire(InboundRequest()))  # which org?
    assert response.status_code == 500
    detail = read_message(response.content).message
    assert isinstance(detail, ErrorDetail)
    assert detail.code == "ECMS-202"


async def test_the_org_parameter_reaches_the_service(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        response = await http.post("/ecms-ws01/service2?org=2099000000", content=to_wire(InboundRequest()))
    assert response.status_code == 200


async def test_a_request_over_the_size_limit_is_refused_with_ecms_105(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    node.settings = dataclasses.replace(node.settings, limits=XmlLimits(max_bytes=100))
    async with _http(node) as http:
        response = await http.post("/ecms-ws01/service2", content=to_wire(TimeCheckRequest()))
    assert response.status_code == 500
    detail = read_message(response.content).message
    assert isinstance(detail, ErrorDetail)
    assert detail.code == "ECMS-105"


async def test_get_serves_the_wsdl_and_its_schemas_and_nothing_else(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        wsdl = await http.get("/ecms-ws01/service2?wsdl&org=2099100000")
        schema = await http.get("/ecms-ws01/service2", params={"xsd": "messages.xsd"})
        missing = await http.get("/ecms-ws01/service2", params={"xsd": "../pyproject.toml"})
        bare = await http.get("/ecms-ws01/service2")
        elsewhere = await http.get("/other")
    assert wsdl.status_code == 200
    address = etree.fromstring(wsdl.content).xpath("//*[local-name()='address']/@location")
    assert address == [f"{HERE}?org=2099100000"]
    assert schema.status_code == 200
    assert b"CorrespondenceLetterInboundRequest" in schema.content
    assert missing.status_code == 404
    assert bare.status_code == 400
    assert f"{HERE}?wsdl".encode() in bare.content
    assert elsewhere.status_code == 404
    assert elsewhere.text == f"no e-CMS service at /other; it is at /ecms-ws01/service2 (WSDL: {HERE}?wsdl)"


async def test_a_wsdl_for_an_organisation_not_served_here_is_refused(tmp_path: Path) -> None:
    """Its address would have named that organisation, and every call from it failed with ECMS-201."""
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        unknown = await http.get("/ecms-ws01/service2?wsdl&org=2199000000")  # served by another node
        by_department = await http.get("/ecms-ws01/service2?wsdl&org=20991")
    assert unknown.status_code == 404
    assert unknown.text == (
        "?org=2199000000 names no organisation served by this node; it serves 2099000000, 2099100000"
    )
    assert by_department.status_code == 200


async def test_org_given_twice_is_refused_not_guessed(tmp_path: Path) -> None:
    """``?org=A&org=B`` was taken as B; the same organisation twice is still one."""
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        two = await http.post(
            "/ecms-ws01/service2?org=2099000000&org=2099100000", content=to_wire(InboundRequest())
        )
        same = await http.post(
            "/ecms-ws01/service2?org=2099000000&org=2099000000", content=to_wire(InboundRequest())
        )
        wsdl = await http.get("/ecms-ws01/service2?wsdl&org=2099000000&org=2099100000")
    assert two.status_code == 500
    detail = read_message(two.content).message
    assert isinstance(detail, ErrorDetail)
    assert detail.code == "ECMS-201"
    said = "the URL gives ?org= more than once (2099000000, 2099100000): give the one organisation that calls"
    assert detail.description == said
    assert same.status_code == 200
    assert wsdl.status_code == 404
    assert wsdl.text == said


async def test_other_methods_get_405_with_the_allowed_ones(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        response = await http.put("/ecms-ws01/service2", content=b"<x/>")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"


async def test_head_answers_like_get(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        head = await http.head("/ecms-ws01/service2?wsdl")
        get = await http.get("/ecms-ws01/service2?wsdl")
    assert head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"] == "text/xml; charset=utf-8"
    assert head.headers["content-length"] == str(len(get.content))


async def test_the_service_path_with_a_trailing_slash_redirects_to_it_with_the_query(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    async with _http(node) as http:
        response = await http.post("/ecms-ws01/service2/?org=2099000000", content=b"")
    assert response.status_code == 307
    assert response.headers["location"] == "/ecms-ws01/service2?org=2099000000"


async def test_the_lifespan_runs_the_relay_worker_until_shutdown(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    runs = 0

    async def start_relays(*, limit: int = 50) -> int:
        nonlocal runs
        runs += 1
        return 0

    node.start_relays = start_relays  # type: ignore[method-assign]
    app = create_node_app(node, describe_service(HERE), relay_interval_s=0.01)
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    server = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert await outbox.get() == {"type": "lifespan.startup.complete"}
    while runs < 2:
        await asyncio.sleep(0.01)
    await inbox.put({"type": "lifespan.shutdown"})
    assert await outbox.get() == {"type": "lifespan.shutdown.complete"}
    await server
    stopped_at = runs
    await asyncio.sleep(0.05)
    assert runs == stopped_at


async def test_a_relay_worker_that_keeps_failing_logs_once_and_again_when_it_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """While the database was down, each run (every second) logged a traceback."""
    node, _, _ = make_node(tmp_path)
    outcomes: list[Exception | None] = [OSError("database down")] * 3 + [None]

    async def start_relays(*, limit: int = 50) -> int:
        failure = outcomes.pop(0) if outcomes else None
        if failure is not None:
            raise failure
        return 0

    node.start_relays = start_relays  # type: ignore[method-assign]
    app = create_node_app(node, describe_service(HERE), relay_interval_s=0.001)
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    caplog.set_level(logging.WARNING, logger="ecms_adapters.http")
    server = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    await outbox.get()
    while outcomes:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.01)
    await inbox.put({"type": "lifespan.shutdown"})
    await outbox.get()
    await server
    assert [r.getMessage() for r in caplog.records] == [
        "the relay worker failed; trying again every 0.001 s until it works",
        "the relay worker works again",
    ]
    assert caplog.records[0].exc_info is not None


async def test_readyz_is_503_with_the_databases_reason_when_it_cannot_be_opened(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    # A real SQLite database the node cannot open: a folder is in the way of its file.
    (tmp_path / "in-the-way.sqlite3").mkdir()
    node.db = Database(f"sqlite:///{tmp_path / 'in-the-way.sqlite3'}")
    async with _http(node) as http:
        response = await http.get("/readyz")
        alive = await http.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    database, directory = body["checks"]
    assert database["name"] == "database"
    assert database["ok"] is False
    assert "unable to open database file" in database["reason"]
    assert directory == {"name": "directory", "ok": True, "reason": None, "seconds": directory["seconds"]}
    assert alive.status_code == 200  # alive all the same: restarting would not bring the database back
