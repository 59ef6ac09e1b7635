"""One instance of every e-CMS message type (and its variants), shared by the codec tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from ecms_gateway.codec import (
    CodeValue,
    DeleteRequest,
    DeleteResponse,
    ErrorDetail,
    InboundRequest,
    InboundResponse,
    InboundSpecialRequest,
    LetterDocument,
    LetterKey,
    Message,
    MimeCode,
    MimeCodesRequest,
    MimeCodesResponse,
    MinistryInfo,
    MinistryListRequest,
    MinistryListResponse,
    Notifier,
    NotifierKind,
    OrganizationInfo,
    OrganizationListRequest,
    OrganizationListResponse,
    OutboundRequest,
    OutboundResponse,
    OutboundStatus,
    OutboundStatusRequest,
    OutboundStatusResponse,
    SecretCodesRequest,
    SecretCodesResponse,
    SpecialItemKind,
    SpeedCodesRequest,
    SpeedCodesResponse,
    TimeCheckRequest,
    TimeCheckResponse,
    WithdrawRequest,
    WithdrawResponse,
    build_document,
)
from tests.unit.codec.helpers import make_package

KEY = LetterKey(
    letter_id="ศธ ๐๙๙๐/๑๒๓๔",
    correspondence_date=date(2026, 11, 20),
    sender_department="20990",
    accept_department="20991",
)


def notifier(kind: NotifierKind, **extra: Any) -> Notifier:
    return Notifier(
        kind=kind,
        letter_id="ศธ 0990/1234",
        correspondence_date=date(2026, 11, 20),
        subject="ขอเชิญประชุม",
        **extra,
    )


def document() -> LetterDocument:
    return LetterDocument(element=build_document(make_package()))


FULL_NOTIFIER = notifier(
    NotifierKind.REJECT,
    accept_id="๒๑๔๕",
    accept_date="2026-11-22T14:10:00",
    accept_department="21990",
    description="ส่งผิดหน่วยงาน",
)

CASES: list[tuple[str, Message]] = [
    ("outbound letter", OutboundRequest(item=document())),
    *[(f"outbound {kind.value}", OutboundRequest(item=notifier(kind))) for kind in NotifierKind],
    ("outbound full notifier", OutboundRequest(item=FULL_NOTIFIER)),
    ("outbound response", OutboundResponse(process_id="P-1", process_time="2026-11-20 10:00:00")),
    (
        "outbound response echo",
        OutboundResponse(process_id="P-1", process_time="t", item=notifier(NotifierKind.ACCEPT)),
    ),
    ("outbound response letter echo", OutboundResponse(process_id="P-1", process_time="t", item=document())),
    ("inbound request", InboundRequest()),
    ("inbound response empty", InboundResponse()),
    ("inbound response letter", InboundResponse(process_id="P-2", process_time="t", item=document())),
    ("inbound response notifier", InboundResponse(process_id="P-3", process_time="t", item=FULL_NOTIFIER)),
    ("delete request", DeleteRequest(process_id="P-2")),
    ("delete response", DeleteResponse(process_id="P-2", process_time="2026-11-20T10:00:00")),
    ("withdraw request", WithdrawRequest(key=KEY)),
    ("withdraw response", WithdrawResponse(process_id="P-4", process_time="t")),
    ("withdraw response without id", WithdrawResponse(process_time="t")),
    *[(f"special {kind.value}", InboundSpecialRequest(item_kind=kind, key=KEY)) for kind in SpecialItemKind],
    ("ministry list request", MinistryListRequest()),
    (
        "ministry list response",
        MinistryListResponse(
            ministries=(
                MinistryInfo(th_name="กระทรวงศึกษาธิการ", ministry_id="20"),
                MinistryInfo(th_name="x", ministry_id="01"),
            )
        ),
    ),
    ("ministry list response empty", MinistryListResponse()),
    ("organization list request", OrganizationListRequest()),
    (
        "organization list response",
        OrganizationListResponse(
            organizations=(
                OrganizationInfo(
                    en_name="Sample",
                    th_name="ตัวอย่าง",
                    ecms_url="http://127.0.0.1:8800/ecms-ws01/service2",
                    organization_id="2099000000",
                ),
                OrganizationInfo(
                    en_name="No node", th_name="ไม่มี", ecms_url=None, organization_id="2199000000"
                ),
            )
        ),
    ),
    ("secret codes request", SecretCodesRequest()),
    ("secret codes response", SecretCodesResponse(codes=(CodeValue(value="001", description="ปกติ"),))),
    ("speed codes request", SpeedCodesRequest()),
    (
        "speed codes response",
        SpeedCodesResponse(codes=tuple(CodeValue(value=f"00{i}", description=f"d{i}") for i in range(1, 5))),
    ),
    ("mime codes request", MimeCodesRequest()),
    (
        "mime codes response",
        MimeCodesResponse(codes=(MimeCode(extension="pdf", content_type="application/pdf"),)),
    ),
    ("outbound status request", OutboundStatusRequest()),
    ("outbound status request filtered", OutboundStatusRequest(letter_id="ศธ 0990/1234")),
    (
        "outbound status response",
        OutboundStatusResponse(
            statuses=(OutboundStatus(process_id="P-1", letter_id="ศธ 0990/1234", process_status="DELIVERED"),)
        ),
    ),
    ("time check request", TimeCheckRequest()),
    ("time check response", TimeCheckResponse(process_time="2026-11-20T10:00:00.123+07:00")),
    ("error detail", ErrorDetail(code="E1", description="ข้อผิดพลาด")),
    ("bare letter", document()),
    ("bare notifier", FULL_NOTIFIER),
]

CASE_IDS = [label for label, _ in CASES]
