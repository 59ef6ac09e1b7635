"""Every e-CMS message type: encode, validate, wire round trip (encode -> bytes -> read_message -> equal)."""

from __future__ import annotations

import typing
from datetime import date

import pytest
from lxml import etree

from ecms_gateway.codec import (
    MESSAGE_ELEMENTS,
    DeleteRequest,
    ErrorDetail,
    InboundResponse,
    LetterDocument,
    LetterKey,
    Message,
    MinistryInfo,
    MinistryListResponse,
    Notifier,
    NotifierKind,
    OrganizationInfo,
    OrganizationListResponse,
    OutboundRequest,
    OutboundStatusRequest,
    WithdrawRequest,
    build_document,
    decode,
    element_name,
    encode,
    letter_request,
    read_message,
    schemas_dir,
    to_bytes,
    to_wire,
    validate,
)
from ecms_gateway.codec.messages import REPLY_OF
from ecms_gateway.errors import InputError, SchemaInvalid
from ecms_gateway.xml.namespaces import XSD, qname
from ecms_gateway.xml.parser import parse_xml, parse_xml_file
from tests.unit.codec.cases import CASE_IDS, CASES, FULL_NOTIFIER, document, notifier
from tests.unit.codec.helpers import make_package


@pytest.mark.parametrize(("label", "message"), CASES, ids=CASE_IDS)
def test_round_trip_through_the_wire(label: str, message: Message) -> None:
    """Encoding validates, and the SOAP bytes read back as an equal message of the same type."""
    data = to_wire(
        message, to="http://127.0.0.1:8800/ecms-ws01/service2", message_id="mid://20261120.1@noname"
    )
    read = read_message(data)
    assert read.message == message
    assert type(read.message) is type(message)
    assert read.message_type == element_name(message)
    assert read.envelope is not None
    assert read.envelope.to == "http://127.0.0.1:8800/ecms-ws01/service2"


@pytest.mark.parametrize(("label", "message"), CASES, ids=CASE_IDS)
def test_bare_encoding_validates_and_decodes(label: str, message: Message) -> None:
    """The bare element (no envelope) is valid on its own and decodes to an equal message."""
    element = encode(message)
    validate(element, element_name(message))
    assert decode(element) == message
    read = read_message(to_bytes(element))
    assert read.envelope is None
    assert read.message == message


def test_every_message_class_has_a_case() -> None:
    """Adding a message type without a round-trip case here fails this test."""
    covered = {type(message) for _, message in CASES}
    assert covered == set(typing.get_args(Message))


def test_codec_knows_exactly_the_global_elements_of_messages_xsd() -> None:
    """The schema and the decoder table cannot drift apart."""
    schema = parse_xml_file(schemas_dir() / "messages.xsd")
    declared = {element.get("name") for element in schema.findall(qname(XSD, "element"))}
    assert declared | {"GovernmentDocument", "Fault"} == set(MESSAGE_ELEMENTS)


def test_every_request_has_its_reply_in_the_schema() -> None:
    assert set(REPLY_OF) | set(REPLY_OF.values()) <= MESSAGE_ELEMENTS
    assert REPLY_OF["CorrespondenceLetterInboundSpecialRequest"] == "CorrespondenceLetterInboundResponse"


def test_wrapper_and_notifier_elements_carry_no_namespace() -> None:
    element = encode(InboundResponse(process_id="P", process_time="t", item=FULL_NOTIFIER))
    assert all(etree.QName(node).namespace is None for node in element.iter())


def test_notifier_fields_are_written_in_schema_order() -> None:
    element = encode(FULL_NOTIFIER)
    assert [node.tag for node in element] == [
        "LetterID",
        "CorrespondenceDate",
        "Subject",
        "AcceptID",
        "AcceptDate",
        "AcceptDepartment",
        "Description",
    ]
    assert element.findtext("AcceptDepartment/Code") == "21990"


def test_organisation_without_node_is_sent_as_empty_ecms_url() -> None:
    element = encode(
        OrganizationListResponse(
            organizations=(
                OrganizationInfo(en_name="a", th_name="b", ecms_url=None, organization_id="2199000000"),
            )
        )
    )
    url = element.find("OrganizationList/OrganizationInfo/ECMS-URL")
    assert url is not None
    assert not url.text


def test_empty_inbound_response_means_empty_queue() -> None:
    read = read_message(b"<CorrespondenceLetterInboundResponse/>")
    assert isinstance(read.message, InboundResponse)
    assert read.message.is_empty


def test_encoding_a_letter_document_copies_it() -> None:
    """The caller's element stays where it was (a signed letter must not be moved out of its tree)."""
    letter = document()
    parent = letter.element.getparent()
    encode(OutboundRequest(item=letter))
    assert letter.element.getparent() is parent


def test_letter_request_moves_the_document_and_writes_what_to_wire_writes() -> None:
    built = build_document(make_package())
    copied = to_wire(
        OutboundRequest(item=LetterDocument(element=built)), to="http://node.example/", message_id="mid:1"
    )
    moved = letter_request(built, to="http://node.example/", message_id="mid:1")
    assert moved == copied
    assert built.getparent() is not None  # given up: it is in the request now
    with pytest.raises(ValueError, match="root of its tree"):
        letter_request(built)


@pytest.mark.parametrize(
    "message",
    [
        DeleteRequest(process_id=" "),
        OutboundStatusRequest(letter_id=""),
        WithdrawRequest(
            key=LetterKey(
                letter_id="x",
                correspondence_date=date(2026, 1, 1),
                sender_department="209",
                accept_department="20991",
            )
        ),
        MinistryListResponse(ministries=(MinistryInfo(th_name="x", ministry_id="2"),)),
        OrganizationListResponse(
            organizations=(
                OrganizationInfo(en_name="a", th_name="b", ecms_url=None, organization_id="20990"),
            )
        ),
        Notifier(kind=NotifierKind.RECEIVE, letter_id="", correspondence_date=date(2026, 1, 1), subject="s"),
    ],
    ids=[
        "blank process id",
        "empty letter filter",
        "3-digit department",
        "1-digit ministry",
        "5-digit org",
        "empty letter id",
    ],
)
def test_invalid_messages_never_leave(message: Message) -> None:
    """to_wire validates: a message that breaks the schema raises SchemaInvalid instead of being sent."""
    with pytest.raises(SchemaInvalid) as caught:
        to_wire(message)
    assert caught.value.message_type == element_name(message)
    assert caught.value.faults


def test_control_characters_are_an_input_error() -> None:
    with pytest.raises(InputError, match="characters XML cannot carry"):
        encode(ErrorDetail(code="E\x01", description="x"))


def test_thai_is_written_as_utf8_not_character_references() -> None:
    data = to_wire(ErrorDetail(code="E1", description="ข้อผิดพลาด"))
    assert "ข้อผิดพลาด".encode() in data
    assert b"&#" not in data
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_notifier_signature_is_not_part_of_equality() -> None:
    signature = parse_xml(b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>')
    plain = notifier(NotifierKind.ACCEPT)
    signed = Notifier(**{**plain.__dict__, "signature": signature})
    assert signed == plain


def test_letter_documents_compare_by_content() -> None:
    first, second = document(), document()
    assert first == second
    assert hash(first) == hash(second)
    other = LetterDocument(element=build_document(make_package(sender_org="2199000000")))
    assert first != other
