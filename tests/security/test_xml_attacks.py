"""The hardened parser refuses every classic XML attack with a clear error, never a crash or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.errors import XmlRejected
from ecms_gateway.xml.parser import XmlLimits, parse_xml, parse_xml_file

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CorrespondenceLetterDeleteRequest><ProcessID>&lol9;</ProcessID></CorrespondenceLetterDeleteRequest>"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + b"A" * 50_000 + b'">]><x>' + b"&a;" * 50_000 + b"</x>"
)

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CorrespondenceLetterDeleteRequest><ProcessID>&xxe;</ProcessID></CorrespondenceLetterDeleteRequest>"""

XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>
<CorrespondenceLetterDeleteRequest><ProcessID>&xxe;</ProcessID></CorrespondenceLetterDeleteRequest>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<r/>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://127.0.0.1:9/ecms.dtd">
<r/>"""

EXTERNAL_DTD_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "file:///etc/passwd">
<r/>"""

XINCLUDE = b"""<r xmlns:xi="http://www.w3.org/2001/XInclude">
<xi:include href="file:///etc/passwd" parse="text"/></r>"""


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(QUADRATIC_BLOWUP, id="quadratic-blowup"),
        pytest.param(XXE_FILE, id="xxe-file"),
        pytest.param(XXE_NETWORK, id="xxe-network"),
        pytest.param(PARAMETER_ENTITY, id="parameter-entity"),
        pytest.param(EXTERNAL_DTD, id="external-dtd-network"),
        pytest.param(EXTERNAL_DTD_FILE, id="external-dtd-file"),
    ],
)
def test_dtd_based_attacks_are_refused_naming_the_problem(attack: bytes) -> None:
    with pytest.raises(XmlRejected) as info:
        parse_xml(attack, source="attack.xml")
    message = str(info.value)
    assert message.startswith("attack.xml")
    assert "DOCTYPE" in message or "entity" in message


def test_xxe_never_discloses_file_content() -> None:
    with pytest.raises(XmlRejected) as info:
        parse_xml(XXE_FILE)
    assert "root:" not in str(info.value)


def test_xinclude_is_not_processed() -> None:
    root = parse_xml(XINCLUDE)
    assert "root:" not in (root.xpath("string()"))
    assert root.find("{http://www.w3.org/2001/XInclude}include") is not None
    assert root[0].tag == "{http://www.w3.org/2001/XInclude}include"


def test_oversized_input_is_refused_before_parsing() -> None:
    data = b"<r>" + b"A" * 2000 + b"</r>"
    with pytest.raises(XmlRejected, match=r"over the limit of 1,000 bytes; raise xml.max_bytes"):
        parse_xml(data, limits=XmlLimits(max_bytes=1000))


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b"<r>" + b"A" * 5000 + b"</r>")
    with pytest.raises(XmlRejected, match=r"big\.xml is 5,007 bytes"):
        parse_xml_file(path, limits=XmlLimits(max_bytes=4096))


def test_huge_base64_text_node_is_allowed_within_the_limit() -> None:
    payload = b"QUJD" * 3_000_000  # 12 MB in one text node: above libxml2's default 10 MB cap
    root = parse_xml(b"<Obj>" + payload + b"</Obj>", limits=XmlLimits(max_bytes=20_000_000))
    assert root.text is not None
    assert len(root.text) == len(payload)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<a><b></a>", "not well-formed XML: line 1"),
        (b"<a>\n\n<b>&nbsp;</b></a>", "line 3"),
        (b"not xml at all", "not well-formed"),
        (b"<a>\xff\xfe</a>", "not well-formed"),
    ],
)
def test_broken_input_gets_a_clear_error(data: bytes, expected: str) -> None:
    with pytest.raises(XmlRejected, match=expected):
        parse_xml(data)


def test_deeply_nested_input_is_refused() -> None:
    depth = 100_000
    data = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(XmlRejected, match="line 1"):
        parse_xml(data)


def test_doctype_in_utf16_document_is_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>'
    with pytest.raises(XmlRejected, match="DOCTYPE"):
        parse_xml(data.encode("utf-16"))


def test_parser_resolver_refuses_external_files_even_behind_the_doctype_check() -> None:
    from lxml import etree  # noqa: PLC0415 - reaching into the parser on purpose: defence in depth

    from ecms_gateway.xml.parser import _parser  # noqa: PLC0415

    with pytest.raises(XmlRejected, match="refused to load the external resource 'file:///etc/passwd'"):
        etree.fromstring(EXTERNAL_DTD_FILE, _parser())


@pytest.mark.parametrize(
    "prolog",
    [
        b"",
        b"\xef\xbb\xbf",
        b'<?xml version="1.0" encoding="UTF-8"?>\n',
        b'<?xml version="1.0"?><!-- a comment --><?pi data?>\n\n',
    ],
    ids=["bare", "utf8-bom", "declaration", "comment-and-pi"],
)
def test_doctype_after_any_prolog_is_refused(prolog: bytes) -> None:
    with pytest.raises(XmlRejected, match="DOCTYPE"):
        parse_xml(prolog + b'<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>')


def test_doctype_hidden_behind_a_comment_mentioning_tags_is_still_refused() -> None:
    with pytest.raises(XmlRejected, match=r"DOCTYPE|external resource"):
        parse_xml(b'<!-- <r> --><!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>')


def test_the_text_doctype_inside_content_is_just_text() -> None:
    root = parse_xml(b"<r><![CDATA[<!DOCTYPE html>]]></r>")
    assert root.text == "<!DOCTYPE html>"
