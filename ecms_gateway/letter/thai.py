"""Thai digits, book numbers and Buddhist Era dates: exact conversions both ways."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

BE_OFFSET: Final = 543
"""พ.ศ. = ค.ศ. + 543 for the whole calendar year (Thailand has counted years from 1 January since 1941)."""

THAI_DIGITS: Final = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC: Final = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI: Final = str.maketrans("0123456789", THAI_DIGITS)

MONTHS: Final = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
MONTHS_SHORT: Final = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
_MONTH_LOOKUP: Final[dict[str, int]] = {
    **{name: i + 1 for i, name in enumerate(MONTHS)},
    **{name: i + 1 for i, name in enumerate(MONTHS_SHORT)},
    **{name.replace(".", ""): i + 1 for i, name in enumerate(MONTHS_SHORT)},
}


def to_arabic_digits(text: str) -> str:
    """Replace Thai digits (๐-๙) by Arabic ones; everything else is kept."""
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    """Replace Arabic digits by Thai ones; everything else is kept."""
    return text.translate(_TO_THAI)


def book_no_key(book_no: str) -> str:
    """The comparison form of a book number: Arabic digits, single spaces, no outer blanks.

    ``ศธ ๐๒๐๖/๑๒๓๔`` and ``ศธ 0206/1234`` give the same key, so they compare equal.
    """
    return " ".join(to_arabic_digits(book_no).split())


def same_book_no(a: str, b: str) -> bool:
    """True when two book numbers denote the same letter number (Thai or Arabic digits)."""
    return book_no_key(a) == book_no_key(b)


def be_year(gregorian_year: int) -> int:
    """The Buddhist Era year of a Gregorian year."""
    return gregorian_year + BE_OFFSET


def gregorian_year(buddhist_year: int) -> int:
    """The Gregorian year of a Buddhist Era year."""
    return buddhist_year - BE_OFFSET


def format_thai_date(value: date, *, thai_digits: bool = False, short: bool = False) -> str:
    """``20 พฤศจิกายน 2569`` (or with Thai digits / the short month name)."""
    month = (MONTHS_SHORT if short else MONTHS)[value.month - 1]
    text = f"{value.day} {month} {be_year(value.year)}"
    return to_thai_digits(text) if thai_digits else text


_THAI_DATE = re.compile(
    r"(?P<day>\d{1,2})\s*(?P<month>[\u0E00-\u0E7F.]+?)\s*(?:พ\.?\s*ศ\.?\s*)?(?P<year>\d{4}|\d{2})(?!\d)"
)


def parse_thai_date(text: str) -> date | None:
    """Find a Thai date (``20 พฤศจิกายน 2569``, ``๒๐ พ.ย. ๖๙``, ``20 พ.ย. พ.ศ. 2569``) in ``text``.

    Years are Buddhist Era; a two-digit year means 25xx. Returns None when no valid date is found.
    """
    for match in _THAI_DATE.finditer(to_arabic_digits(text)):
        month = _MONTH_LOOKUP.get(match["month"].strip())
        if month is None:
            continue
        year = int(match["year"])
        if year < 100:
            year += 2500
        try:
            return date(gregorian_year(year), month, int(match["day"]))
        except ValueError:
            continue
    return None
