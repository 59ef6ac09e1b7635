"""The compose form in headless Chromium: a receiver typed but matching nothing is said so as it is typed
and after sending; the files of a refused submit show as attached and go with the next one, which the
clerk sends without choosing them again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Watch, login
from tests.integration.web.live import ORG_B, PASSWORD, LiveWeb, sample

pytestmark = pytest.mark.browser


def test_compose_keeps_the_files_of_a_refused_submit(live: LiveWeb, watch: Watch, tmp_path: Path) -> None:
    package = sample()
    for item in package.files:
        (tmp_path / item.name).write_bytes(item.content)
    page = watch.page()
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/compose")
    expect(page.locator("#file-limits")).to_contain_text("25 MB")
    page.get_by_label("ที่ (เลขที่หนังสือ)").fill("ศธ 0990/601")
    page.get_by_label("เรื่อง", exact=True).fill(package.letter.subject)
    search = page.get_by_role("combobox", name="เรียน (ส่วนราชการผู้รับ)")
    search.fill("กรมที่ไม่มีในทำเนียบ")
    expect(page.locator(".org-none")).to_have_text("ไม่พบส่วนราชการที่ตรงกับคำค้น")
    page.get_by_label("ไฟล์หนังสือ (PDF)").set_input_files(str(tmp_path / package.main.name))
    page.get_by_label("ไฟล์แนบ").set_input_files(str(tmp_path / package.attachments[0].name))
    page.get_by_role("button", name="ส่งหนังสือ").click()  # no date, no receiver picked

    expect(page.locator("#receiver-faults")).to_contain_text("ไม่พบส่วนราชการที่ตรงกับ “กรมที่ไม่มีในทำเนียบ”")
    expect(search).to_have_value("กรมที่ไม่มีในทำเนียบ")
    expect(page.locator("#date-faults")).to_be_visible()
    expect(page.locator(".kept-name")).to_have_text(
        [re.compile(r"^แนบแล้ว: letter-001\.pdf \(\d+ KB\)$"), re.compile(r"^แนบแล้ว: letter-001-agenda\.pdf ")]
    )
    watch.shot(page, "compose-refused-files-kept")

    page.get_by_label("ลงวันที่").fill("2026-11-20")
    search.fill("20991")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator(".org-chosen")).to_contain_text(ORG_B)
    page.get_by_role("button", name="ส่งหนังสือ").click()  # the file boxes are empty: the kept files go
    expect(page.locator("#note")).to_contain_text("รับหนังสือเข้าคิวส่งแล้ว")
    expect(page.locator("#note")).not_to_contain_text("http")
    watch.shot(page, "compose-sent-with-kept-files")
    letter_id = int(page.url.rsplit("/", 1)[1])
    assert [f.name for f in live.store.load_package(letter_id).files] == [f.name for f in package.files]


def test_typing_again_after_picking_unpicks_the_receiver(live: LiveWeb, watch: Watch) -> None:
    """The letter never goes to an organisation whose name the box no longer shows."""
    page = watch.page()
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/compose")
    search = page.get_by_role("combobox", name="เรียน (ส่วนราชการผู้รับ)")
    search.fill("20991")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator(".org-chosen")).to_contain_text(ORG_B)
    search.fill("ไม่มีแบบนี้")
    expect(page.locator(".org-chosen")).to_have_text("")
    assert page.locator("select#receiver").input_value() == ""
    watch.shot(page, "compose-receiver-unpicked")
