"""The lists a clerk reads all day at desk width: a usual book number (ศธ 0990/1234) keeps its digits
on one line in the sent list and the registry book, and the search box of the list's filter sits in
one row with its choice and button instead of taking a line of its own; at phone width they stack."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from playwright.sync_api import Page

from ecms_gateway.letter.thai import THAI_TIME
from tests.browser.conftest import Watch, login
from tests.integration.web.live import PASSWORD, LiveWeb, sample

pytestmark = pytest.mark.browser

BOOK_NO = "ศธ 0990/1234"


def _lines_of_digits(page: Page, cell: str) -> int:
    """On how many lines the digits after the space of the first book number in ``cell`` are drawn."""
    return int(
        page.evaluate(
            """(cell) => {
              const box = document.querySelector(cell);
              const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
              const text = walker.nextNode();
              const range = document.createRange();
              range.setStart(text, text.data.indexOf(" ") + 1);
              range.setEnd(text, text.data.length);
              return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
            }""",
            cell,
        )
    )


@pytest.fixture
def sent(live: LiveWeb) -> LiveWeb:
    package = sample()
    long_subject = "ขอความอนุเคราะห์ส่งรายชื่อผู้เข้าร่วมอบรมหลักสูตรการบริหารงานสารบรรณอิเล็กทรอนิกส์ " * 2
    letter = package.letter.model_copy(update={"book_no": BOOK_NO, "subject": long_subject.strip()})
    live.store.accept_outbound(replace(package, letter=letter), actor="test", channel="ecms")
    return live


def test_a_usual_book_number_keeps_its_digits_on_one_line(sent: LiveWeb, watch: Watch) -> None:
    page = watch.page(width=1280)
    login(page, sent.url, "clerk", PASSWORD)
    page.goto(f"{sent.url}/sent")
    watch.shot(page, "sent")
    assert _lines_of_digits(page, "table.letters td.book-no a") == 1
    today = datetime.now(THAI_TIME).date()
    page.goto(f"{sent.url}/registry?book=out&from={today.replace(day=1).isoformat()}&to={today.isoformat()}")
    watch.shot(page, "registry")
    assert _lines_of_digits(page, "table.book td.book-no") == 1


def test_the_filter_is_one_row_at_desk_width_and_stacks_at_phone_width(sent: LiveWeb, watch: Watch) -> None:
    desk = watch.page(width=1280)
    login(desk, sent.url, "clerk", PASSWORD)
    desk.goto(f"{sent.url}/sent")
    show, search, button = (
        desk.locator(f"form.filters {s}").bounding_box() for s in ("#show", "#q", "button")
    )
    assert show is not None
    assert search is not None
    assert button is not None
    assert search["y"] < show["y"] + show["height"]  # beside the choice, not under it
    assert button["y"] < search["y"] + search["height"]
    assert search["width"] >= 200  # still wide enough to type into

    phone = watch.page(width=390, height=844)
    login(phone, sent.url, "clerk", PASSWORD)
    phone.goto(f"{sent.url}/sent")
    watch.shot(phone, "sent-phone")
    form = phone.locator("form.filters").bounding_box()
    small = phone.locator("form.filters #q").bounding_box()
    assert form is not None
    assert small is not None
    assert small["width"] > form["width"] * 0.8


def _lines_of(page: Page, cell: str) -> int:
    """On how many lines the text of ``cell`` is drawn."""
    return int(
        page.evaluate(
            """(cell) => {
              const range = document.createRange();
              range.selectNodeContents(document.querySelector(cell));
              return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
            }""",
            cell,
        )
    )


def test_a_letters_date_reads_on_one_line_beside_a_long_subject(sent: LiveWeb, watch: Watch) -> None:
    """At a 1366-pixel desk a long subject took the width and "20 พ.ย. 2569" broke into three lines."""
    page = watch.page(width=1366, height=768)
    login(page, sent.url, "clerk", PASSWORD)
    page.goto(f"{sent.url}/sent")
    watch.shot(page, "sent-1366")
    assert _lines_of(page, "table.letters td.date") == 1
