"""Text in received mail, as real mail programs write it: charsets, RFC 2047 headers, 8-bit headers, HTML.

Thai mail comes as UTF-8, TIS-620 or windows-874 (also labelled x-windows-874, ms874, iso-8859-11).
windows-874 is a superset of TIS-620 and programs often label windows-874 bytes (curly quotes, the
euro sign) as TIS-620, so every Thai label is decoded as cp874. Unlabelled 8-bit text is tried as
UTF-8, then as cp874. Nothing here raises on bad input: undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import quopri
import re
from typing import Final

_THAI_LABELS: Final = frozenset(
    {"tis-620", "tis620", "tis_620", "windows-874", "x-windows-874", "windows874", "ms874", "cp874",
     "iso-8859-11", "iso8859-11", "iso_8859-11", "x-tis-620"}
)  # fmt: skip
_ENCODED_WORD: Final = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_WORD_RUN: Final = re.compile(r"(?:=\?[^?\s]+\?[bBqQ]\?[^?]*\?=)+")
_BETWEEN_WORDS: Final = re.compile(r"(\?=)\s+(=\?)")
_FOLD: Final = re.compile(r"\r?\n(?=[ \t])")


def codec_for(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when it names none we know."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    if name in _THAI_LABELS:
        return "cp874"
    if name in ("unknown-8bit", "x-unknown", "8bit"):
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Text of ``data`` in the labelled charset; unlabelled or wrongly labelled: UTF-8, then cp874."""
    codec = codec_for(label)
    candidates = [codec] if codec is not None and codec != "ascii" else []
    candidates += [c for c in ("utf-8", "cp874") if c not in candidates]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue  # mislabelled or unlabelled: try the next guess
    return data.decode(candidates[0], errors="replace")


def raw_bytes(text: str) -> bytes:
    """The original bytes of a header the parser read as ASCII with surrogate escapes."""
    return text.encode("ascii", "surrogateescape") if _has_surrogates(text) else text.encode("utf-8")


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def unfold(value: str) -> str:
    """A header value on one line (RFC 5322 folding removed)."""
    return _FOLD.sub("", value)


def decode_header(value: str | None) -> str:
    """A header's text: unfolded, RFC 2047 words decoded (any charset label above, whitespace between
    adjacent words dropped), raw 8-bit bytes decoded as UTF-8 or cp874.

    Adjacent words in one charset are decoded together: some mail programs cut a long UTF-8 subject
    into words in the middle of a Thai character (3 bytes), which decoded word by word would leave
    U+FFFD where the character was."""
    if not value:
        return ""
    text = unfold(value)
    if _has_surrogates(text):
        text = decode_bytes(raw_bytes(text))
    text = _BETWEEN_WORDS.sub(r"\1\2", text)
    return _WORD_RUN.sub(_decode_run, text).strip()


def _decode_run(run: re.Match[str]) -> str:
    """Adjacent encoded words: the bytes of each stretch in one charset joined, then decoded."""
    out: list[str] = []
    label: str | None = None
    pending = b""
    for match in _ENCODED_WORD.finditer(run[0]):
        word_label = match[1].partition("*")[0]
        data = _word_bytes(match[2].lower(), match[3])
        if data is None:  # not decodable: kept as written
            out.append(decode_bytes(pending, label) if pending else "")
            out.append(match[0])
            label, pending = None, b""
            continue
        if label is not None and word_label.lower() != label.lower():
            out.append(decode_bytes(pending, label))
            pending = b""
        label, pending = word_label, pending + data
    if pending:
        out.append(decode_bytes(pending, label))
    return "".join(out)


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding == "b":
            return base64.b64decode(payload + "=" * (-len(payload) % 4))
        return quopri.decodestring(payload.replace("_", " ").encode("ascii"), header=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def decode_param(value: str | tuple[str, str, str] | None) -> str | None:
    """A MIME parameter as ``email.message.Message.get_param`` returns it: RFC 2231 (charset, language,
    percent-decoded latin-1 text), or a plain value that may hold RFC 2047 words or raw 8-bit bytes."""
    if value is None:
        return None
    if isinstance(value, tuple):
        label, _language, text = value
        return decode_bytes(text.encode("latin-1", errors="replace"), label or "utf-8")
    return decode_header(value.strip('"'))


_BLOCKS: Final = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAKS: Final = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h[1-6]|/?blockquote)\b[^>]*>", re.IGNORECASE)
_TAGS: Final = re.compile(r"<[^>]*>")
_BLANK_LINES: Final = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")


def html_to_text(markup: str) -> str:
    """The readable text of an HTML body (webmail and Outlook send HTML only, or HTML first)."""
    text = _BLOCKS.sub(" ", markup)
    text = _BREAKS.sub("\n", text)
    text = html.unescape(_TAGS.sub(" ", text)).replace("\u00a0", " ")
    lines = (" ".join(line.split()) for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
