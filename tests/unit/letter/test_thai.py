"""Thai digits, book numbers and Buddhist Era dates."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ecms_gateway.letter.thai import (
    YEARS_BACK,
    Era,
    book_no_key,
    format_thai_date,
    letter_year,
    letter_years,
    parse_thai_date,
    same_book_no,
    to_arabic_digits,
    to_thai_digits,
)


def test_thai_and_arabic_book_numbers_compare_equal() -> None:
    assert same_book_no("ศธ ๐๒๐๖/๑๒๓๔", "ศธ 0206/1234")
    assert same_book_no("ศธ  0206/1234 ", "ศธ ๐๒๐๖/๑๒๓๔")
    assert book_no_key("ศธ ๐๙๙๐/๐๐๐๗") == "ศธ 0990/0007"


def test_different_book_numbers_do_not_compare_equal() -> None:
    assert not same_book_no("ศธ 0206/1234", "ศธ 0206/1235")
    assert not same_book_no("ศธ 0206/1234", "สธ 0206/1234")


@given(st.text(alphabet="0123456789 /.ศธกข", max_size=30))
def test_digit_conversion_round_trips(text: str) -> None:
    assert to_arabic_digits(to_thai_digits(text)) == text
    assert same_book_no(text, to_thai_digits(text))


def test_format_thai_date_uses_buddhist_era_and_month_name() -> None:
    assert format_thai_date(date(2026, 11, 20)) == "20 พฤศจิกายน 2569"
    assert format_thai_date(date(2026, 1, 1), thai_digits=True) == "๑ มกราคม ๒๕๖๙"
    assert format_thai_date(date(2024, 2, 29), short=True) == "29 ก.พ. 2567"


@given(st.dates(min_value=date(1942, 1, 1), max_value=date(2400, 12, 31)), st.integers(-1, YEARS_BACK))
def test_thai_dates_convert_exactly_both_ways(value: date, age: int) -> None:
    """Any date a letter may have (from 100 years ago to next year) is read back as written."""
    today = value.replace(year=value.year + age, day=1)
    for thai_digits in (False, True):
        for short in (False, True):
            written = format_thai_date(value, thai_digits=thai_digits, short=short)
            assert parse_thai_date(written, today=today) == value


def test_parse_thai_date_finds_dates_in_running_text() -> None:
    assert parse_thai_date("ลงวันที่ ๒๐ พ.ย. ๖๙ เรื่อง ขอเชิญประชุม") == date(2026, 11, 20)
    assert parse_thai_date("วันที่ 5 มีนาคม พ.ศ. 2568") == date(2025, 3, 5)


def test_parse_thai_date_rejects_impossible_dates() -> None:
    assert parse_thai_date("30 กุมภาพันธ์ 2569") is None
    assert parse_thai_date("no date here") is None


TODAY = date(2026, 11, 21)


def test_a_letter_year_is_read_in_the_era_that_makes_it_a_plausible_date() -> None:
    assert letter_years(TODAY) == (1926, 2027)
    assert letter_year(2569, today=TODAY) == 2026  # Buddhist Era
    assert letter_year(2027, today=TODAY) == 2027  # Christian Era: not 1484
    assert letter_year(2469, today=TODAY) == 1926  # a reference 100 years old
    assert letter_year(2570, today=TODAY) == 2027  # next year


def test_a_year_neither_era_makes_plausible_is_none() -> None:
    for typo in (2443, 1900, 2642, 2099, 2028, 2571, 1925, 2468):
        assert letter_year(typo, today=TODAY) is None, typo


def test_a_marked_era_is_the_only_one_read() -> None:
    assert letter_year(2027, today=TODAY, era=Era.CE) == 2027
    assert letter_year(2027, today=TODAY, era=Era.BE) is None
    assert letter_year(2569, today=TODAY, era=Era.CE) is None


def test_parse_thai_date_reads_a_christian_era_year_as_written() -> None:
    assert parse_thai_date("5 มกราคม 2027", today=TODAY) == date(2027, 1, 5)
    assert parse_thai_date("5 มกราคม ค.ศ. 2027", today=TODAY) == date(2027, 1, 5)
    assert parse_thai_date("5 มกราคม 2570", today=TODAY) == date(2027, 1, 5)


def test_parse_thai_date_skips_a_date_whose_year_is_a_typo() -> None:
    assert parse_thai_date("1 มกราคม 2443", today=TODAY) is None
    assert parse_thai_date("1 มกราคม 2642 ลงวันที่ 2 มกราคม 2569", today=TODAY) == date(2026, 1, 2)
