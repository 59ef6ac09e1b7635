"""Large Base64 file contents checked outside libxml2 during schema validation.

libxml2 checks an ``xs:base64Binary`` value character by character: for a letter with a 5 MB
attachment that was ~50 ms of every validation, several times per letter on its way, and it skips
characters that are not Base64, which the file decoder then refuses. ``content_faults`` checks every
``MainLetterBinaryObject`` / ``AttachmentBinaryObject`` content under the rules of both together (XML
whitespace anywhere, padding only at the end, the unused bits of the last character zero), and
libxml2 validates the tree against the schemas with file contents typed as text, to check
everything else (elements, attributes, places). The tree is neither copied nor changed: a copy held
another whole file content in memory during every validation.
"""

from __future__ import annotations

import binascii
from typing import Final

import pybase64
from lxml import etree

from ecms_gateway.errors import Fault
from ecms_gateway.xml.namespaces import RAM

BINARY_TAGS: Final = (f"{{{RAM}}}MainLetterBinaryObject", f"{{{RAM}}}AttachmentBinaryObject")

_CHUNK: Final = 1 << 20
"""Characters (a multiple of four) decoded at a time by ``is_base64``: the bytes are thrown away, so
checking a 20 MB file holds one megabyte of them, not 15."""
_XML_SPACE: Final = b" \t\r\n"  # what xs:base64Binary's whiteSpace="collapse" folds; nothing else
_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def is_base64(text: str) -> bool:
    """True when ``text`` is a file content that libxml2's ``xs:base64Binary`` check and then the
    letter's file decoder (``codec.document``) both accept: Base64 characters with whitespace anywhere,
    a multiple of four, at most two "=" and only at the end, and the last character before "=" the
    canonical one (the schema's B16S / B04S). libxml2 alone skips stray characters, which the decoder
    then refuses; this check refuses them at once."""
    # One unbroken line (as we write it): pybase64 (SIMD), a megabyte at a time. Anything else
    # (whitespace, not Base64, padding before the end of a piece) goes to byte-level passes.
    size = len(text)
    for start in range(0, size, _CHUNK):
        piece = text[start : start + _CHUNK]
        if start + _CHUNK < size and piece.endswith("="):
            return _spaced_is_base64(text)
        try:
            pybase64.b64decode(piece, validate=True)
        except ValueError:
            return _spaced_is_base64(text)
    padding = len(text) - len(text.rstrip("="))
    return not padding or _canonical_end(text[-4:].encode("ascii"), 4 - padding, b"=" * padding)


def _spaced_is_base64(text: str) -> bool:
    """``is_base64`` for a content with whitespace (or not Base64 at all)."""
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        # Other Unicode spaces (e.g. no-break space): libxml2 skips them and so does the file decoder
        # (``str.split``); anything else non-ASCII is refused.
        try:
            data = "".join(text.split()).encode("ascii")
        except UnicodeEncodeError:
            return False
    padding = data.translate(None, _ALPHABET + _XML_SPACE)  # byte-level passes: fast on megabytes
    if padding not in (b"", b"=", b"=="):
        return False
    if len(data.translate(None, _XML_SPACE)) % 4:
        return False
    if not padding:
        return True
    first = data.index(b"=")
    if data[first:].translate(None, _XML_SPACE) != padding:
        return False  # a Base64 character after the padding
    return _canonical_end(data, first, padding)


def _canonical_end(data: bytes, first: int, padding: bytes) -> bool:
    """Whether the group ending in ``padding`` (at ``first``) decodes and encodes back to itself."""
    chars: list[int] = []
    at = first
    while len(chars) < 4 - len(padding):
        at -= 1
        if at < 0:
            return False
        if data[at] not in _XML_SPACE:
            chars.append(data[at])
    group = bytes(reversed(chars)) + padding
    return binascii.b2a_base64(binascii.a2b_base64(group), newline=False) == group


def content_faults(root: etree._Element) -> list[Fault] | None:
    """The faults of the file contents in ``root`` that are not Base64 (none: an empty list), for the
    caller to validate the rest against the schemas with file contents typed as text; None when
    ``root`` holds no file content. ``root`` is not changed.

    Each content is read once (lxml makes a new string at every ``.text``) and let go before the next.
    """
    faults: list[Fault] | None = None
    for element in root.iter(*BINARY_TAGS):
        faults = faults if faults is not None else []
        text = element.text or ""
        if not is_base64(text):
            faults.append(_not_base64(element))
        del text
    return faults


def _not_base64(element: etree._Element) -> Fault:
    where = f"line {element.sourceline}" if element.sourceline else element.getroottree().getpath(element)
    name = etree.QName(element).localname
    return Fault(where=where, problem=f"Element 'ram:{name}': the content is not valid xs:base64Binary.")
