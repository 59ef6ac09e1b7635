"""One gateway's pages in headless Chromium: the clerk composes (with the receiver picked by typing),
registers a received letter, reads the registry book, switches language, at desk and phone width;
an operator redrives a dead letter and verifies the audit chain. Every page is screenshotted."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ecms_gateway.letter.thai import THAI_TIME
from tests.browser.conftest import Watch, login
from tests.integration.web.live import ORG_B, PASSWORD, LiveWeb, sample
from tests.integration.web.test_web_routes import _dead_letter, _receive

pytestmark = pytest.mark.browser


def test_clerk_composes_registers_and_reads_the_registry(live: LiveWeb, watch: Watch, tmp_path: Path) -> None:
    package = sample()
    files = tmp_path / "files"
    files.mkdir()
    for item in package.files:
        (files / item.name).write_bytes(item.content)
    page = watch.page()
    page.goto(f"{live.url}/login")
    watch.shot(page, "login")
    login(page, live.url, "clerk", PASSWORD)

    page.goto(f"{live.url}/compose")
    expect(page.get_by_role("heading", name="ก่อนส่ง: หนังสือที่ส่งทางอิเล็กทรอนิกส์ได้")).to_be_visible()
    watch.shot(page, "compose")
    page.get_by_label("ลับที่สุด").check()
    page.get_by_role("button", name="ส่งหนังสือ").click()
    expect(page.locator("#secrecy-faults")).to_contain_text("ลับที่สุด")
    expect(page.locator("#subject-faults")).to_be_visible()
    expect(page.locator("#main_file-faults")).to_be_visible()
    watch.shot(page, "compose-faults")

    page.get_by_label("ปกติ", exact=True).nth(1).check()  # secrecy: normal (the first is speed)
    page.get_by_label("ด่วนที่สุด").check()
    page.get_by_label("ที่ (เลขที่หนังสือ)").fill("ศธ 0990/501")
    page.get_by_label("ลงวันที่").fill("2026-11-20")
    page.get_by_label("เรื่อง", exact=True).fill(package.letter.subject)
    search = page.get_by_role("combobox", name="เรียน (ส่วนราชการผู้รับ)")
    search.fill("20991")
    option = page.get_by_role("option").filter(has_text=ORG_B)
    expect(option).to_be_visible()
    # The search has narrowed the list (a late answer for the empty field must not widen it again).
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    watch.shot(page, "compose-receiver-search")
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator(".org-chosen")).to_contain_text(ORG_B)
    page.get_by_label("ไฟล์หนังสือ (PDF)").set_input_files(str(files / package.main.name))
    page.get_by_label("ไฟล์แนบ").set_input_files(str(files / package.attachments[0].name))
    page.get_by_role("button", name="ส่งหนังสือ").click()
    expect(page.locator("#note")).to_contain_text("รับหนังสือเข้าคิวส่งแล้ว")
    expect(page.locator("#timeline")).to_contain_text("รับเข้าคิวส่ง")
    watch.shot(page, "sent-letter")
    page.goto(f"{live.url}/sent")
    expect(page.get_by_role("link", name="ศธ 0990/501")).to_be_visible()
    watch.shot(page, "sent-list")

    letter_id = _receive(live)
    page.goto(f"{live.url}/received")
    expect(page.locator("tr.row-speed-most_urgent")).to_have_count(1)
    watch.shot(page, "received-list")
    page.goto(f"{live.url}/letters/{letter_id}")
    expect(page.locator("iframe")).to_be_visible()
    watch.shot(page, "received-letter")
    page.once("dialog", lambda dialog: dialog.accept())  # registering cannot be undone: it asks first
    page.get_by_role("button", name="ลงทะเบียนรับ").click()
    expect(page.locator("#receive-number")).to_have_text("ลงทะเบียนรับแล้ว เลขรับที่ 1")
    watch.shot(page, "registered")

    today = datetime.now(THAI_TIME).date()  # registered today in Thailand, which may be tomorrow in UTC
    page.goto(f"{live.url}/registry?book=in&from={today.replace(day=1).isoformat()}&to={today.isoformat()}")
    expect(page.locator("table.book tbody tr")).to_have_count(1)
    watch.shot(page, "registry-in")
    with page.expect_download() as download:
        page.locator("#csv").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Registry books")).to_be_visible()
    watch.shot(page, "registry-english")
    page.get_by_role("link", name="ภาษาไทย").click()

    phone = watch.page(width=390, height=844)
    login(phone, live.url, "clerk", PASSWORD)
    phone.goto(f"{live.url}/received?show=all")
    watch.shot(phone, "received-phone")
    phone.goto(f"{live.url}/compose")
    watch.shot(phone, "compose-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the compose page scrolls sideways at phone width ({width} px)"


def test_operator_redrives_a_dead_letter_and_verifies_the_audit_chain(live: LiveWeb, watch: Watch) -> None:
    work_id = _dead_letter(live)
    page = watch.page()
    login(page, live.url, "operator", PASSWORD)
    expect(page.get_by_role("heading", name="ภาพรวมระบบ")).to_be_visible()
    expect(page.locator("#dead")).to_contain_text("node refused: unknown receiver")
    page.wait_for_function("document.getElementById('per-hour').getAttribute('width') !== null")
    watch.shot(page, "dashboard")
    page.locator(f"#redrive-{work_id}").click()
    expect(page.locator("#note")).to_contain_text("สั่งส่งใหม่แล้ว 1 รายการ")
    expect(page.locator("#no-dead")).to_be_visible()
    watch.shot(page, "dashboard-redriven")
    page.get_by_role("link", name="บันทึกตรวจสอบ").click()
    page.get_by_role("button", name="ตรวจสอบความถูกต้องของสายบันทึก").click()
    expect(page.locator("#verdict")).to_contain_text("สายบันทึกถูกต้อง")
    watch.shot(page, "audit")
