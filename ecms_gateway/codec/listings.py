"""The node's reference and status replies: ministries, directory, code tables, outbound status, clock,
errors. Encoders and decoders only; ``wire`` dispatches to them."""

from __future__ import annotations

from lxml import etree

from ecms_gateway.codec._xml import child, sub, text, text_opt
from ecms_gateway.codec.messages import (
    CodeValue,
    ErrorDetail,
    MimeCode,
    MimeCodesResponse,
    MinistryInfo,
    MinistryListResponse,
    OrganizationInfo,
    OrganizationListResponse,
    OutboundStatus,
    OutboundStatusResponse,
    SecretCodesResponse,
    SpeedCodesResponse,
    TimeCheckResponse,
)


def encode_ministries(message: MinistryListResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    listing = sub(root, "MinistryOrganizationList")
    for ministry in message.ministries:
        info = sub(listing, "MinistryOrganizationInfo")
        sub(info, "Th-Name", ministry.th_name)
        sub(info, "MinistryID", ministry.ministry_id)
    return root


def decode_ministries(element: etree._Element) -> MinistryListResponse:
    tag = MinistryListResponse.TAG
    listing = child(element, "MinistryOrganizationList", tag)
    return MinistryListResponse(
        ministries=tuple(
            MinistryInfo(th_name=text(info, "Th-Name", tag), ministry_id=text(info, "MinistryID", tag))
            for info in listing.iterfind("MinistryOrganizationInfo")
        )
    )


def encode_organizations(message: OrganizationListResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    listing = sub(root, "OrganizationList")
    for organization in message.organizations:
        info = sub(listing, "OrganizationInfo")
        sub(info, "En-Name", organization.en_name)
        sub(info, "Th-Name", organization.th_name)
        sub(info, "ECMS-URL", organization.ecms_url or "")  # present and empty: no node
        sub(info, "OrganizationID", organization.organization_id)
    return root


def decode_organizations(element: etree._Element) -> OrganizationListResponse:
    tag = OrganizationListResponse.TAG
    listing = child(element, "OrganizationList", tag)
    return OrganizationListResponse(
        organizations=tuple(
            OrganizationInfo(
                en_name=text(info, "En-Name", tag),
                th_name=text(info, "Th-Name", tag),
                ecms_url=(text_opt(info, "ECMS-URL") or "").strip() or None,
                organization_id=text(info, "OrganizationID", tag),
            )
            for info in listing.iterfind("OrganizationInfo")
        )
    )


def encode_codes(message: SecretCodesResponse | SpeedCodesResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    for code in message.codes:
        element = sub(root, "Code")
        sub(element, "Value", code.value)
        sub(element, "Description", code.description)
    return root


def decode_codes(element: etree._Element, tag: str) -> tuple[CodeValue, ...]:
    return tuple(
        CodeValue(value=text(code, "Value", tag), description=text(code, "Description", tag))
        for code in element.iterfind("Code")
    )


def decode_secret_codes(element: etree._Element) -> SecretCodesResponse:
    return SecretCodesResponse(codes=decode_codes(element, SecretCodesResponse.TAG))


def decode_speed_codes(element: etree._Element) -> SpeedCodesResponse:
    return SpeedCodesResponse(codes=decode_codes(element, SpeedCodesResponse.TAG))


def encode_mime_codes(message: MimeCodesResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    for code in message.codes:
        element = sub(root, "Code")
        sub(element, "File-Extension", code.extension)
        sub(element, "Content-type", code.content_type)
    return root


def decode_mime_codes(element: etree._Element) -> MimeCodesResponse:
    tag = MimeCodesResponse.TAG
    return MimeCodesResponse(
        codes=tuple(
            MimeCode(
                extension=text(code, "File-Extension", tag), content_type=text(code, "Content-type", tag)
            )
            for code in element.iterfind("Code")
        )
    )


def encode_statuses(message: OutboundStatusResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    for status in message.statuses:
        element = sub(root, "OutboundStatus")
        sub(element, "ProcessID", status.process_id)
        sub(element, "LetterID", status.letter_id)
        sub(element, "ProcessStatus", status.process_status)
    return root


def decode_statuses(element: etree._Element) -> OutboundStatusResponse:
    tag = OutboundStatusResponse.TAG
    return OutboundStatusResponse(
        statuses=tuple(
            OutboundStatus(
                process_id=text(status, "ProcessID", tag),
                letter_id=text(status, "LetterID", tag),
                process_status=text(status, "ProcessStatus", tag),
            )
            for status in element.iterfind("OutboundStatus")
        )
    )


def encode_time(message: TimeCheckResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    sub(root, "ProcessTime", message.process_time)
    return root


def decode_time(element: etree._Element) -> TimeCheckResponse:
    return TimeCheckResponse(process_time=text(element, "ProcessTime", TimeCheckResponse.TAG))


def encode_error(message: ErrorDetail) -> etree._Element:
    root = etree.Element(message.TAG)
    sub(root, "ErrorCode", message.code)
    sub(root, "ErrorDescription", message.description)
    return root


def decode_error(element: etree._Element) -> ErrorDetail:
    return ErrorDetail(
        code=text(element, "ErrorCode", ErrorDetail.TAG),
        description=text(element, "ErrorDescription", ErrorDetail.TAG),
    )


def decode_fault(fault: etree._Element) -> ErrorDetail:
    """A ``soap:Fault``: its ``detail/ErrorDetail`` when present, else its faultcode and faultstring."""
    detail = fault.find("detail")
    inner = None if detail is None else detail.find(ErrorDetail.TAG)
    if inner is not None:
        return decode_error(inner)
    return ErrorDetail(
        code=(text_opt(fault, "faultcode") or "").strip(),
        description=text_opt(fault, "faultstring") or "",
    )
