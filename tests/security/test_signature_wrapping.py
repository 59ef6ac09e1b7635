"""Signature-wrapping attacks: the verifier must check and return the one letter that was signed.

Each hostile input is first shown to pass a naive python-xmlsec check where that is possible, so
that the test proves the gateway's own structural checks, not a broken signature, refuse it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from ecms_gateway.errors import SignatureInvalid
from ecms_gateway.signing.signer import sign_document, sign_notifier
from ecms_gateway.signing.testing import Identity, naive_verify, shared_pki, sign_custom
from ecms_gateway.signing.trust import TrustStore
from ecms_gateway.signing.verifier import Verifier
from ecms_gateway.xml.namespaces import DS, RAM, RSM
from ecms_gateway.xml.parser import parse_xml

DATA = Path(__file__).resolve().parents[1] / "data" / "signing"
SENDER = "2099000000"
LETTER = f"{{{RAM}}}CorrespondenceLetter"
BLOCK = f"{{{RAM}}}GovernmentSignature"
SIGNATURE = f"{{{DS}}}Signature"
EVIL_SUBJECT = "โอนเงินงบประมาณทั้งหมดไปยังบัญชีนี้"


@pytest.fixture(scope="module")
def signer() -> Identity:
    return shared_pki().issue(SENDER)


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier(TrustStore(cas=(shared_pki().root,)))


def _signed(signer: Identity, name: str = "letter-in-envelope.xml") -> etree._Element:
    root = parse_xml((DATA / name).read_bytes())
    sign_document(root, signer.signing_key())
    return root


def _parts(root: etree._Element) -> tuple[etree._Element, etree._Element, etree._Element]:
    document = next(root.iter(f"{{{RSM}}}GovernmentDocument"))
    letter = document.find(LETTER)
    signature = next(el for el in root.iter(etree.Element) if el.tag == SIGNATURE)
    assert letter is not None
    return document, letter, signature


def _evil_copy(letter: etree._Element, *, keep_id: bool) -> etree._Element:
    evil = copy.deepcopy(letter)
    subject = evil.find(f"{{{RAM}}}Subject")
    assert subject is not None
    subject.text = EVIL_SUBJECT
    if not keep_id:
        del evil.attrib["ID"]
    return evil


def _refused(verifier: Verifier, root: etree._Element, check: str) -> SignatureInvalid:
    with pytest.raises(SignatureInvalid) as caught:
        verifier.verify_document(etree.tostring(root, encoding="utf-8"))
    assert caught.value.check == check, str(caught.value)
    assert caught.value.org_id == SENDER or check == "structure"
    return caught.value


def _hide_in_header(root: etree._Element, original: etree._Element) -> None:
    header = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Header")
    assert header is not None
    header.append(original)


def _hide_in_block(root: etree._Element, original: etree._Element) -> None:
    block = next(root.iter(BLOCK))
    block.insert(0, etree.Element(f"{{{RAM}}}Wrapper"))
    block[0].append(original)


def _hide_in_object(root: etree._Element, original: etree._Element) -> None:
    signature = _parts(root)[2]
    etree.SubElement(signature, f"{{{DS}}}Object").append(original)


@pytest.mark.parametrize(
    "hide", [_hide_in_header, _hide_in_block, _hide_in_object], ids=["header", "block", "object"]
)
def test_moved_original_letter_with_an_injected_evil_letter_is_refused(
    signer: Identity, verifier: Verifier, hide: object
) -> None:
    root = _signed(signer)
    document, letter, _ = _parts(root)
    evil = _evil_copy(letter, keep_id=False)
    letter.addprevious(evil)
    document.remove(letter)
    hide(root, letter)  # type: ignore[operator]
    data = etree.tostring(root, encoding="utf-8")
    assert naive_verify(data, signer.certificate), "the wrapped document must still carry a valid signature"
    error = _refused(verifier, root, "structure")
    assert "2 ram:CorrespondenceLetter" in str(error) or "ds:Object" in str(error)


def test_evil_letter_with_a_duplicated_id_is_refused(signer: Identity, verifier: Verifier) -> None:
    root = _signed(signer)
    document, letter, _ = _parts(root)
    document.insert(0, _evil_copy(letter, keep_id=True))
    document.remove(letter)
    _hide_in_header(root, letter)
    error = _refused(verifier, root, "structure")
    assert "letter" in str(error).lower()


def test_same_id_on_any_other_element_is_refused_as_a_duplicate(signer: Identity, verifier: Verifier) -> None:
    root = _signed(signer)
    header = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Header")
    assert header is not None
    etree.SubElement(header, "Decoy", Id="Letter")
    error = _refused(verifier, root, "structure")
    assert "occurs 2 times" in str(error)


def test_signature_wrapped_with_the_letter_in_an_object_is_refused(
    signer: Identity, verifier: Verifier
) -> None:
    root = _signed(signer)
    signature = _parts(root)[2]
    etree.SubElement(signature, f"{{{DS}}}Object").append(etree.Element("Note"))
    error = _refused(verifier, root, "structure")
    assert "ds:Object" in str(error)


def test_valid_signature_referring_to_another_id_is_refused(signer: Identity, verifier: Verifier) -> None:
    root = parse_xml((DATA / "letter.xml").read_bytes())
    block = root.find(BLOCK)
    assert block is not None
    party = block.find(f"{{{RAM}}}SignerParty")
    assert party is not None
    party.set("ID", "Signer")
    sign_custom(block, signer, uris=("#Signer",))
    assert naive_verify(etree.tostring(root), signer.certificate)
    error = _refused(verifier, root, "reference")
    assert "'#Signer'" in str(error)


def test_valid_signature_over_a_different_element_named_letter_is_refused(
    signer: Identity, verifier: Verifier
) -> None:
    root = parse_xml((DATA / "letter.xml").read_bytes())
    letter = root.find(LETTER)
    block = root.find(BLOCK)
    assert letter is not None
    assert block is not None
    del letter.attrib["ID"]
    party = block.find(f"{{{RAM}}}SignerParty")
    assert party is not None
    party.set("ID", "Letter")
    sign_custom(block, signer)
    assert naive_verify(etree.tostring(root), signer.certificate)
    _refused(verifier, root, "reference")


def test_two_references_in_one_signature_are_refused(signer: Identity, verifier: Verifier) -> None:
    root = parse_xml((DATA / "letter.xml").read_bytes())
    block = root.find(BLOCK)
    assert block is not None
    sign_custom(block, signer, uris=("#Letter", ""), transforms=())
    error = _refused(verifier, root, "structure")
    assert "2 ds:Reference" in str(error)


def test_a_second_signature_anywhere_is_refused(signer: Identity, verifier: Verifier) -> None:
    root = _signed(signer)
    header = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Header")
    assert header is not None
    header.append(copy.deepcopy(_parts(root)[2]))
    error = _refused(verifier, root, "structure")
    assert "2 ds:Signature" in str(error)


@pytest.mark.parametrize("where", ["document", "block"])
def test_unsigned_content_next_to_the_signed_letter_is_refused(
    signer: Identity, verifier: Verifier, where: str
) -> None:
    root = _signed(signer)
    document, _, _ = _parts(root)
    parent = document if where == "document" else document.find(BLOCK)
    assert parent is not None
    etree.SubElement(parent, f"{{{RAM}}}Description").text = EVIL_SUBJECT
    _refused(verifier, root, "structure")


def test_xpointer_reference_is_refused_even_when_the_signature_is_valid(
    signer: Identity, verifier: Verifier
) -> None:
    root = parse_xml((DATA / "letter.xml").read_bytes())
    block = root.find(BLOCK)
    assert block is not None
    sign_custom(block, signer, uris=("#xpointer(id('Letter'))",))
    _refused(verifier, root, "reference")


def test_signer_block_naming_another_department_is_refused(signer: Identity, verifier: Verifier) -> None:
    root = _signed(signer)
    dept = next(root.iter(BLOCK)).find(f"{{{RAM}}}SignerParty/{{{RAM}}}DepartmentOrganization/{{{RAM}}}ID")
    assert dept is not None
    dept.text = "21990"
    error = _refused(verifier, root, "signer-block")
    assert "21990" in str(error)


def test_letter_from_one_sender_arriving_as_from_another_is_refused(
    signer: Identity, verifier: Verifier
) -> None:
    root = _signed(signer)
    with pytest.raises(SignatureInvalid) as caught:
        verifier.verify_document(etree.tostring(root), org_id="2199000000")
    assert caught.value.check == "sender"


def test_notifier_signature_that_does_not_cover_the_whole_notifier_is_refused(
    signer: Identity, verifier: Verifier
) -> None:
    notifier = parse_xml((DATA / "notifier.xml").read_bytes())
    notifier.find("LetterID").set("ID", "n1")  # type: ignore[union-attr]
    sign_custom(
        notifier, signer, uris=("#n1",), transforms=("http://www.w3.org/2000/09/xmldsig#enveloped-signature",)
    )
    with pytest.raises(SignatureInvalid) as caught:
        verifier.verify_notifier(etree.tostring(notifier), org_id=SENDER)
    assert caught.value.check == "reference"


def test_notifier_with_an_evil_copy_holding_its_signature_is_refused(
    signer: Identity, verifier: Verifier
) -> None:
    notifier = sign_notifier(parse_xml((DATA / "notifier.xml").read_bytes()), signer.signing_key())
    holder = etree.SubElement(notifier, "Extra")
    holder.append(notifier[-2])  # the ds:Signature moves into a child element
    with pytest.raises(SignatureInvalid) as caught:
        verifier.verify_notifier(etree.tostring(notifier), org_id=SENDER)
    assert caught.value.check == "structure"
