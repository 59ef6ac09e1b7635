"""Actions a clerk cannot take back ask first, in the page's language: registering a received letter
(it takes a receive number and the sender is told it), rejecting it or marking it wrongly sent (each
button its own question), and dismissing a mail letter. Answering no leaves everything as it was;
answering yes does it."""

from __future__ import annotations

import pytest
from ecms_adapters.runtime.layout import sample_letters
from ecms_adapters.web.directory import lookup
from ecms_adapters.web.i18n import translate
from playwright.sync_api import Dialog, expect

from ecms_gateway.engine import LetterState
from ecms_gateway.runtime.directory import table_from_file
from tests.browser.conftest import Watch, login
from tests.integration.web.live import ORG_B, PASSWORD, LiveWeb
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


def test_registering_asks_first_naming_the_receive_number_and_the_sender(live: LiveWeb, watch: Watch) -> None:
    letter_id = _receive(live)
    page = watch.page()
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/letters/{letter_id}")
    asked: list[str] = []

    def answer_no(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer_no)
    page.get_by_role("button", name="ลงทะเบียนรับ").click()
    expect(page.get_by_role("button", name="ลงทะเบียนรับ")).to_be_visible()
    assert "เลขรับ" in asked[0]
    assert "ยกเลิกไม่ได้" in asked[0]
    sender = lookup(table_from_file(sample_letters().parent / "directory.json"), ORG_B)
    assert sender is not None
    assert asked == [translate("th", "letter.confirm_register", sender=sender.th_name)]  # named
    assert live.store.show(letter_id).letter.state is LetterState.RECEIVED
    assert live.store.show(letter_id).letter.registry_no is None  # no number taken
    watch.shot(page, "register-asked")

    page.remove_listener("dialog", answer_no)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="ลงทะเบียนรับ").click()
    expect(page.locator("#receive-number")).to_have_text("ลงทะเบียนรับแล้ว เลขรับที่ 1")


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
