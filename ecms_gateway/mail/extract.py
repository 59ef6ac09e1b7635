"""The letter's header read from what a person wrote: book number (ที่), subject (เรื่อง) and date
(ลงวันที่), in Thai or Arabic digits, Buddhist Era; whatever is not found is said plainly for a clerk.

Only text that is clearly the letter's is taken: a book number after ``ที่`` (or opening the mail's
subject), the text after ``เรื่อง``, a date after ``ลงวันที่`` or on a line of its own. A meeting date
in the middle of a sentence is not mistaken for the letter's date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from ecms_gateway.letter.thai import letter_year, parse_thai_date, thai_today, to_arabic_digits

_D: Final = "0-9\u0e50-\u0e59"  # Arabic and Thai digits
_C: Final = "\u0e01-\u0e2e"  # Thai consonants
_BOOK: Final = (
    rf"(?P<book>[{_C}]{{1,4}}\.?(?:[{_C}]{{1,3}}\.?)?\s*[{_D}]{{2,5}}(?:\.[{_D}]+)*"
    rf"\s*/\s*(?:ว\.?\s*)?[{_D}]+)"
)
_BOOK_AFTER_THI: Final = re.compile(rf"ที่\s*[:：]?\s*{_BOOK}")
_BOOK_OPENING: Final = re.compile(rf"^\s*{_BOOK}(?![{_D}])")
_SUBJECT_ANY: Final = re.compile(r"เรื่อง\s*[:：]?\s*(?P<subject>[^\r\n]+)")
_SUBJECT_LINE: Final = re.compile(r"(?m)^[ \t>]*เรื่อง\s*[:：]?\s*(?P<subject>[^\r\n]+)")
_DATED: Final = re.compile(r"ลงวันที่\s*[:：]?\s*(?P<rest>[^\r\n]+)")
_NUMERIC_DATE: Final = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_PREFIXES: Final = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|tr|sv|vs|ตอบกลับ|ตอบ|ส่งต่อ)\s*[:：]\s*|\[[^\]]{0,30}\]\s*)+", re.IGNORECASE
)
_REPLY: Final = re.compile(r"^\s*(?:re|aw|sv|vs|ตอบกลับ|ตอบ)\s*[:：]", re.IGNORECASE)
"""A reply's subject (Re:, AW:, SV:, VS:, ตอบกลับ:) names the letter being answered, not this one."""
_SUBJECT_TAIL: Final = re.compile(r"\s+(?:ลงวันที่|เรียน|อ้างถึง|สิ่งที่ส่งมาด้วย)(?:\s|[:：]).*$")

NOT_FOUND_WORDS: Final[dict[str, str]] = {
    "book_no": "ไม่พบเลขที่หนังสือ (ที่ ...) ในหัวเรื่องหรือเนื้อความของอีเมล โปรดตรวจจากไฟล์หนังสือ",
    "subject": "ไม่พบเรื่องของหนังสือ (เรื่อง ...) โปรดตรวจจากไฟล์หนังสือ",
    "letter_date": "ไม่พบวันที่ของหนังสือ (ลงวันที่ ...) โปรดตรวจจากไฟล์หนังสือ",
}


@dataclass(frozen=True, kw_only=True)
class NotFound:
    """A field the gateway could not read, with the sentence a clerk sees."""

    field: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Extracted:
    book_no: str | None
    subject: str | None
    letter_date: date | None
    not_found: tuple[NotFound, ...]
    notes: tuple[str, ...]


def clean_subject(subject: str) -> str:
    """The mail's subject without Re:/Fwd:/ตอบกลับ: prefixes and bracketed marks."""
    return _PREFIXES.sub("", subject).strip()


def extract_fields(subjects: Sequence[str], texts: Sequence[str]) -> Extracted:
    """Read the header from the mail subjects (the inner, forwarded one first) and body texts.

    The subject of a reply (``Re: ที่ ศธ 0990/501 เรื่อง ...``) is the answered letter's: its book
    number and date are never taken for this letter's, and its subject only when the body has none
    (the clerk is told)."""
    cleaned = [clean_subject(s) for s in subjects if s.strip() and not _REPLY.match(s)]
    answered = [clean_subject(s) for s in subjects if s.strip() and _REPLY.match(s)]
    notes: list[str] = []
    book = _book_no(cleaned, texts)
    earlier = _book_no(answered, [])
    if book is None and earlier is not None:
        notes.append(
            f"ที่: หัวเรื่องอีเมลเป็นการตอบกลับหนังสือที่ {earlier} ซึ่งเป็นเลขที่ของหนังสือฉบับก่อน "
            "จึงไม่ใช้เป็นเลขที่ของหนังสือนี้ โปรดตรวจจากไฟล์หนังสือ"
        )
    subject = _first(_SUBJECT_ANY, "subject", cleaned)
    in_body = _first(_SUBJECT_LINE, "subject", texts)
    if subject is None and in_body is None:
        subject = _first(_SUBJECT_ANY, "subject", answered)
        if subject is not None:
            notes.append("เรื่อง: ใช้เรื่องจากหัวเรื่องอีเมลที่ตอบกลับ ซึ่งอาจเป็นเรื่องของหนังสือฉบับก่อน โปรดตรวจกับไฟล์หนังสือ")
    if subject is None or (in_body is not None and in_body.startswith(subject)):
        subject = in_body or subject  # a subject line is often cut short; the body has it whole
    if subject is not None:
        subject = _SUBJECT_TAIL.sub("", subject).strip(" .-–") or None
    if subject is None and (cleaned or answered):
        fallback = (cleaned or answered)[0]
        shown = book if cleaned else earlier
        if shown:
            fallback = re.sub(rf"^\s*(?:ที่\s*[:：]?\s*)?{re.escape(shown)}\s*", "", fallback).strip()
        if fallback:
            subject = fallback
            notes.append("เรื่อง: ใช้หัวเรื่องของอีเมล เพราะไม่พบคำว่า 'เรื่อง' โปรดตรวจกับไฟล์หนังสือ")
    letter_date = _letter_date([*cleaned, *texts])
    found = {"book_no": book, "subject": subject, "letter_date": letter_date}
    missing = tuple(NotFound(field=k, message=NOT_FOUND_WORDS[k]) for k, v in found.items() if v is None)
    return Extracted(
        book_no=book, subject=subject, letter_date=letter_date, not_found=missing, notes=tuple(notes)
    )


def _book_no(subjects: Sequence[str], texts: Sequence[str]) -> str | None:
    for source in (*subjects, *texts):
        match = _BOOK_AFTER_THI.search(source)
        if match:
            return _tidy(match["book"])
    for source in subjects:
        match = _BOOK_OPENING.search(source)
        if match:
            return _tidy(match["book"])
    return None


def _tidy(book: str) -> str:
    text = " ".join(book.split())
    return re.sub(r"\s*/\s*", "/", text)


def _first(pattern: re.Pattern[str], group: str, sources: Sequence[str]) -> str | None:
    for source in sources:
        match = pattern.search(source)
        if match and match[group].strip():
            return " ".join(match[group].split())
    return None


def _letter_date(sources: Sequence[str]) -> date | None:
    for source in sources:
        for match in _DATED.finditer(source):
            found = _date_in(match["rest"])
            if found is not None:
                return found
    for source in sources:
        for line in source.splitlines():
            stripped = line.strip()
            if 6 <= len(stripped) <= 40:
                found = parse_thai_date(stripped)
                if found is not None and _only_date(stripped):
                    return found
    return None


def _date_in(text: str) -> date | None:
    found = parse_thai_date(text)
    if found is not None:
        return found
    match = _NUMERIC_DATE.search(to_arabic_digits(text))
    if match is None:
        return None
    day, month, written = (int(g) for g in match.groups())
    year = letter_year(written, today=thai_today())  # the clerk's rule: 2569 and 2026 alike; 2642 neither
    if year is None:
        return None  # left for the clerk to fill in rather than guessed
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _only_date(line: str) -> bool:
    """True when the line is a date and nothing else (``20 พฤศจิกายน 2569``, ``๒๐ พ.ย. ๖๙``)."""
    rest = re.sub(rf"[{_D}]", "", line)
    rest = re.sub(r"พ\.?\s*ศ\.?", "", rest)
    return bool(re.fullmatch(r"\s*[\u0e00-\u0e7f.]+\s*", rest))
