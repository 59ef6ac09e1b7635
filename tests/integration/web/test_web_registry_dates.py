"""The registry book's period over HTTP: a Buddhist Era year in the ISO boxes is read as one (never as
the year 3112), a year that is a typo in both eras is refused saying which years to use, and a reversed
or too long period is each refused with its own words, in Thai and in English."""

from __future__ import annotations

import html
from datetime import datetime

from ecms_gateway.letter.thai import THAI_TIME, be_year, format_thai_date
from tests.integration.web.live import LiveWeb
from tests.integration.web.test_web_routes import _registered


def _today_be_iso() -> tuple[str, str]:
    """The first of this month and today, ISO with a Buddhist Era year (as a clerk may type them)."""
    today = datetime.now(THAI_TIME).date()
    year = be_year(today.year)
    return f"{year}-{today.month:02d}-01", f"{year}-{today.month:02d}-{today.day:02d}"


def test_a_buddhist_era_year_in_the_iso_boxes_shows_that_period(live: LiveWeb) -> None:
    _registered(live)
    start, end = _today_be_iso()
    answer = live.logged_in("clerk").get("/registry", params={"book": "in", "from": start, "to": end})
    assert answer.status_code == 200
    today = datetime.now(THAI_TIME).date()
    assert f"{be_year(today.year)}" in answer.text
    assert f"{be_year(be_year(today.year))}" not in answer.text  # not 543 years on (3112 for 2569)
    assert "ศธ 0990/1234" in answer.text  # the letter registered today is in the book
    # The box now says the day as a Thai clerk writes it (day/month/Buddhist Era year).
    assert f'value="{today.day}/{today.month}/{be_year(today.year)}"' in answer.text


def test_a_buddhist_era_year_in_the_csv_link_gives_the_book(live: LiveWeb) -> None:
    _registered(live)
    start, end = _today_be_iso()
    answer = live.logged_in("clerk").get("/registry.csv", params={"book": "in", "from": start, "to": end})
    assert answer.status_code == 200
    assert "ศธ 0990/1234" in answer.content.decode("utf-8-sig")


def test_a_year_that_is_a_typo_in_both_eras_is_refused_saying_which_years_to_use(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.get("/registry", params={"from": "3112-11-01", "to": "3112-11-30"})
    assert answer.status_code == 400
    today = datetime.now(THAI_TIME).date()
    assert "ตั้งแต่วันที่: &#39;3112-11-01&#39; ปี 3112 ไม่น่าจะเป็นปีของหนังสือ" in answer.text
    assert f"พ.ศ. {be_year(today.year) - 100} ถึง {be_year(today.year) + 1}" in answer.text
    assert format_thai_date(today) in answer.text  # an example of what to type
    clerk.cookies.set("ecms_lang", "en")
    english = clerk.get("/registry", params={"from": "2026-11-01", "to": "1900-11-30"}).text
    assert "To: &#39;1900-11-30&#39;: the year 1900 cannot be a letter&#39;s" in english


def test_a_reversed_period_says_the_dates_are_the_wrong_way_round(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.get("/registry", params={"from": "2026-12-01", "to": "2026-01-01"})
    assert answer.status_code == 400
    assert "วันที่เริ่มต้น (1 ธ.ค. 2569) อยู่หลังวันที่สิ้นสุด (1 ม.ค. 2569) กรุณาสลับวันที่" in answer.text
    assert "ปปปป-ดด-วว" not in answer.text  # the format was right
    for kept in ('value="2026-12-01"', 'value="2026-01-01"'):  # to correct, not to type again
        assert kept in answer.text
    outgoing = clerk.get("/registry", params={"book": "out", "from": "2026-12-01", "to": "2026-01-01"}).text
    assert 'value="out" checked' in outgoing
    assert 'value="in" checked' not in outgoing
    clerk.cookies.set("ecms_lang", "en")
    english = clerk.get("/registry", params={"from": "2026-12-01", "to": "2026-01-01"}).text
    assert "is after the end date" in english


def test_a_period_longer_than_one_book_says_so(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.get("/registry", params={"from": "2020-01-01", "to": "2026-01-01"})
    assert answer.status_code == 400
    assert "ช่วงวันที่ยาว 2193 วัน ทะเบียนหนึ่งเล่มแสดงได้ไม่เกิน 733 วัน" in answer.text
    assert "ปปปป-ดด-วว" not in answer.text
    pdf = clerk.get("/registry.pdf", params={"from": "2020-01-01", "to": "2026-01-01"})
    assert pdf.status_code == 400
    assert "ทำทะเบียนหนังสือสำหรับช่วงวันที่นี้ไม่ได้" in pdf.text
    assert "ทะเบียนหนึ่งเล่มแสดงได้ไม่เกิน 733 วัน" in pdf.text


def test_an_unreadable_date_is_said_beside_its_box_with_what_was_typed_kept(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.get("/registry", params={"book": "out", "from": "1/11/2569", "to": "31 ธันวา"})
    assert answer.status_code == 400
    page = html.unescape(answer.text)
    box = page.split('<input id="to"')[1].split("</div>")[0]
    assert 'aria-invalid="true"' in box
    assert "ถึงวันที่: '31 ธันวา' ไม่ใช่วันที่ที่อ่านได้" in box.split('id="to-faults"')[1]  # beside it
    assert 'value="31 ธันวา"' in box  # kept, to correct rather than type again
    assert 'aria-invalid="true"' not in page.split('<input id="from"')[1].split("</div>")[0]
    assert 'value="out" checked' in page


def test_a_csv_or_pdf_asked_with_an_unreadable_date_gives_the_form_back(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    for book in ("/registry.csv", "/registry.pdf"):
        answer = clerk.get(book, params={"from": "1/13/2569", "to": "1/11/2569"})
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith("text/html")
        page = html.unescape(answer.text)
        assert "ทำทะเบียนหนังสือสำหรับช่วงวันที่นี้ไม่ได้" in page.split('id="cannot"')[1]
        box = page.split('<input id="from"')[1].split("</div>")[0]
        assert 'value="1/13/2569"' in box
        assert "ตั้งแต่วันที่: '1/13/2569'" in box.split('id="from-faults"')[1]
        assert '<form method="get" action="/registry"' in page  # the form, to correct it there
