"""read_message: unknown input is named as such, schema faults come with their line and a readable reason."""

from __future__ import annotations

import pytest
from lxml import etree

from ecms_gateway.codec import (
    MESSAGE_ELEMENTS,
    LetterDocument,
    OutboundRequest,
    build_document,
    decode,
    encode,
    read_element,
    read_message,
    to_bytes,
)
from ecms_gateway.codec.document import LETTER
from ecms_gateway.errors import SchemaInvalid, UnknownMessage, XmlRejected
from ecms_gateway.xml.namespaces import RAM, qname
from ecms_gateway.xml.parser import XmlLimits, parse_xml
from tests.unit.codec.helpers import make_package


def _letter_bytes() -> bytes:
    """A letter request pretty-printed, so that elements sit on their own lines."""
    root = encode(OutboundRequest(item=LetterDocument(element=build_document(make_package()))))
    etree.indent(root)
    return to_bytes(root)


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def test_schema_fault_names_the_line_and_a_readable_reason() -> None:
    data = _letter_bytes().replace(b"<ram:SpeedCode>002<", b"<ram:SpeedCode>009<")
    with pytest.raises(SchemaInvalid) as caught:
        read_message(data)
    error = caught.value
    assert error.message_type == "CorrespondenceLetterOutboundRequest"
    [fault] = error.faults
    assert fault.where == f"line {_line_of(data, b'<ram:SpeedCode>')}"
    assert "ram:SpeedCode" in fault.problem
    assert "'009'" in fault.problem
    assert "{urn:" not in str(error)


def test_every_fault_is_reported_not_only_the_first() -> None:
    data = (
        _letter_bytes()
        .replace(b"<ram:SpeedCode>002<", b"<ram:SpeedCode>009<")
        .replace(b"<ram:SecretCode>001<", b"<ram:SecretCode>000<")
        .replace(b"<ram:ID>20</ram:ID>", b"<ram:ID>2</ram:ID>", 1)
    )
    with pytest.raises(SchemaInvalid) as caught:
        read_message(data)
    lines = {fault.where for fault in caught.value.faults}
    assert lines == {
        f"line {_line_of(data, b'<ram:SpeedCode>')}",
        f"line {_line_of(data, b'<ram:SecretCode>')}",
        f"line {_line_of(data, b'<ram:ID>2<')}",
    }


def test_blank_text_is_explained_in_plain_words() -> None:
    data = _letter_bytes().replace("<ram:Subject>ทดสอบการส่งหนังสือ<".encode(), b"<ram:Subject>   <")
    with pytest.raises(SchemaInvalid) as caught:
        read_message(data)
    [fault] = caught.value.faults
    assert fault.problem == "Element 'ram:Subject': is blank; write the text"


def test_missing_and_misplaced_elements_are_named() -> None:
    data = b"<CorrespondenceLetterDeleteResponse>\n<ProcessTime>t</ProcessTime>\n"
    data += b"</CorrespondenceLetterDeleteResponse>"
    with pytest.raises(SchemaInvalid) as caught:
        read_message(data)
    [fault] = caught.value.faults
    assert fault.where == "line 2"
    assert "ProcessTime" in fault.problem
    assert "Expected is ( ProcessID )" in fault.problem


def test_unknown_root_is_not_an_ecms_message() -> None:
    with pytest.raises(UnknownMessage) as caught:
        read_message(b"<Invoice><ID>1</ID></Invoice>", source="invoice.xml")
    message = str(caught.value)
    assert message.startswith("invoice.xml line 1: <Invoice> is not an e-CMS message: expected one of ")
    assert "CorrespondenceLetterOutboundRequest" in message
    assert "GovernmentDocument" in message


@pytest.mark.parametrize(
    ("xml", "shown"),
    [
        (b'<x:TimeCheckRequest xmlns:x="urn:other"/>', "<{urn:other}TimeCheckRequest>"),
        (
            b'<ram:CorrespondenceLetter xmlns:ram="urn:th:gov:egif:data:standard:'
            b'ReusableAggregateBusinessInformationEntity:1"/>',
            "<ram:CorrespondenceLetter>",
        ),
        (b"<GovernmentDocument/>", None),
    ],
    ids=["known name in a foreign namespace", "letter without its document", "letter name without namespace"],
)
def test_known_names_in_the_wrong_namespace_are_unknown(xml: bytes, shown: str | None) -> None:
    with pytest.raises(UnknownMessage) as caught:
        read_message(xml)
    if shown is not None:
        assert shown in str(caught.value)


def test_unknown_body_child_names_its_line() -> None:
    data = b"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
<s:Body>
<GetWeather/>
</s:Body></s:Envelope>"""
    with pytest.raises(UnknownMessage, match=r"^input line 3: <GetWeather> is not an e-CMS message"):
        read_message(data)


def test_decode_refuses_unknown_elements() -> None:
    with pytest.raises(UnknownMessage, match="<Nope> is not an e-CMS message"):
        decode(etree.Element("Nope"))


def test_doctype_is_refused_before_anything_else() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><TimeCheckRequest>&a;</TimeCheckRequest>'
    with pytest.raises(XmlRejected):
        read_message(data)


def test_malformed_xml_is_refused_with_its_line() -> None:
    with pytest.raises(XmlRejected, match="line 2"):
        read_message(b"<TimeCheckRequest>\n</TimeCheck>")


def test_size_limit_applies() -> None:
    with pytest.raises(XmlRejected, match="over the limit"):
        read_message(_letter_bytes(), limits=XmlLimits(max_bytes=100))


def test_read_element_takes_an_already_parsed_tree() -> None:
    """The verified tree itself flows on: no second parse."""
    root = parse_xml(_letter_bytes())
    read = read_element(root)
    assert read.payload is root
    assert isinstance(read.message, OutboundRequest)
    assert isinstance(read.message.item, LetterDocument)
    assert read.message.item.element.getparent() is root
    assert read.message.item.element.find(LETTER) is not None


def test_bare_letter_is_a_government_document() -> None:
    read = read_message(to_bytes(build_document(make_package())))
    assert read.message_type == "GovernmentDocument"
    assert read.envelope is None
    assert isinstance(read.message, LetterDocument)
    assert read.message.decode().package == make_package()


def test_message_elements_cover_the_protocol_table() -> None:
    assert {
        "CorrespondenceLetterOutboundRequest",
        "CorrespondenceLetterOutboundResponse",
        "CorrespondenceLetterInboundRequest",
        "CorrespondenceLetterInboundResponse",
        "CorrespondenceLetterDeleteRequest",
        "CorrespondenceLetterDeleteResponse",
        "CorrespondenceDeleteGovernmentDocumentRequest",
        "CorrespondenceDeleteGovernmentDocumentResponse",
        "CorrespondenceLetterInboundSpecialRequest",
        "ReceiveLetterNotifier",
        "AcceptLetterNotifier",
        "RejectLetterNotifier",
        "InvalidLetterNotifier",
        "InvalidAcceptIDNotifier",
        "GetMinistryOrganizationList",
        "GetMinistryOrganizationListResponse",
        "GetOrganizationList",
        "GetOrganizationListResponse",
        "GetSecretCodes",
        "GetSecretCodesResponse",
        "GetSpeedCodes",
        "GetSpeedCodesResponse",
        "GetMimeCodes",
        "GetMimeCodesResponse",
        "OutboundStatusRequest",
        "OutboundStatusResponse",
        "TimeCheckRequest",
        "TimeCheckResponse",
        "ErrorDetail",
        "GovernmentDocument",
        "Fault",
    } == MESSAGE_ELEMENTS
    assert qname(RAM, "x").startswith("{urn:th:gov:egif")


def test_letter_the_model_refuses_is_caught_when_reading() -> None:
    """Schema-valid but not a letter the model accepts (Buddhist-era date): read_message says which field."""
    data = _letter_bytes().replace(b">2026-11-20<", b">2569-11-20<", 1)
    with pytest.raises(SchemaInvalid, match=r"letter field date: .*Buddhist Era") as caught:
        read_message(data)
    assert caught.value.message_type == "GovernmentDocument"


def test_decoded_letter_is_read_once() -> None:
    read = read_message(_letter_bytes())
    assert isinstance(read.message, OutboundRequest)
    assert isinstance(read.message.item, LetterDocument)
    assert read.message.item.decode() is read.message.item.decode()
