"""The one hardened XML parser for every input the gateway reads (wire, files, mail attachments).

No DTDs, no entities, no network, no external files; a size limit that the caller may raise (huge
Base64 text nodes are allowed, but only inside that limit).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Final, NoReturn

from lxml import etree

from ecms_gateway.errors import XmlRejected
from ecms_gateway.xml.limits import DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES  # noqa: PLC0414 - re-exported
from ecms_gateway.xml.limits import XmlLimits as XmlLimits  # noqa: PLC0414 - as above

_local = threading.local()

_UTF16_BOMS: Final = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_UTF16_NO_BOM: Final = {b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}
_PROLOG_SCAN: Final = 64 * 1024


def _has_doctype(data: bytes) -> bool:
    """True when the prolog (before the root element) declares a DOCTYPE.

    Only the prolog is read, so large letters cost nothing extra; a DOCTYPE cannot appear later.
    """
    head = data[:_PROLOG_SCAN]
    encoding = _UTF16_BOMS.get(head[:2]) or _UTF16_NO_BOM.get(head[:2])
    if encoding:
        head = head[2 if head[:2] in _UTF16_BOMS else 0 :].decode(encoding, errors="replace").encode("utf-8")
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(head) and head[pos] in b" \t\r\n":
            pos += 1
        if head.startswith(b"<!DOCTYPE", pos):
            return True
        if head.startswith(b"<?", pos):
            end, skip = head.find(b"?>", pos), 2
        elif head.startswith(b"<!--", pos):
            end, skip = head.find(b"-->", pos), 3
        else:
            return False  # the root element (or malformed input, which the parser reports)
        if end < 0:
            return False
        pos = end + skip


class _DenyAll(etree.Resolver):
    """Refuses every external resource libxml2 asks for (DTDs, entities, XInclude): nothing is fetched."""

    def resolve(self, system_url: str, public_id: str, context: object = None) -> NoReturn:
        raise XmlRejected(f"refused to load the external resource {system_url!r}")


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads; one per thread is cheap.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=True,  # Base64 attachments above 10 MB; our own size limit still applies
            remove_blank_text=False,
            collect_ids=False,
        )
        parser.resolvers.add(_DenyAll())
        _local.parser = parser
    return parser


def parse_xml(data: bytes, *, limits: XmlLimits | None = None, source: str = "input") -> etree._Element:
    """Parse ``data`` safely and return the root element, or raise ``XmlRejected`` saying why."""
    limit = (limits or XmlLimits()).max_bytes
    if len(data) > limit:
        raise XmlRejected(
            f"{source} is {len(data):,} bytes, over the limit of {limit:,} bytes; "
            "raise xml.max_bytes in the configuration if such large letters are expected"
        )
    if not data.strip():
        raise XmlRejected(f"{source} is empty; an e-CMS message or letter XML was expected")
    if _has_doctype(data):
        raise XmlRejected(_doctype_message(source))
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(_syntax_message(source, exc)) from exc
    _refuse_dtd_and_entities(root, source)
    return root


def parse_xml_file(path: Path, *, limits: XmlLimits | None = None) -> etree._Element:
    """Read and parse a file, checking its size before reading it into memory."""
    limit = (limits or XmlLimits()).max_bytes
    size = path.stat().st_size
    if size > limit:
        raise XmlRejected(
            f"{path.name} is {size:,} bytes, over the limit of {limit:,} bytes; "
            "raise xml.max_bytes in the configuration if such large letters are expected"
        )
    return parse_xml(path.read_bytes(), limits=limits, source=path.name)


def _refuse_dtd_and_entities(root: etree._Element, source: str) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRejected(_doctype_message(source))
    for node in root.iter(etree.Entity):
        raise XmlRejected(
            f"{source} line {node.sourceline}: the entity reference {node.text} is not allowed; "
            "write the character itself instead"
        )


def _doctype_message(source: str) -> str:
    return (
        f"{source} contains a document type declaration (DOCTYPE); e-CMS messages never use one "
        "and the gateway refuses them because they enable entity-expansion and file-disclosure "
        "attacks. Remove the DOCTYPE and send the message again"
    )


def _syntax_message(source: str, exc: etree.XMLSyntaxError) -> str:
    line = exc.lineno or (exc.position[0] if exc.position else 0)
    reason = str(exc.msg or exc).strip()
    lowered = reason.lower()
    if "entity" in lowered and ("amplification" in lowered or "loop" in lowered or "depth" in lowered):
        return f"{source} line {line}: refused an entity-expansion bomb ({reason})"
    if "huge" in lowered or "too large" in lowered or "excessive depth" in lowered:
        return f"{source} line {line}: the document exceeds the parser's safety limits ({reason})"
    return f"{source} is not well-formed XML: line {line}: {reason}"
