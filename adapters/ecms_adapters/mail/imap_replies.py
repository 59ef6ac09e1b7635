"""Reading aioimaplib's response lines: UID FETCH literals, UID SEARCH results, SELECT's UIDVALIDITY,
and UID sets written compactly (``1:5,7,9:10``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

_FETCH_HEAD: Final = re.compile(rb"^\d+ FETCH \(")
_UID: Final = re.compile(rb"\bUID (\d+)")
_LITERAL: Final = re.compile(rb"\{(\d+)\}\s*$")
_UIDVALIDITY: Final = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_TRANSIENT_CODES: Final = re.compile(rb"\[(UNAVAILABLE|INUSE|LIMIT|SERVERBUG|EXPUNGEISSUED)\]")

Line = bytes | bytearray


def fetched_messages(lines: Sequence[Line]) -> list[tuple[int, bytes]]:
    """``(uid, message)`` for every ``n FETCH (UID u BODY[] {size}`` + literal in a FETCH response.

    Unsolicited FETCH lines (flag changes from other sessions) carry no literal and are skipped; the
    UID may come before or after the literal.
    """
    out: list[tuple[int, bytes]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        literal = _LITERAL.search(line) if isinstance(line, bytes) else None  # literals come as bytearray
        if literal and _FETCH_HEAD.match(line) and index + 1 < len(lines):
            body = bytes(lines[index + 1])
            uid = _UID.search(line)
            if uid is None and index + 2 < len(lines):
                uid = _UID.search(lines[index + 2])
            if uid is not None and len(body) == int(literal[1]):
                out.append((int(uid[1]), body))
            index += 2
            continue
        index += 1
    return sorted(out)


def search_results(lines: Sequence[Line]) -> list[int]:
    """The UIDs of a ``UID SEARCH`` response (the untagged lines before the completion text)."""
    uids: list[int] = []
    for line in lines[:-1]:
        uids.extend(int(word) for word in bytes(line).split() if word.isdigit())
    return sorted(set(uids))


def uidvalidity(lines: Iterable[Line]) -> int | None:
    for line in lines:
        match = _UIDVALIDITY.search(bytes(line))
        if match:
            return int(match[1])
    return None


def is_transient_refusal(lines: Sequence[Line]) -> bool:
    """True when a NO carries a response code meaning "try again later" (RFC 5530)."""
    return any(_TRANSIENT_CODES.search(bytes(line)) for line in lines)


def uid_set(uids: Iterable[int]) -> str:
    """``1:5,7,9:10`` for UIDs 1-5, 7, 9, 10."""
    ordered = sorted(set(uids))
    if not ordered:
        raise ValueError("an empty UID set")
    ranges: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        ranges.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    ranges.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(ranges)


def text_of(lines: Sequence[Line]) -> str:
    """The server's words (the completion line) for error messages."""
    return bytes(lines[-1]).decode("utf-8", "replace").strip() if lines else "no reply text"
