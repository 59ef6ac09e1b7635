"""Thai digits, book numbers and Buddhist Era dates."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ecms_gateway.letter.thai import (
    book_no_key,
    format_thai_date,
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


@given(st.dates(min_value=date(1942, 1, 1), max_value=date(2400, 12, 31)))
def test_thai_dates_convert_exactly_both_ways(value: date) -> None:
    for thai_digits in (False, True):
        for short in (False, True):
            assert parse_thai_date(format_thai_date(value, thai_digits=thai_digits, short=short)) == value


def test_parse_thai_date_finds_dates_in_running_text() -> None:
    assert parse_thai_date("ลงวันที่ ๒๐ พ.ย. ๖๙ เรื่อง ขอเชิญประชุม") == date(2026, 11, 20)
    assert parse_thai_date("วันที่ 5 มีนาคม พ.ศ. 2568") == date(2025, 3, 5)


def test_parse_thai_date_rejects_impossible_dates() -> None:
    assert parse_thai_date("30 กุมภาพันธ์ 2569") is None
    assert parse_thai_date("no date here") is None
