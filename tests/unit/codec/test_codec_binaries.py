"""Large file contents are checked outside libxml2 during validation, accepting exactly what libxml2's
xs:base64Binary check and the file decoder together accepted, without copying or changing the tree."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from ecms_gateway.codec import LetterDocument, OutboundRequest, build_document, read_message, to_wire
from ecms_gateway.codec.binaries import BINARY_TAGS, content_faults, is_base64
from ecms_gateway.codec.schema import SCHEMAS_ENV, compiled_schema, schemas_dir, validate
from ecms_gateway.errors import ConfigError, SchemaInvalid
from ecms_gateway.letter.model import FileData
from ecms_gateway.xml.parser import XmlLimits
from tests.unit.codec.helpers import make_package

_XSD = etree.XMLSchema(
    etree.fromstring(
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        b'<xs:element name="b" type="xs:base64Binary"/></xs:schema>'
    )
)
_LIMITS = XmlLimits(max_bytes=64 * 1024 * 1024)
LARGE = 16_384  # bytes: a file content past what libxml2 used to check itself


def _parsed(text: str) -> str:
    """The text as an XML parser hands it over (line ends normalised)."""
    return etree.fromstring(f"<b>{text}</b>".encode()).text or ""


def _accepted_before(text: str) -> bool:
    """What libxml2 and then the file decoder (codec.document) accepted."""
    element = etree.fromstring(f"<b>{text}</b>".encode())
    if not _XSD.validate(element):
        return False
    try:
        base64.b64decode("".join((element.text or "").split()), validate=True)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "",
        "QQ==",
        "QR==",  # the last character's unused bits are not zero
        "QUJD",
        "QUJ",
        "Q U J D",
        "QU\nJD",
        "QQ= =",
        "QUJD=",
        "Q===",
        "====",
        "=QQ=",
        "QQ=A",
        "QUJDREU=",
        "QUJDREV=",
        "QU\u00a0JD",  # a no-break space: skipped by both
        "QU\u00e9JD",  # a stray letter: skipped by libxml2, refused by the decoder
        "QU!JD",
    ],
)
def test_is_base64_accepts_what_libxml2_and_the_decoder_accepted(text: str) -> None:
    assert is_base64(_parsed(text)) is _accepted_before(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="QUJDRA+/=  \t\n\r=AaZz09\u00a0\u00e9\u3000!", max_size=14))
def test_is_base64_agrees_on_any_short_text(text: str) -> None:
    assert is_base64(_parsed(text)) is _accepted_before(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="QUJDRAwxyz09+/=", min_size=1, max_size=16))
def test_is_base64_agrees_on_unbroken_text(text: str) -> None:
    # Without whitespace is_base64 takes its fast path (pybase64, then the canonical last group).
    assert is_base64(text) is _accepted_before(text)


def _large_envelope(content: str | None = None) -> bytes:
    attachment = FileData(name="big.pdf", mime="application/pdf", content=os.urandom(LARGE))
    document = build_document(make_package(attachments=(attachment,)))
    if content is not None:
        document.find(f".//{BINARY_TAGS[1]}").text = content
    return to_wire(OutboundRequest(item=LetterDocument(element=document)))


def test_a_letter_with_a_large_attachment_reads_and_keeps_its_content() -> None:
    body = _large_envelope()
    read = read_message(body, limits=_LIMITS)
    element = read.payload.find(f".//{BINARY_TAGS[1]}")
    assert element is not None
    assert len(element.text or "") > LARGE  # the tree is as it came
    assert read.message.item.decode().package.attachments[0].size == LARGE


def test_to_wire_refuses_a_large_attachment_with_a_broken_end() -> None:
    content = base64.b64encode(os.urandom(LARGE + 1)).decode()  # ends in "=="
    broken = content[:-3] + "R=="
    with pytest.raises(SchemaInvalid) as raised:
        _large_envelope(broken)
    assert "AttachmentBinaryObject" in str(raised.value)
    assert "xs:base64Binary" in str(raised.value)


def test_reading_refuses_a_large_attachment_with_a_stray_character_naming_the_line() -> None:
    body = _large_envelope()
    start = body.index(b"AttachmentBinaryObject")
    at = body.index(b">", start) + 100
    broken = body[:at] + b"!" + body[at + 1 :]
    with pytest.raises(SchemaInvalid) as raised:
        read_message(broken, limits=_LIMITS)
    assert "line " in str(raised.value)
    assert "xs:base64Binary" in str(raised.value)


@pytest.mark.parametrize("wrap", [None, 76, 64])
def test_a_large_attachment_decodes_the_same_with_or_without_line_breaks(wrap: int | None) -> None:
    # We write one unbroken line; other senders break it (76 characters for MIME, 64 for PEM).
    content = os.urandom(LARGE + 2)
    encoded = base64.b64encode(content).decode()
    if wrap is not None:
        encoded = "\n".join(encoded[i : i + wrap] for i in range(0, len(encoded), wrap))
    read = read_message(_large_envelope(encoded), limits=_LIMITS)
    assert read.message.item.decode().package.attachments[0].content == content


def _document_with_main_letter(content: str, *, mime: str | None = "application/pdf") -> etree._Element:
    document = build_document(make_package())
    element = document.find(f".//{BINARY_TAGS[0]}")
    assert element is not None
    element.text = content
    if mime is None:
        del element.attrib["mimeCode"]
    return document


def test_the_schema_for_checked_contents_takes_contents_as_text_and_still_checks_their_attributes() -> None:
    strict, checked = compiled_schema(), compiled_schema(contents_checked=True)
    not_base64 = _document_with_main_letter("not Base64 at all!")
    assert not strict.validate(not_base64)
    assert checked.validate(not_base64)  # the content is for content_faults to judge
    no_mime = _document_with_main_letter("QUJD", mime=None)
    assert not checked.validate(no_mime)
    assert "mimeCode" in str(checked.error_log)


def test_content_faults_check_every_file_content_of_a_letter_and_nothing_else() -> None:
    assert content_faults(etree.Element("AcceptLetterNotifier")) is None  # no contents: libxml2 alone
    document = build_document(
        make_package(
            attachments=(FileData(name="big.pdf", mime="application/pdf", content=os.urandom(LARGE)),)
        )
    )
    assert content_faults(document) == []
    main = document.find(f".//{BINARY_TAGS[0]}")
    assert main is not None
    main.text = "QR=="  # small, not canonical: named by its path (a tree built in memory)
    faults = content_faults(document)
    assert faults is not None
    assert [f.problem for f in faults] == [
        "Element 'ram:MainLetterBinaryObject': the content is not valid xs:base64Binary."
    ]
    with pytest.raises(SchemaInvalid) as raised:
        validate(document, "GovernmentDocument")
    assert [f.where for f in raised.value.faults] == [faults[0].where]


def test_a_small_content_with_a_character_libxml2_skips_is_refused_when_read() -> None:
    # libxml2's xs:base64Binary check skips the stray letter and the file decoder refused it later;
    # now validation refuses it, naming the line.
    body = to_wire(OutboundRequest(item=LetterDocument(element=build_document(make_package()))))
    start = body.index(b"MainLetterBinaryObject")
    at = body.index(b">", start) + 4
    broken = body[:at] + "é".encode() + body[at:]
    with pytest.raises(SchemaInvalid) as raised:
        read_message(broken, limits=_LIMITS)
    assert "line " in str(raised.value)
    assert "ram:MainLetterBinaryObject" in str(raised.value)


@pytest.mark.parametrize(
    "tail",
    [
        "",  # whole pieces only
        "QUJD",
        "QQ==",
        "QR==",  # the last group not canonical
        "QQ=",  # not a multiple of four
        "QQ==\n",  # whitespace after the padding
    ],
)
def test_is_base64_on_texts_longer_than_one_piece_agrees_with_libxml2_and_the_decoder(tail: str) -> None:
    body = base64.b64encode(os.urandom(3 * 600_000)).decode()  # 2.4 million characters: three pieces
    text = body + tail
    assert is_base64(text) is _accepted_before(text)


def test_padding_at_the_end_of_a_piece_but_not_of_the_text_is_refused() -> None:
    piece = base64.b64encode(os.urandom(3 * (1 << 18))).decode()  # exactly one piece (1 MiB characters)
    assert len(piece) == 1 << 20
    padded = piece[:-4] + "QQ=="
    assert is_base64(padded)
    assert _accepted_before(padded)
    assert not is_base64(padded + "QUJD")
    assert not _accepted_before(padded + "QUJD")


def test_schemas_whose_file_contents_are_not_base64_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), copy)
    ram = copy / "ram.xsd"
    ram.write_text(ram.read_text("utf-8").replace('base="xs:base64Binary"', 'base="xs:hexBinary"'), "utf-8")
    monkeypatch.setenv(SCHEMAS_ENV, str(copy))
    with pytest.raises(ConfigError, match=r"ram:BinaryObjectType must extend xs:base64Binary"):
        compiled_schema(contents_checked=True)
