"""What the letter lists say in each cell and when they are empty: a normal speed is ปกติ and a number
not given yet is –, never a blank (a phone's card shows every label); the sent list has our own
outgoing registry number (เลขทะเบียนส่ง, as the letter page writes it); a list emptied by its filter
says no letter matches it and offers to clear it, in Thai and English."""

from __future__ import annotations

import html
import re
from dataclasses import replace

from ecms_gateway.engine import LetterQuery
from ecms_gateway.letter.codes import Speed
from tests.integration.web.live import LiveWeb, sample
from tests.integration.web.test_web_routes import _receive


def _cells(page: str) -> dict[str, str]:
    """Each cell of the list's first row by its label, as text."""
    row = page.split("<tbody>")[1].split("</tr>", maxsplit=1)[0]
    found = re.findall(r'<td[^>]*data-label="([^"]*)"[^>]*>(.*?)</td>', row, re.DOTALL)
    return {label: html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for label, text in found}


def _sent_normal(live: LiveWeb) -> int:
    """Letter 001 at normal speed, queued by A."""
    package = sample()
    letter = package.letter.model_copy(update={"speed": Speed.NORMAL})
    return live.store.accept_outbound(replace(package, letter=letter), actor="test", channel="ecms")


def test_a_sent_letter_shows_its_outgoing_number_normal_speed_and_a_dash_for_their_number(
    live: LiveWeb,
) -> None:
    letter_id = _sent_normal(live)
    (summary,) = live.store.letters(LetterQuery()).items
    assert summary.registry_no is not None
    assert summary.registry_year is not None
    ours = f"{summary.registry_no}/{summary.registry_year + 543}"
    clerk = live.logged_in("clerk")
    page = clerk.get(f"/letters/{letter_id}").text
    assert f"<dt>เลขทะเบียนส่ง</dt><dd>{ours}</dd>" in page  # as the letter page names and writes it
    cells = _cells(clerk.get("/sent").text)
    assert cells["เลขทะเบียนส่ง"] == ours
    assert cells["เลขรับของผู้รับ"] == "–"
    assert cells["ความเร็ว"] == "ปกติ"
    assert all(cells.values()), cells
    clerk.cookies.set("ecms_lang", "en")
    english = _cells(clerk.get("/sent").text)
    assert english["Our send no."] == f"{ours} BE"
    assert english["Their receive no."] == "–"


def test_a_received_letter_not_registered_yet_shows_a_dash_for_its_number(live: LiveWeb) -> None:
    _receive(live)
    cells = _cells(live.logged_in("clerk").get("/received").text)
    assert cells["เลขทะเบียน"] == "–"
    assert cells["ความเร็ว"] == "ด่วนที่สุด"
    assert all(cells.values()), cells


def test_an_empty_list_with_a_filter_says_nothing_matches_it_and_offers_to_clear_it(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    waiting = clerk.get("/received").text  # shows those waiting to be registered by default
    assert "ไม่มีหนังสือที่ตรงกับตัวกรอง (แสดง “รอลงทะเบียน”)" in waiting
    assert 'href="?show=all" id="clear-filter">ล้างตัวกรอง แสดงหนังสือทั้งหมด</a>' in waiting
    assert "ยังไม่มีหนังสือ" not in waiting
    searched = clerk.get("/sent", params={"show": "all", "q": "ไม่มีเรื่องนี้"}).text
    assert "ไม่มีหนังสือที่ตรงกับตัวกรอง (ค้นหา “ไม่มีเรื่องนี้”)" in searched
    everything = clerk.get("/received", params={"show": "all"}).text
    assert '<p class="empty" id="empty">ยังไม่มีหนังสือ</p>' in everything
    assert 'id="clear-filter"' not in everything
    clerk.cookies.set("ecms_lang", "en")
    english = clerk.get("/received").text
    assert "No letter matches the filter (show “Waiting to be registered”)" in english
    assert ">Clear the filter: show every letter</a>" in english
