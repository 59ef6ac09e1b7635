"""Letter package <-> rsm:GovernmentDocument: lossless for our letters, faithful to the e-CMS shape."""

from __future__ import annotations

import base64
import os
from datetime import datetime

import pytest
from lxml import etree

from ecms_gateway.codec import (
    LETTER_XML_ID,
    LetterDocument,
    OutboundRequest,
    build_document,
    parse_document,
    read_message,
    to_bytes,
    to_wire,
    validate,
)
from ecms_gateway.codec.binaries import BINARY_TAGS
from ecms_gateway.codec.document import KIND_PI_TARGET, LETTER, SIGNATURE_BLOCK, read_letter
from ecms_gateway.errors import InputError, SchemaInvalid
from ecms_gateway.letter.codes import Kind
from ecms_gateway.letter.model import FileData, LetterPackage, Signer
from ecms_gateway.xml.namespaces import RAM, qname
from ecms_gateway.xml.parser import parse_xml
from tests.unit.codec.helpers import make_package, sample_package


def _ram(local: str) -> str:
    return qname(RAM, local)


def _through_bytes(package: LetterPackage, **kwargs: datetime) -> LetterPackage:
    root = build_document(package, **kwargs)
    reparsed = parse_xml(to_bytes(root))
    validate(reparsed, "GovernmentDocument")
    return parse_document(reparsed).package


@pytest.mark.parametrize("name", ["letter-001.json", "letter-002.json"])
def test_sample_letters_convert_and_come_back_equal(name: str) -> None:
    """Sample letter -> validated XML -> an equal letter with byte-identical files."""
    package = sample_package(name)
    root = build_document(package)
    validate(root, "GovernmentDocument")
    back = _through_bytes(package)
    assert back.letter == package.letter
    assert [f.content for f in back.files] == [f.content for f in package.files]
    assert [f.sha256 for f in back.files] == [f.sha256 for f in package.files]
    assert back == package


def test_sample_001_maps_every_field_to_its_element() -> None:
    package = sample_package("letter-001.json")
    root = build_document(package, send_time=datetime(2026, 11, 20, 9, 30, 5))  # noqa: DTZ001 - wire time is local
    letter = root.find(LETTER)
    assert letter is not None
    assert letter.get("ID") == LETTER_XML_ID == "Letter"
    assert [etree.QName(node).localname for node in letter] == [
        "ID",
        "CorrespondenceDate",
        "Subject",
        "SecretCode",
        "SpeedCode",
        "SenderParty",
        "ReceiverParty",
        "ReferenceCorrespondence",
        "Attachment",
        "SendDate",
        "Description",
        "MainLetterBinaryObject",
        "AttachmentBinaryObject",
    ]
    assert letter.findtext(_ram("ID")) == "ศธ 0990/1234"
    assert letter.findtext(_ram("CorrespondenceDate")) == "2026-11-20"
    assert letter.findtext(_ram("SpeedCode")) == "002"
    assert letter.findtext(_ram("SecretCode")) == "001"
    assert letter.findtext(_ram("SendDate")) == "2026-11-20T09:30:05"
    assert letter.findtext(f"{_ram('SenderParty')}/{_ram('MinistryOrganization')}/{_ram('ID')}") == "20"
    assert letter.findtext(f"{_ram('SenderParty')}/{_ram('DepartmentOrganization')}/{_ram('ID')}") == "20990"
    assert (
        letter.findtext(f"{_ram('ReceiverParty')}/{_ram('DepartmentOrganization')}/{_ram('ID')}") == "20991"
    )
    main = letter.find(_ram("MainLetterBinaryObject"))
    assert main is not None
    assert main.get("mimeCode") == "application/pdf"
    assert main.get("filename") == "letter-001.pdf"
    assert "\n" not in (main.text or "")
    assert base64.b64decode(main.text or "") == package.main.content


def test_signature_block_carries_signer_and_sender_codes() -> None:
    root = build_document(sample_package("letter-001.json"))
    block = root.find(SIGNATURE_BLOCK)
    assert block is not None
    assert block.findtext(_ram("TypeCode")) == "DSIG"
    party = block.find(_ram("SignerParty"))
    assert party is not None
    assert [etree.QName(node).localname for node in party] == [
        "GivenName",
        "FamilyName",
        "Title",
        "MinistryOrganization",
        "DepartmentOrganization",
    ]
    assert party.findtext(_ram("Title")) == "เลขาธิการ"
    assert party.findtext(f"{_ram('DepartmentOrganization')}/{_ram('ID')}") == "20990"
    decoded = parse_document(root)
    assert decoded.signer is not None
    assert decoded.signer.ministry_id == "20"
    assert decoded.type_code == "DSIG"
    assert not decoded.is_signed


def test_no_signature_block_without_a_signer() -> None:
    root = build_document(sample_package("letter-002.json"))
    assert root.find(SIGNATURE_BLOCK) is None
    assert parse_document(root).signer is None


def test_signer_without_names_survives() -> None:
    package = make_package(signer=Signer())
    assert _through_bytes(package) == package


def test_external_letters_carry_no_kind_instruction() -> None:
    letter = build_document(make_package(kind=Kind.EXTERNAL)).find(LETTER)
    assert letter is not None
    assert not [node for node in letter if isinstance(node, etree._ProcessingInstruction)]


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.EXTERNAL])
def test_other_kinds_travel_as_the_first_node_of_the_letter(kind: Kind) -> None:
    """The kind sits inside ram:CorrespondenceLetter, first, so the letter's signature covers it."""
    root = build_document(make_package(kind=kind))
    letter = root.find(LETTER)
    assert letter is not None
    first = letter[0]
    assert isinstance(first, etree._ProcessingInstruction)
    assert first.target == KIND_PI_TARGET
    assert first.text == f'kind="{kind.value}"'
    assert f'<?ecms-gateway kind="{kind.value}"?>' in to_bytes(root).decode()
    assert _through_bytes(make_package(kind=kind)).letter.kind is kind


def test_kind_instruction_after_indentation_and_comment_is_read() -> None:
    root = build_document(make_package())
    letter = root.find(LETTER)
    assert letter is not None
    letter.text = "\n  "
    letter.insert(0, etree.Comment(" from a pretty-printing client "))
    letter.insert(1, etree.ProcessingInstruction(KIND_PI_TARGET, "kind='directive'"))
    assert parse_document(parse_xml(to_bytes(root))).package.letter.kind is Kind.DIRECTIVE


def test_unknown_kind_in_instruction_is_refused_with_its_line() -> None:
    data = to_bytes(build_document(make_package(kind=Kind.STAMPED))).replace(b"stamped", b"secretive")
    with pytest.raises(SchemaInvalid, match="kind 'secretive'") as caught:
        parse_document(parse_xml(data))
    assert caught.value.faults[0].where.startswith("line ")


def test_org_id_that_the_wire_cannot_express_is_an_input_error() -> None:
    with pytest.raises(
        InputError, match=r"sender\.org_id 2099012345 cannot be sent over e-CMS.*20990" r"00000"
    ):
        build_document(make_package(sender_org="2099012345"))


def test_send_time_is_kept_as_written() -> None:
    root = build_document(make_package(), send_time=datetime.fromisoformat("2026-11-20T10:15:30.999+07:00"))
    decoded = parse_document(parse_xml(to_bytes(root)))
    assert decoded.send_time == "2026-11-20T10:15:30+07:00"
    assert parse_document(build_document(make_package())).send_time is None


def test_file_names_fall_back_to_the_mime_type() -> None:
    root = build_document(
        make_package(
            main=FileData(name="a.pdf", mime="application/pdf", content=b"%PDF"),
            attachments=(
                FileData(
                    name="b.docx",
                    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    content=b"PK",
                ),
                FileData(name="c", mime="application/x-unknown", content=b"?"),
            ),
        )
    )
    for element in root.iter(_ram("MainLetterBinaryObject"), _ram("AttachmentBinaryObject")):
        del element.attrib["filename"]
    package = parse_document(root).package
    assert [f.name for f in package.files] == ["main.pdf", "attachment-1.docx", "attachment-2.bin"]
    assert package.letter.main_file.path == "main.pdf"
    assert [ref.path for ref in package.letter.attachments] == ["attachment-1.docx", "attachment-2.bin"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [("../../etc/passwd", "passwd"), ("C:\\temp\\x.pdf", "x.pdf"), ("..", "main.pdf"), ("   ", "main.pdf")],
)
def test_file_names_from_the_wire_are_reduced_to_a_bare_name(given: str, kept: str) -> None:
    root = build_document(make_package())
    main = root.find(f"{LETTER}/{_ram('MainLetterBinaryObject')}")
    assert main is not None
    main.set("filename", given)
    assert parse_document(root).package.main.name == kept


def test_base64_with_line_breaks_is_accepted() -> None:
    """xs:base64Binary allows white space; MIME-style 76-column Base64 from other clients decodes."""
    content = os.urandom(300)
    root = build_document(make_package(main=FileData(name="x.pdf", mime="application/pdf", content=content)))
    main = root.find(f"{LETTER}/{_ram('MainLetterBinaryObject')}")
    assert main is not None
    main.text = base64.encodebytes(content).decode("ascii")
    validate(root, "GovernmentDocument")
    assert parse_document(root).package.main.content == content


def test_files_that_do_not_match_the_letter_are_refused() -> None:
    package = make_package()
    wrong = LetterPackage(letter=package.letter, main=FileData(name="x.txt", mime="text/plain", content=b"x"))
    with pytest.raises(InputError, match=r"main_file\.mime says application/pdf"):
        build_document(wrong)
    missing = LetterPackage(
        letter=package.letter,
        main=package.main,
        attachments=(FileData(name="y", mime="text/plain", content=b"y"),),
    )
    with pytest.raises(InputError, match="lists 1 files"):
        build_document(missing)


def test_control_characters_in_a_field_are_named() -> None:
    package = make_package()
    bad = LetterPackage(letter=package.letter.model_copy(update={"subject": "a\x00b"}), main=package.main)
    with pytest.raises(InputError, match="subject contains characters that XML cannot carry"):
        build_document(bad)


def test_wire_letter_with_buddhist_year_is_refused_clearly() -> None:
    """Schema-valid but impossible for the letter model: a SchemaInvalid naming the field, not a crash."""
    data = to_bytes(build_document(make_package())).replace(b">2026-11-20<", b">2569-11-20<")
    root = parse_xml(data)
    validate(root, "GovernmentDocument")
    with pytest.raises(SchemaInvalid, match=r"letter field date.*Buddhist"):
        parse_document(root)


def test_parse_document_refuses_other_elements() -> None:
    with pytest.raises(SchemaInvalid, match="is not rsm:GovernmentDocument"):
        parse_document(etree.Element("GovernmentDocument"))


def test_twelve_megabyte_attachment_builds_validates_and_parses() -> None:
    """A 16 MB Base64 text node (over libxml2's 10 MB default) goes through the whole wire path."""
    big = os.urandom(12 * 1024 * 1024)
    package = make_package(attachments=(FileData(name="scan.tif", mime="image/tiff", content=big),))
    data = to_wire(OutboundRequest(item=LetterDocument(element=build_document(package))))
    assert len(data) > 16_000_000
    read = read_message(data)
    assert isinstance(read.message, OutboundRequest)
    assert isinstance(read.message.item, LetterDocument)
    back = read.message.item.decode().package
    assert back.attachments[0].content == big
    assert back == package


@pytest.mark.parametrize(
    "name", [" หนังสือ ฉบับที่ 1 .pdf ", "a\tb.pdf", "ไฟล์&<แนบ>\"'.pdf", "-", "x" * 200, "๑๒๓"]
)
def test_unusual_file_names_survive_exactly(name: str) -> None:
    package = make_package(main=FileData(name=name, mime="application/pdf", content=b"%PDF"))
    back = _through_bytes(package)
    assert back.main.name == name
    assert back == package


def test_read_letter_gives_the_letter_without_decoding_its_files() -> None:
    attachment = FileData(name="scan.pdf", mime="application/pdf", content=b"%PDF-1.7 scan")
    document = build_document(make_package(attachments=(attachment,)))
    letter = parse_document(document).package.letter
    assert read_letter(document) == letter
    for element in document.iter(*BINARY_TAGS):
        element.text = "not decoded"  # read_letter never looks at a content
    assert read_letter(document) == letter
    with pytest.raises(SchemaInvalid, match="not valid Base64"):
        parse_document(document)
    item = LetterDocument(element=document)
    assert item.letter().attachments[0].path == "scan.pdf"
