"""The date boxes of the compose page and the registry book are text boxes that take a date as Thai
clerks write it (``1/11/2569``, Thai digits, the Buddhist Era year), show that format as their
placeholder and hint (the English pages say they take the same), are filled in that way, and a date
that cannot be read is refused naming its box."""

from __future__ import annotations

import html
import re
from datetime import datetime

from ecms_gateway.engine import LetterQuery
from ecms_gateway.letter.thai import THAI_TIME, be_year
from tests.integration.web.live import LiveWeb, csrf_of, message_after
from tests.integration.web.test_web_routes import _compose_form, _pdf_files, _registered


def _box(page: str, name: str) -> str:
    """The ``<input>`` tag named ``name`` in ``page``."""
    found = re.search(rf'<input id="{name}" name="{name}"[^>]*>', page)
    assert found is not None, f"no box {name}"
    return found.group(0)


def _value(tag: str) -> str:
    found = re.search(r'value="([^"]*)"', tag)
    assert found is not None, tag
    return html.unescape(found.group(1))


def test_the_compose_date_box_is_a_text_box_with_the_thai_format_as_placeholder_and_hint(
    live: LiveWeb,
) -> None:
    clerk = live.logged_in("clerk")
    page = clerk.get("/compose").text
    box = _box(page, "date")
    assert 'type="date"' not in box
    assert 'placeholder="วว/ดด/ปปปป"' in box
    assert 'aria-describedby="date-hint"' in box
    assert "วัน/เดือน/ปี พ.ศ. เช่น 1/11/2569" in page
    clerk.cookies.set("ecms_lang", "en")
    english = clerk.get("/compose").text
    assert 'placeholder="dd/mm/yyyy"' in _box(english, "date")
    assert "Day/month/year in the Buddhist Era, as on the Thai pages: 1/11/2569 is 1 November 2026" in english


def test_a_date_typed_with_thai_digits_and_the_buddhist_era_year_is_the_letters_date(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    form = _compose_form(csrf=csrf_of(clerk.get("/compose").text), date="๒๐/๑๑/๒๕๖๙")
    sent = clerk.post("/compose", data=form, files=_pdf_files())
    assert sent.status_code == 303, message_after(clerk, sent)
    (letter,) = live.store.letters(LetterQuery()).items
    assert letter.letter_date.isoformat() == "2026-11-20"


def test_a_date_that_cannot_be_read_is_refused_naming_the_box_and_kept_as_typed(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    form = _compose_form(csrf=csrf_of(clerk.get("/compose").text), date="11/2569")
    answer = clerk.post("/compose", data=form, files=_pdf_files())
    assert answer.status_code == 200
    said = html.unescape(answer.text.split('id="date-faults"')[1].split("</ul>")[0])
    assert "<li>ลงวันที่: '11/2569' ไม่ใช่วันที่ที่อ่านได้ เขียนเช่น" in said
    box = _box(answer.text, "date")
    assert _value(box) == "11/2569"
    assert 'aria-invalid="true"' in box
    assert 'aria-describedby="date-hint date-faults"' in box
    assert live.store.queue() == []
    clerk.cookies.set("ecms_lang", "en")
    form["csrf"] = csrf_of(clerk.get("/compose").text)
    english = clerk.post("/compose", data=form, files=_pdf_files()).text
    assert "<li>Letter date: &#39;11/2569&#39; is not a date;" in english


def test_a_refused_form_shows_its_date_again_as_a_thai_clerk_writes_it(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    form = _compose_form(csrf=csrf_of(clerk.get("/compose").text), date="2026-11-01", subject="")
    answer = clerk.post("/compose", data=form, files=_pdf_files())
    assert 'id="subject-faults"' in answer.text
    assert _value(_box(answer.text, "date")) == "1/11/2569"  # not 2026-11-01, nor 11/01/2026


def test_the_registry_books_date_boxes_are_filled_in_the_thai_format_and_take_it(live: LiveWeb) -> None:
    _registered(live)
    clerk = live.logged_in("clerk")
    page = clerk.get("/registry").text
    today = datetime.now(THAI_TIME).date()  # the boxes' default period: this month in Thailand
    for name, day in (("from", 1), ("to", today.day)):
        box = _box(page, name)
        assert 'type="date"' not in box
        assert 'placeholder="วว/ดด/ปปปป"' in box
        assert _value(box) == f"{day}/{today.month}/{be_year(today.year)}"
    assert "วัน/เดือน/ปี พ.ศ. เช่น 1/11/2569" in page
    typed = {
        "from": f"๑/{today.month}/{be_year(today.year)}",
        "to": f"{today.day}/{today.month}/{be_year(today.year)}",
    }
    book = clerk.get("/registry", params={"book": "in", **typed})
    assert book.status_code == 200
    assert "ศธ 0990/1234" in book.text  # the letter registered today
    assert _value(_box(book.text, "from")) == f"1/{today.month}/{be_year(today.year)}"


def test_a_registry_date_that_cannot_be_read_names_its_box_in_thai_and_english(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.get("/registry", params={"from": "1/11/2569", "to": "31 ธันวา"})
    assert answer.status_code == 400
    assert "ถึงวันที่: &#39;31 ธันวา&#39; ไม่ใช่วันที่ที่อ่านได้" in answer.text
    assert _value(_box(answer.text, "to")) == "31 ธันวา"  # to correct, not to type again
    assert _value(_box(answer.text, "from")) == "1/11/2569"
    clerk.cookies.set("ecms_lang", "en")
    english = clerk.get("/registry", params={"from": "1/11/2569", "to": "31 ธันวา"}).text
    assert "To: &#39;31 ธันวา&#39; is not a date" in english
    assert 'placeholder="dd/mm/yyyy"' in _box(english, "from")
