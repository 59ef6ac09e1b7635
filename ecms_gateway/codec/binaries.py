"""Large Base64 file contents checked outside libxml2 during schema validation.

libxml2 checks an ``xs:base64Binary`` value character by character: for a letter with a 5 MB
attachment that was ~50 ms of every validation, several times per letter on its way. During a
validation, ``for_validation`` checks each large ``MainLetterBinaryObject`` /
``AttachmentBinaryObject`` content with byte-level passes under the same rules (XML whitespace
anywhere, padding only at the end, the unused bits of the last character zero) and gives libxml2 a
copy of the tree with those contents empty, to check everything else (elements, attributes, places).
"""

from __future__ import annotations

import binascii
from copy import deepcopy
from typing import Final

import pybase64
from lxml import etree

from ecms_gateway.errors import Fault
from ecms_gateway.xml.namespaces import RAM

BINARY_TAGS: Final = (f"{{{RAM}}}MainLetterBinaryObject", f"{{{RAM}}}AttachmentBinaryObject")
LARGE: Final = 16_384
"""Contents up to this many characters are left to libxml2 (its own messages, no gain to be had)."""

_XML_SPACE: Final = b" \t\r\n"  # what xs:base64Binary's whiteSpace="collapse" folds; nothing else
_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def is_base64(text: str) -> bool:
    """True when ``text`` is a file content that libxml2's ``xs:base64Binary`` check and then the
    letter's file decoder (``codec.document``) both accept: Base64 characters with whitespace anywhere,
    a multiple of four, at most two "=" and only at the end, and the last character before "=" the
    canonical one (the schema's B16S / B04S). libxml2 alone skips stray characters, which the decoder
    then refuses; this check refuses them at once."""
    try:
        pybase64.b64decode(text, validate=True)  # one unbroken line (as we write it): SIMD, microseconds
    except ValueError:
        return _spaced_is_base64(text)  # whitespace in it, or not Base64: byte-level passes tell which
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


def for_validation(root: etree._Element) -> tuple[etree._Element, list[Fault]]:
    """The tree for libxml2 to validate: ``root`` itself, or (when it holds large binary contents) a
    copy with those contents empty; and the faults of the contents that are not Base64. ``root`` is
    never changed (it may be signed, or shared)."""
    if not any(_large(e) for e in root.iter(*BINARY_TAGS)):
        return root, []
    copy = deepcopy(root)  # the whole tree in C: cheaper than libxml2's check of the contents
    faults: list[Fault] = []
    for original, element in zip(root.iter(*BINARY_TAGS), copy.iter(*BINARY_TAGS), strict=True):
        if _large(original):
            if not is_base64(original.text or ""):
                faults.append(_not_base64(original))
            element.text = ""
    return copy, faults


def _large(element: etree._Element) -> bool:
    return element.text is not None and len(element.text) > LARGE


def _not_base64(element: etree._Element) -> Fault:
    where = f"line {element.sourceline}" if element.sourceline else element.getroottree().getpath(element)
    name = etree.QName(element).localname
    return Fault(where=where, problem=f"Element 'ram:{name}': the content is not valid xs:base64Binary.")
