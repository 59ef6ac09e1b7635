"""Thai digits, book numbers and Buddhist Era dates: exact conversions both ways, and which era a
year written on a letter is in (``letter_year``)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Final

BE_OFFSET: Final = 543
"""พ.ศ. = ค.ศ. + 543 for the whole calendar year (Thailand has counted years from 1 January since 1941)."""

THAI_TIME: Final = timezone(timedelta(hours=7), "ICT")
"""Thailand's clock (no daylight saving): what "this year" means to a clerk."""

YEARS_BACK: Final = 100
"""A letter date may be up to this many years before this year: old letters are cited as references."""
YEARS_AHEAD: Final = 1
"""... and up to next year (a letter prepared in late December); anything further is a typo."""

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


class Era(Enum):
    """The era a year is written in, when the writer marks it."""

    BE = "พ.ศ."  # พุทธศักราช, the Buddhist Era: what Thai letters use
    CE = "ค.ศ."  # คริสต์ศักราช, the Christian Era: what the wire and the letter JSON use


def thai_today() -> date:
    """Today's date in Thailand."""
    return datetime.now(THAI_TIME).date()


def letter_years(today: date) -> tuple[int, int]:
    """The first and last Gregorian year a letter date may have, seen from ``today``."""
    return today.year - YEARS_BACK, today.year + YEARS_AHEAD


def letter_year(written: int, *, today: date, era: Era | None = None) -> int | None:
    """The Gregorian year a four-digit year written on a letter means, or None when it is a typo.

    One rule for every way a date is typed: the year is read in the era (``era`` when the writer marked
    one) that puts it within ``letter_years(today)``. The window is 102 years wide and the eras are 543
    years apart, so at most one reading fits: ``2569`` is 2026, ``2027`` is 2027, and ``2443`` (1900)
    or ``2642`` (2099) fit neither.
    """
    first, last = letter_years(today)
    readings = {Era.CE: written, Era.BE: written - BE_OFFSET}
    for reading_era, year in readings.items():
        if era in (None, reading_era) and first <= year <= last:
            return year
    return None


THAI_DATE: Final = re.compile(
    r"(?P<day>\d{1,2})\s*(?P<month>[\u0E00-\u0E7F.]+?)\s*"
    r"(?:(?P<era>พ\.?\s*ศ\.?|ค\.?\s*ศ\.?)\s*)?(?P<year>\d{4}|\d{2})(?!\d)"
)
"""A date in Thai words, Arabic digits: ``20 พฤศจิกายน 2569``, ``20 พ.ย. 69``, ``5 มกราคม ค.ศ. 2027``."""


def month_number(name: str) -> int | None:
    """1-12 for a Thai month name, full or short, with or without its dots; None for anything else."""
    return _MONTH_LOOKUP.get(name.strip())


def written_year(match: re.Match[str]) -> tuple[int, Era | None]:
    """The four-digit year of a ``THAI_DATE`` match and its era mark: a two-digit year is 25xx
    (20xx after ค.ศ.)."""
    era = None if match["era"] is None else Era.BE if match["era"].startswith("พ") else Era.CE
    year = int(match["year"])
    if year < 100:
        year += 2000 if era is Era.CE else 2500
    return year, era


def parse_thai_date(text: str, *, today: date | None = None) -> date | None:
    """Find a Thai date (``20 พฤศจิกายน 2569``, ``๒๐ พ.ย. ๖๙``, ``20 พ.ย. พ.ศ. 2569``) in ``text``.

    The year is read by ``letter_year`` (seen from ``today``, Thailand's by default): a Buddhist Era
    year as such, a Christian Era one (``5 มกราคม 2027``) as written. Returns None when no date with a
    plausible year and a day that exists is found.
    """
    seen_from = thai_today() if today is None else today
    for match in THAI_DATE.finditer(to_arabic_digits(text)):
        month = month_number(match["month"])
        written, era = written_year(match)
        year = letter_year(written, today=seen_from, era=era)
        if month is None or year is None:
            continue
        try:
            return date(year, month, int(match["day"]))
        except ValueError:
            continue
    return None
