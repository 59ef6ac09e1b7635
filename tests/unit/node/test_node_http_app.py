"""The node's HTTP face (Starlette): SOAP over POST, the WSDL and schemas over GET, faults with HTTP 500."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest
from ecms_adapters.http import create_node_app
from lxml import etree

from ecms_gateway.codec import (
    ErrorDetail,
    InboundRequest,
    TimeCheckRequest,
    TimeCheckResponse,
    read_message,
    to_wire,
)
from ecms_gateway.node import NodeService, describe_service
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
