"""What a Thai registry clerk reads in Chromium: the date boxes show dates as Thai clerks write them
(``1/11/2569``, never the browser's own month-first picker) and take them so; on a received letter's
page refusing it (its reason and buttons) is a box of its own under the Register button, not beside
it; at phone width every label of a list's card has a value (ปกติ, –); the sent list shows our own
outgoing number; an empty list with a filter says so and clears it. Thai and English, desk and phone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from playwright.sync_api import Page

from ecms_gateway.engine import SignatureMark
from ecms_gateway.letter.codes import Speed
from ecms_gateway.letter.model import Party
from ecms_gateway.letter.thai import THAI_TIME, be_year
from tests.browser.conftest import Watch, login
from tests.integration.web.live import ORG_A, ORG_B, PASSWORD, LiveWeb, sample

pytestmark = pytest.mark.browser


def _received(live: LiveWeb) -> int:
    """A normal-speed letter from B, waiting to be registered."""
    package = sample()
    update = {"sender": Party(org_id=ORG_B), "receiver": Party(org_id=ORG_A), "speed": Speed.NORMAL}
    letter = package.letter.model_copy(update=update)
    inbox = live.store.accept_inbound(b"<raw/>", channel="ecms", process_id="p-1", actor="test")
    return live.store.record_inbound_letter(
        inbox.id, replace(package, letter=letter), actor="test", signature=SignatureMark.VERIFIED
    ).id


def _sent(live: LiveWeb) -> int:
    package = sample()
    letter = package.letter.model_copy(update={"speed": Speed.NORMAL})
    return live.store.accept_outbound(replace(package, letter=letter), actor="test", channel="ecms")


def _english(page: Page) -> None:
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()


def _box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


def test_date_boxes_show_and_take_the_date_as_thai_clerks_write_it(live: LiveWeb, watch: Watch) -> None:
    page = watch.page(width=1280)
    login(page, live.url, "clerk", PASSWORD)
    today = datetime.now(THAI_TIME).date()
    page.goto(f"{live.url}/registry")
    start = page.locator("#from")
    assert start.get_attribute("type") in (None, "text")
    assert start.evaluate("(box) => box.type") == "text"
    assert start.input_value() == f"1/{today.month}/{be_year(today.year)}"
    assert page.locator("#to").input_value() == f"{today.day}/{today.month}/{be_year(today.year)}"
    assert "1/11/2569" in page.locator("#date-hint").inner_text()
    watch.shot(page, "registry-th")
    page.locator("#from").fill("๑/๑๑/๒๕๖๙")
    page.locator("#to").fill("30/11/2569")
    page.get_by_role("button", name="แสดง").click()
    page.wait_for_load_state()
    assert "1 พ.ย. 2569 ถึง 30 พ.ย. 2569" in page.inner_text("main")
    assert page.locator("#from").input_value() == "1/11/2569"

    page.goto(f"{live.url}/compose")
    date = page.locator("#date")
    assert date.evaluate("(box) => box.type") == "text"
    assert date.get_attribute("placeholder") == "วว/ดด/ปปปป"
    date.fill("1/11/2569")
    watch.shot(page, "compose-th")
    _english(page)
    assert page.locator("#date").get_attribute("placeholder") == "dd/mm/yyyy"
    assert "1/11/2569 is 1 November 2026" in page.locator("#date-hint").inner_text()
    watch.shot(page, "compose-en")
    page.goto(f"{live.url}/registry")
    assert page.locator("#from").input_value() == f"1/{today.month}/{be_year(today.year)}"
    watch.shot(page, "registry-en")

    phone = watch.page(width=390, height=844)
    login(phone, live.url, "clerk", PASSWORD)
    phone.goto(f"{live.url}/registry")
    watch.shot(phone, "registry-phone")
    phone.goto(f"{live.url}/compose")
    watch.shot(phone, "compose-phone")


def test_refusing_a_letter_is_a_box_of_its_own_under_the_register_button(live: LiveWeb, watch: Watch) -> None:
    letter_id = _received(live)
    for lang in ("th", "en"):
        page = watch.page(width=1280)
        login(page, live.url, "clerk", PASSWORD)
        page.goto(f"{live.url}/letters/{letter_id}")
        if lang == "en":
            _english(page)
        register, reason, refuse = (_box(page, s) for s in ("#register", "#reason", "#refuse"))
        assert reason["y"] >= register["y"] + register["height"]  # under Register, not beside it
        assert refuse["y"] >= register["y"] + register["height"]
        assert page.locator("#refuse #register").count() == 0
        assert page.locator("#refuse #reject").count() == 1
        assert page.locator("#refuse #invalid").count() == 1
        heading = page.locator("#refuse h3").inner_text()
        assert heading == ("ไม่รับหนังสือฉบับนี้: ปฏิเสธ หรือแจ้งว่าส่งผิด" if lang == "th" else
                           "Not taking this letter: reject it or mark it invalid")  # fmt: skip
        watch.shot(page, f"letter-{lang}")
    phone = watch.page(width=390, height=844)
    login(phone, live.url, "clerk", PASSWORD)
    phone.goto(f"{live.url}/letters/{letter_id}")
    assert _box(phone, "#reason")["y"] >= _box(phone, "#register")["y"]
    watch.shot(phone, "letter-phone")


def _empty_labels(page: Page) -> list[str]:
    """The labels of the list's cards whose value is empty."""
    return list(
        page.evaluate(
            """() => Array.from(document.querySelectorAll("table.letters td"))
                 .filter((td) => !td.innerText.trim()).map((td) => td.dataset.label)"""
        )
    )


def test_phone_cards_show_a_value_for_every_label_and_the_sent_list_our_number(
    live: LiveWeb, watch: Watch
) -> None:
    _received(live)
    sent_id = _sent(live)
    number = live.store.show(sent_id).letter.registry_no
    for lang in ("th", "en"):
        phone = watch.page(width=390, height=844)
        login(phone, live.url, "clerk", PASSWORD)
        if lang == "en":
            _english(phone)
        for path in ("/received", "/sent"):
            phone.goto(f"{live.url}{path}")
            assert _empty_labels(phone) == []
            watch.shot(phone, f"{path.strip('/')}-phone-{lang}")
        ours = phone.locator("td.send-no").inner_text()
        assert ours.startswith(f"{number}/{be_year(datetime.now(THAI_TIME).year)}")
    desk = watch.page(width=1280)
    login(desk, live.url, "clerk", PASSWORD)
    desk.goto(f"{live.url}/sent")
    assert desk.locator("table.letters th").nth(1).inner_text() == "เลขทะเบียนส่ง"
    assert desk.locator("td.send-no").inner_text() == f"{number}/{be_year(datetime.now(THAI_TIME).year)}"
    watch.shot(desk, "sent-desk")


def test_an_empty_list_with_a_filter_says_nothing_matches_and_clears_it(live: LiveWeb, watch: Watch) -> None:
    _sent(live)
    page = watch.page(width=1280)
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/received")
    assert "ไม่มีหนังสือที่ตรงกับตัวกรอง (แสดง “รอลงทะเบียน”)" in page.locator("#empty").inner_text()
    watch.shot(page, "received-filtered-th")
    _english(page)
    page.goto(f"{live.url}/sent?show=attention")
    assert "No letter matches the filter" in page.locator("#empty").inner_text()
    watch.shot(page, "sent-filtered-en")
    page.locator("#clear-filter").click()
    page.wait_for_load_state()
    assert page.locator("table.letters tbody tr").count() == 1
