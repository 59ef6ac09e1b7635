"""Hand-written realistic messages (tests/data/messages): read, normalised, re-sent in standard form."""

from __future__ import annotations

from datetime import date

import pytest

from ecms_gateway.codec import (
    ErrorDetail,
    InboundResponse,
    InboundSpecialRequest,
    LetterDocument,
    LetterKey,
    Notifier,
    NotifierKind,
    OrganizationListResponse,
    OutboundRequest,
    ReadMessage,
    SpecialItemKind,
    WithdrawRequest,
    read_message,
    to_wire,
)
from ecms_gateway.codec.messages import DeleteRequest
from ecms_gateway.errors import SchemaInvalid
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from tests.unit.codec.helpers import MESSAGES

SAMPLES = sorted(p.name for p in MESSAGES.glob("*.xml"))
VALID = [name for name in SAMPLES if not name.startswith("invalid-")]


def _read(name: str) -> ReadMessage:
    return read_message((MESSAGES / name).read_bytes(), source=name)


@pytest.mark.parametrize("name", VALID)
def test_valid_samples_are_resent_in_standard_form(name: str) -> None:
    """Whatever variant came in, what we would send back is canonical, valid and reads back equal."""
    read = _read(name)
    data = to_wire(read.message, to="http://127.0.0.1:8800/ecms-ws01/service2")
    for variant in (b"http://w3.org/", b"<wsa:to>", b"processID", b"CorrespondenceData", b"MinistryCode"):
        assert variant not in data
    assert read_message(data).message == read.message


def test_outbound_letter_with_every_variant() -> None:
    read = _read("outbound-letter-variants.xml")
    assert read.message_type == "CorrespondenceLetterOutboundRequest"
    assert read.envelope is not None
    assert read.envelope.to == "http://ecms.sample-health.example.go.th/ecms-ws01/service2"
    assert read.envelope.message_id == "mid://20261121.093015250@noname"
    assert isinstance(read.message, OutboundRequest)
    assert isinstance(read.message.item, LetterDocument)
    decoded = read.message.item.decode()
    letter = decoded.package.letter
    assert letter.kind is Kind.EXTERNAL
    assert letter.book_no == "ศธ ๐๙๙๐/๐๐๐๗"
    assert letter.book_key == "ศธ 0990/0007"
    assert letter.speed is Speed.MOST_URGENT
    assert letter.secrecy is Secrecy.NORMAL
    assert letter.sender.org_id == "2099000000"
    assert letter.receiver.org_id == "2199000000"
    assert letter.references[0].date == date(2026, 10, 1)
    assert decoded.send_time == "2026-11-21T09:30:15"
    assert decoded.package.main.name == "main.pdf"
    assert decoded.package.main.content.startswith(b"%PDF-1.4")
    assert decoded.signer is not None
    assert (decoded.signer.ministry_id, decoded.signer.department_id) == ("20", "20990")
    assert letter.signer is not None
    assert letter.signer.job_title == "เลขาธิการ"
    assert not decoded.is_signed


def test_inbound_notifier_with_casing_and_typo() -> None:
    read = _read("inbound-notifier-variants.xml")
    assert read.envelope is not None
    assert read.envelope.to == "http://ecms.sample-council.example.go.th/ecms-ws01/service2"
    assert read.message == InboundResponse(
        process_id="P-2026-000481",
        process_time="2026-11-22 14:15:03",
        item=Notifier(
            kind=NotifierKind.ACCEPT,
            letter_id="ศธ ๐๙๙๐/๐๐๐๗",
            correspondence_date=date(2026, 11, 21),
            subject="แจ้งปิดระบบบริการออนไลน์ชั่วคราวเพื่อปรับปรุง",
            accept_id="2145",
            accept_date="2026-11-22T14:10:00",
            accept_department="21990",
        ),
    )


def test_delete_request() -> None:
    read = _read("delete-request.xml")
    assert read.message == DeleteRequest(process_id="P-2026-000481")
    assert read.envelope is not None
    assert read.envelope.message_id == "mid://20261122.141509441@noname"


def test_bare_withdraw_request_with_typo() -> None:
    read = _read("withdraw-request-typo.xml")
    assert read.envelope is None
    assert read.message == WithdrawRequest(
        key=LetterKey(
            letter_id="ศธ 0990/1234",
            correspondence_date=date(2026, 11, 20),
            sender_department="20990",
            accept_department="20991",
        )
    )


def test_special_request() -> None:
    read = _read("special-request.xml")
    assert isinstance(read.message, InboundSpecialRequest)
    assert read.message.item_kind is SpecialItemKind.REJECT
    assert read.envelope is not None
    assert read.envelope.to is None


def test_directory_with_an_organisation_without_node() -> None:
    read = _read("organization-list-response.xml")
    assert isinstance(read.message, OrganizationListResponse)
    assert [o.ecms_url for o in read.message.organizations] == [
        "http://127.0.0.1:8800/ecms-ws01/service2",
        None,
    ]
    assert [o.organization_id for o in read.message.organizations] == ["2099000000", "2199000000"]


def test_fault_sample() -> None:
    read = _read("fault-error-detail.xml")
    assert read.message_type == "Fault"
    assert read.message == ErrorDetail(code="E102", description="ไม่พบหน่วยงานปลายทาง 2199900000 ในทะเบียน")


def test_invalid_speed_code_sample_is_refused_at_its_line() -> None:
    with pytest.raises(SchemaInvalid) as caught:
        _read("invalid-speed-code.xml")
    assert [str(fault) for fault in caught.value.faults] == [
        "line 17: Element 'ram:SpeedCode': [facet 'enumeration'] The value '005' is not an element of the "
        "set {'001', '002', '003', '004'}."
    ]
