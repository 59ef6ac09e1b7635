"""What the node answers besides the queue: lists, clock, and a SOAP Fault with ErrorDetail for every
request it cannot take."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ecms_gateway.codec import (
    ErrorDetail,
    InboundRequest,
    MimeCodesRequest,
    MimeCodesResponse,
    MinistryListRequest,
    MinistryListResponse,
    NotifierKind,
    OrganizationListRequest,
    OrganizationListResponse,
    OutboundResponse,
    SecretCodesRequest,
    SecretCodesResponse,
    SpeedCodesRequest,
    SpeedCodesResponse,
    TimeCheckRequest,
    TimeCheckResponse,
    encode,
    read_message,
    to_bytes,
    to_wire,
)
from ecms_gateway.node import CODES, TRANSIENT_CODES, Side
from ecms_gateway.node.codes import INTERNAL, SCHEMA_INVALID
from ecms_gateway.node.faults import fault_envelope
from ecms_gateway.xml.namespaces import SOAP_ENV
from tests.unit.node.helpers import ORG_A, call, directory, make_node, notifier

pytestmark = pytest.mark.anyio


async def test_the_lists_come_from_the_directory(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    listing = directory()
    assert await call(node, MinistryListRequest()) == MinistryListResponse(ministries=listing.ministries)
    organizations = await call(node, OrganizationListRequest())
    assert organizations == OrganizationListResponse(organizations=listing.organizations)
    assert await call(node, SecretCodesRequest()) == SecretCodesResponse(codes=listing.secret_codes)
    assert await call(node, SpeedCodesRequest()) == SpeedCodesResponse(codes=listing.speed_codes)
    assert await call(node, MimeCodesRequest()) == MimeCodesResponse(codes=listing.mime_codes)
    assert len(listing.mime_codes) == 12


async def test_the_clock_is_the_nodes_in_thai_time(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)  # the clock says 2026-11-20 03:00 UTC
    assert await call(node, TimeCheckRequest()) == TimeCheckResponse(process_time="2026-11-20T10:00:00+07:00")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<not-closed", "ECMS-100"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "ECMS-100"),
        (b"<Hello/>", "ECMS-101"),
        (to_bytes(encode(InboundRequest())), "ECMS-101"),  # no envelope
        (to_wire(OutboundResponse(process_id="P", process_time="t")), "ECMS-104"),
    ],
    ids=["malformed", "doctype", "unknown", "bare", "a reply"],
)
async def test_bad_requests_get_a_client_fault_with_error_detail(
    tmp_path: Path, body: bytes, code: str
) -> None:
    node, _, _ = make_node(tmp_path)
    reply = await node.handle(body, org=ORG_A)
    assert reply.fault
    read = read_message(reply.body)
    assert read.payload.tag == f"{{{SOAP_ENV}}}Fault"
    assert read.payload.findtext("faultcode") == "soap:Client"
    assert isinstance(read.message, ErrorDetail)
    assert read.message.code == code


async def test_a_request_breaking_the_schema_names_the_fault(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    body = to_wire(InboundRequest()).replace(
        b"<CorrespondenceLetterInboundRequest/>", b"<CorrespondenceLetterDeleteRequest/>"
    )
    reply = await call_raw(node, body)
    assert isinstance(reply, ErrorDetail)
    assert reply.code == "ECMS-102"
    assert "ProcessID" in reply.description


async def call_raw(node: object, body: bytes) -> object:
    reply = await node.handle(body, org=ORG_A)  # type: ignore[attr-defined]
    return read_message(reply.body).message


def test_every_code_is_documented_once_with_its_side() -> None:
    documented = (Path(__file__).resolve().parents[3] / "docs" / "ecms-channel.md").read_text(
        encoding="utf-8"
    )
    for code, entry in CODES.items():
        assert f"`{code}`" in documented, code
        assert entry.side in (Side.CLIENT, Side.SERVER)
    assert {"ECMS-500", "ECMS-501"} == TRANSIENT_CODES


def test_a_fault_carries_its_side_and_replaces_characters_xml_cannot_carry() -> None:
    server = read_message(fault_envelope(INTERNAL, "disk \x00 full"))
    assert server.payload.findtext("faultcode") == "soap:Server"
    assert server.message == ErrorDetail(code="ECMS-500", description="disk \ufffd full")
    assert read_message(fault_envelope(SCHEMA_INVALID, "")).message == ErrorDetail(
        code="ECMS-102", description=SCHEMA_INVALID.meaning
    )


async def test_a_database_failure_is_one_line_for_the_caller_and_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Not SQLAlchemy's rendering: the statement, its parameters and a link went to SOAP callers, and a
    traceback per request to the log while the database was down."""
    node, _, _ = make_node(tmp_path)
    with node.db.write() as conn:
        conn.exec_driver_sql("DROP TABLE node_payload")
    caplog.set_level(logging.ERROR, logger="ecms_gateway.node")
    failed = await call(node, InboundRequest(), org=ORG_A)
    assert failed == ErrorDetail(
        code="ECMS-501",
        description="the node's database failed (no such table: node_payload); try again later",
    )
    assert [(r.getMessage(), r.exc_info) for r in caplog.records] == [
        ("node database failed: no such table: node_payload", None)
    ]


async def test_a_bare_notifier_is_told_to_go_inside_an_outbound_request(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    refused = await call(node, notifier(NotifierKind.ACCEPT, accept_department="20991"), org=ORG_A)
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-104"
    assert "AcceptLetterNotifier is not a request this node serves: send it inside " in refused.description
    assert "CorrespondenceLetterOutboundRequest" in refused.description
