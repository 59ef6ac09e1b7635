"""The SOAP 1.1 envelope: message ids, wrap/unwrap, bare messages, faults, serialization."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime

import pytest
from lxml import etree

from ecms_gateway.codec import (
    DeleteRequest,
    ErrorDetail,
    TimeCheckRequest,
    encode,
    new_message_id,
    read_message,
    to_bytes,
    to_wire,
    unwrap,
    wrap,
)
from ecms_gateway.codec.envelope import BODY, HEADER, MESSAGE_ID, TO
from ecms_gateway.errors import UnknownMessage
from ecms_gateway.xml.parser import parse_xml

NOW = datetime(2026, 11, 20, 9, 5, 7, 45_999, tzinfo=UTC)


def test_message_id_follows_the_spec_comment_plus_randomness() -> None:
    first = new_message_id(NOW, host="gw1.example.go.th")
    assert re.fullmatch(r"mid://20261120\.090507045\.[0-9a-f]{6}@gw1\.example\.go\.th", first)
    assert new_message_id(NOW, host="gw1.example.go.th") != first


@pytest.mark.parametrize(("host", "shown"), [("", "noname"), ("my host_1", "myhost1"), ("__", "noname")])
def test_message_id_host_is_sanitised(host: str, shown: str) -> None:
    assert new_message_id(NOW, host=host).endswith(f"@{shown}")


def test_message_id_defaults_to_this_machine() -> None:
    expected = re.sub(r"[^A-Za-z0-9.-]", "", socket.gethostname()) or "noname"
    assert new_message_id(NOW).endswith(f"@{expected}")


def test_message_id_is_a_valid_addressing_header() -> None:
    data = to_wire(
        TimeCheckRequest(), message_id=new_message_id(NOW), to="http://127.0.0.1:8800/ecms-ws01/service2"
    )
    read = read_message(data)
    assert read.envelope is not None
    assert read.envelope.message_id is not None
    assert read.envelope.message_id.startswith("mid://20261120.090507045.")


def test_wrap_puts_addressing_in_the_header_and_the_payload_in_the_body() -> None:
    envelope = wrap(
        encode(DeleteRequest(process_id="P-1")), to="http://node/ecms-ws01/service2", message_id="mid://x"
    )
    header = envelope.find(HEADER)
    assert header is not None
    assert [child.tag for child in header] == [MESSAGE_ID, TO]
    body = envelope.find(BODY)
    assert body is not None
    assert [child.tag for child in body] == ["CorrespondenceLetterDeleteRequest"]
    unwrapped = unwrap(envelope)
    assert (unwrapped.message_id, unwrapped.to, unwrapped.enveloped) == (
        "mid://x",
        "http://node/ecms-ws01/service2",
        True,
    )
    assert unwrapped.payload.tag == "CorrespondenceLetterDeleteRequest"


def test_wrap_without_addressing_has_no_header() -> None:
    envelope = wrap(encode(TimeCheckRequest()))
    assert envelope.find(HEADER) is None
    unwrapped = unwrap(envelope)
    assert unwrapped.message_id is None
    assert unwrapped.to is None


def test_bare_message_unwraps_to_itself() -> None:
    root = encode(TimeCheckRequest())
    unwrapped = unwrap(root)
    assert unwrapped.payload is root
    assert not unwrapped.enveloped


def test_fault_with_error_detail_becomes_error_detail() -> None:
    data = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
      <faultcode>s:Client</faultcode><faultstring>bad</faultstring>
      <detail><ErrorDetail><ErrorCode>E7</ErrorCode><ErrorDescription>ไม่ถูกต้อง</ErrorDescription></ErrorDetail></detail>
    </s:Fault></s:Body></s:Envelope>""".encode()
    read = read_message(data)
    assert read.message_type == "Fault"
    assert read.message == ErrorDetail(code="E7", description="ไม่ถูกต้อง")


def test_fault_without_detail_uses_faultcode_and_faultstring() -> None:
    data = b"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
      <faultcode>s:Server</faultcode><faultstring>node is down</faultstring>
    </s:Fault></s:Body></s:Envelope>"""
    assert read_message(data).message == ErrorDetail(code="s:Server", description="node is down")


def test_error_detail_directly_in_the_body() -> None:
    read = read_message(to_wire(ErrorDetail(code="E1", description="x")))
    assert read.message_type == "ErrorDetail"
    assert read.message == ErrorDetail(code="E1", description="x")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
            "Body is empty",
        ),
        (
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/></s:Envelope>',
            "has no Body",
        ),
        (
            b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><TimeCheckRequest/></s:Body>'
            b"</s:Envelope>",
            "SOAP 1.1 only",
        ),
    ],
    ids=["empty body", "no body", "soap 1.2"],
)
def test_envelopes_without_a_usable_payload_are_unknown_messages(data: bytes, reason: str) -> None:
    with pytest.raises(UnknownMessage, match=reason) as caught:
        read_message(data, source="request.xml")
    assert str(caught.value).startswith("request.xml: ")


def test_to_bytes_writes_a_utf8_declaration_and_no_tail() -> None:
    root = etree.Element("root")
    child = etree.SubElement(root, "ErrorDetail")
    child.text = "ไทย"
    child.tail = "tail text"
    data = to_bytes(child)
    assert data == "<?xml version='1.0' encoding='utf-8'?>\n<ErrorDetail>ไทย</ErrorDetail>".encode()
    assert parse_xml(data).text == "ไทย"
