"""Actions a clerk cannot take back ask first, in the page's language: rejecting a received letter or
marking it wrongly sent (each button its own question), and dismissing a mail letter. Answering no
leaves everything as it was; answering yes does it. Registering, the everyday action, does not ask."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, expect

from ecms_gateway.engine import LetterState
from tests.browser.conftest import Watch, login
from tests.integration.web.live import PASSWORD, LiveWeb
from tests.integration.web.test_web_routes import _receive
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep

pytestmark = pytest.mark.browser


def test_rejecting_and_marking_invalid_ask_first_and_no_leaves_the_letter_waiting(
    live: LiveWeb, watch: Watch
) -> None:
    letter_id = _receive(live)
    page = watch.page()
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/letters/{letter_id}")
    asked: list[str] = []

    def answer_no(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer_no)
    page.get_by_label("เหตุผล").fill("ไม่ใช่หนังสือของหน่วยงานนี้")
    page.get_by_role("button", name="ปฏิเสธ (ส่งคืน)").click()
    page.get_by_role("button", name="แจ้งว่าส่งผิด").click()
    expect(page.get_by_role("button", name="ลงทะเบียนรับ")).to_be_visible()
    assert len(asked) == 2
    assert "ปฏิเสธ" in asked[0]
    assert "ยกเลิกไม่ได้" in asked[0]
    assert "ส่งผิด" in asked[1]
    assert live.store.show(letter_id).letter.state is LetterState.RECEIVED
    watch.shot(page, "asked-and-said-no")

    page.remove_listener("dialog", answer_no)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="แจ้งว่าส่งผิด").click()
    expect(page.locator("#note")).to_contain_text("บันทึกว่าส่งผิดแล้ว")
    assert live.store.show(letter_id).letter.state is LetterState.INVALID
    watch.shot(page, "marked-invalid")


def test_registering_does_not_ask(live: LiveWeb, watch: Watch) -> None:
    letter_id = _receive(live)
    page = watch.page()
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/letters/{letter_id}")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="ลงทะเบียนรับ").click()
    expect(page.locator("#receive-number")).to_have_text("ลงทะเบียนรับแล้ว เลขรับที่ 1")
    assert asked == []


def test_dismissing_a_mail_letter_asks_first_in_english_too(live: LiveWeb, watch: Watch) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    page = watch.page()
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/lang?to=en")
    page.goto(f"{live.url}/mail-letters/{record_id}")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("#reason").fill("not a letter")
    page.locator("#dismiss").click()
    expect(page.locator("#dismiss")).to_be_visible()
    assert len(asked) == 1
    assert asked[0].startswith("Dismiss this mail?")
    assert live.store.mail_letter(record_id).state.value == "pending"
    watch.shot(page, "dismiss-asked")
