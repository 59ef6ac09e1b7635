"""Real-world variants are accepted and rewritten to the standard form, never at a signature's expense."""

from __future__ import annotations

import copy

import pytest
import xmlsec
from lxml import etree

from ecms_gateway.codec import (
    InboundResponse,
    LetterDocument,
    Message,
    Notifier,
    NotifierKind,
    OutboundRequest,
    build_document,
    encode,
    normalize,
    read_message,
    to_bytes,
    to_wire,
)
from ecms_gateway.codec.document import LETTER, SIGNATURE_BLOCK
from ecms_gateway.errors import SchemaInvalid
from ecms_gateway.letter.model import Signer
from ecms_gateway.xml.namespaces import RAM, WSA, WSA_NO_WWW, qname
from ecms_gateway.xml.parser import parse_xml
from tests.unit.codec.cases import CASE_IDS, CASES, FULL_NOTIFIER, notifier
from tests.unit.codec.helpers import (
    make_package,
    sign_enveloped,
    sign_letter,
    verify_enveloped,
    verify_letter,
)


def _mangle_casing(element: etree._Element, style: str) -> None:
    """Rewrite every no-namespace element name outside the letter in another casing."""
    for node in element.iter():
        if node.tag == LETTER:
            break
        if not isinstance(node.tag, str) or etree.QName(node).namespace is not None:
            continue
        name = node.tag
        node.tag = {"lower": name.lower(), "upper": name.upper(), "camel": name[0].lower() + name[1:]}[style]


@pytest.mark.parametrize("style", ["lower", "upper", "camel"])
@pytest.mark.parametrize(("label", "message"), CASES, ids=CASE_IDS)
def test_any_casing_of_our_element_names_is_accepted(label: str, message: Message, style: str) -> None:
    element = encode(message)
    _mangle_casing(element, style)
    read = read_message(to_bytes(element))
    assert read.message == message


def _envelope(body: str, *, addressing: str = WSA_NO_WWW, to_tag: str = "to") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="{addressing}">
  <soap:Header><wsa:MessageID>mid://20261120.1@noname</wsa:MessageID><wsa:{to_tag}>http://node/ecms-ws01/service2</wsa:{to_tag}></soap:Header>
  <soap:Body ID="Body">{body}</soap:Body>
</soap:Envelope>""".encode()


@pytest.mark.parametrize("addressing", [WSA, WSA_NO_WWW])
@pytest.mark.parametrize("to_tag", ["To", "to", "TO"])
def test_addressing_variants_are_read(addressing: str, to_tag: str) -> None:
    read = read_message(_envelope("<TimeCheckRequest/>", addressing=addressing, to_tag=to_tag))
    assert read.envelope is not None
    assert read.envelope.to == "http://node/ecms-ws01/service2"
    assert read.envelope.message_id == "mid://20261120.1@noname"
    body = read.payload.getparent()
    assert body is not None
    header = body.getprevious()
    assert header is not None
    assert [child.tag for child in header] == [qname(WSA, "MessageID"), qname(WSA, "To")]


def test_namespace_declarations_are_never_removed() -> None:
    """The stale declaration stays: an inclusive-C14N signature over the letter includes it."""
    root = parse_xml(_envelope("<TimeCheckRequest/>"))
    normalize(root)
    assert root.nsmap["wsa"] == WSA_NO_WWW


@pytest.mark.parametrize(
    "xml",
    [
        "<AcceptLetterNotifier><LetterID>1</LetterID><CorrespondenceData>2026-11-20</CorrespondenceData>"
        "<Subject>s</Subject></AcceptLetterNotifier>",
        "<CorrespondenceDeleteGovernmentDocumentRequest><LetterID>1</LetterID><correspondencedata>2026-11-20"
        "</correspondencedata><SenderDepartment><Code>20990</Code></SenderDepartment><AcceptDepartment><Code>20991"
        "</Code></AcceptDepartment></CorrespondenceDeleteGovernmentDocumentRequest>",
        "<CorrespondenceLetterInboundSpecialRequest><CorrespondenceLetter><LetterID>1</LetterID><CorrespondenceData>"
        "2026-11-20</CorrespondenceData><SenderDepartment><Code>20990</Code></SenderDepartment><AcceptDepartment>"
        "<Code>20991</Code></AcceptDepartment></CorrespondenceLetter></CorrespondenceLetterInboundSpecialRequest>",
    ],
    ids=["notifier", "withdraw", "special"],
)
def test_correspondence_data_typo_is_read_as_correspondence_date(xml: str) -> None:
    read = read_message(_envelope(xml))
    assert b"CorrespondenceData" not in etree.tostring(read.payload)
    assert "2026-11-20" in etree.tostring(read.payload, encoding="unicode")


def _letter_with_code_shaped_signer(case: str = "") -> bytes:
    document = build_document(make_package(signer=Signer(given_name="สมหญิง", job_title="เลขาธิการ")))
    party = document.find(f"{SIGNATURE_BLOCK}/{qname(RAM, 'SignerParty')}")
    assert party is not None
    for local, code in (("MinistryOrganization", "20"), ("DepartmentOrganization", "20990")):
        old = party.find(qname(RAM, local))
        assert old is not None
        new = etree.Element(qname(RAM, case + local.replace("Organization", "Code")))
        new.text = code
        party.replace(old, new)
    return to_bytes(encode(OutboundRequest(item=LetterDocument(element=document))))


@pytest.mark.parametrize("case", ["", "lower"])
def test_signer_with_ministry_and_department_codes_is_normalised(case: str) -> None:
    data = _letter_with_code_shaped_signer()
    if case:
        data = data.replace(b"MinistryCode", b"ministrycode").replace(b"DepartmentCode", b"departmentcode")
    read = read_message(data)
    assert isinstance(read.message, OutboundRequest)
    assert isinstance(read.message.item, LetterDocument)
    decoded = read.message.item.decode()
    assert decoded.signer is not None
    assert (decoded.signer.ministry_id, decoded.signer.department_id) == ("20", "20990")
    assert decoded.signer.title == "เลขาธิการ"
    assert read.message.item == LetterDocument(
        element=build_document(make_package(signer=Signer(given_name="สมหญิง", job_title="เลขาธิการ")))
    )


def test_nothing_inside_the_letter_is_touched() -> None:
    """Even a stray no-namespace name inside ram:CorrespondenceLetter stays as it came (and fails)."""
    document = build_document(make_package())
    letter = document.find(LETTER)
    assert letter is not None
    etree.SubElement(letter, "processID").text = "x"
    before = etree.tostring(letter, method="c14n")
    root = parse_xml(to_bytes(encode(OutboundRequest(item=LetterDocument(element=document)))))
    normalize(root)
    after = root.find(f".//{LETTER}")
    assert after is not None
    assert etree.tostring(after, method="c14n") == before
    with pytest.raises(SchemaInvalid, match="processID"):
        read_message(to_bytes(root))


def test_signed_letter_still_verifies_after_normalising_the_envelope() -> None:
    """Sign in a variant envelope with inclusive C14N (which sees ancestor namespaces), read, verify."""
    data = _envelope("<CorrespondenceLetterOutboundRequest/>")
    root = parse_xml(data)
    request = root.find(".//CorrespondenceLetterOutboundRequest")
    assert request is not None
    document = build_document(make_package(signer=Signer(given_name="ก")))
    request.append(document)
    sign_letter(document, inclusive_with_comments=True)
    party = document.find(f"{SIGNATURE_BLOCK}/{qname(RAM, 'SignerParty')}")
    assert party is not None
    for node in list(party)[-2:]:  # the MinistryCode shape, outside the signed letter
        code = node[0].text
        replacement = etree.Element(qname(RAM, etree.QName(node).localname.replace("Organization", "Code")))
        replacement.text = code
        party.replace(node, replacement)
    read = read_message(to_bytes(root))
    assert read.envelope is not None
    assert read.envelope.to == "http://node/ecms-ws01/service2"
    verify_letter(read.payload[0])


def test_tampered_letter_fails_verification_in_the_same_setup() -> None:
    """The verification above can fail: changing the subject after signing breaks it."""
    document = build_document(make_package(signer=Signer(given_name="ก")))
    sign_letter(document)
    received = parse_xml(to_bytes(encode(OutboundRequest(item=LetterDocument(element=document)))))
    subject = received.find(f".//{qname(RAM, 'Subject')}")
    assert subject is not None
    subject.text = "แก้ไขแล้ว"
    with pytest.raises(xmlsec.Error):
        verify_letter(received[0])


def _signed_notifier(element_name_case: str = "") -> bytes:
    element = encode(notifier(NotifierKind.ACCEPT, accept_id="12"))
    if element_name_case:
        letter_id = element.find("LetterID")
        assert letter_id is not None
        letter_id.tag = element_name_case
    sign_enveloped(element)
    wrapper = etree.Element("CorrespondenceLetterInboundResponse")
    etree.SubElement(wrapper, "ProcessID").text = "P-1"
    etree.SubElement(wrapper, "ProcessTime").text = "t"
    wrapper.append(parse_xml(etree.tostring(element)))
    return to_bytes(wrapper)


def test_signed_notifier_round_trips_with_its_signature() -> None:
    read = read_message(_signed_notifier())
    assert isinstance(read.message, InboundResponse)
    item = read.message.item
    assert isinstance(item, Notifier)
    assert item.signature is not None
    assert item == notifier(NotifierKind.ACCEPT, accept_id="12")
    # URI="" signs the notifier as a document of its own: verify it standing alone.
    verify_enveloped(parse_xml(etree.tostring(read.payload[2]))[-1])
    again = parse_xml(to_wire(read.message))
    resent = again.find(".//AcceptLetterNotifier")
    assert resent is not None
    standalone = parse_xml(etree.tostring(resent))
    verify_enveloped(standalone[-1])


def test_signed_notifier_is_never_rewritten() -> None:
    """A variant inside a signed notifier is left alone (and refused) rather than breaking its signature."""
    data = _signed_notifier("letterID")
    root = parse_xml(data)
    normalize(root)
    assert root.find("AcceptLetterNotifier/letterID") is not None
    with pytest.raises(SchemaInvalid, match="letterID"):
        read_message(data)


def test_unsigned_notifier_variant_is_rewritten() -> None:
    element = encode(InboundResponse(process_id="P", process_time="t", item=FULL_NOTIFIER))
    variant = copy.deepcopy(element)
    _mangle_casing(variant, "lower")
    assert read_message(to_bytes(variant)).message == InboundResponse(
        process_id="P", process_time="t", item=FULL_NOTIFIER
    )
