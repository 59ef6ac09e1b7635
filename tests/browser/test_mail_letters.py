"""A letter a person typed in an ordinary mail program, confirmed by a clerk in headless Chromium.

The person's Thai mail with its PDF travels the real path: SMTP (aiosmtpd delivering into Dovecot's
Maildir) -> the gateway's IMAP reader commits it raw to agency A's store -> the mail processor keeps
it for a clerk with what it read. In the browser the clerk sees the waiting count in the menu, finds
the mail in the list, opens it (PDF preview, the mail's header, a form pre-filled with what was read),
is shown every fault at once after clearing a field, fills in the missing sender with the
organisation picker, types the date in Thai digits, confirms, lands on the received letter, registers
it and sees the receive number. Every page is screenshotted and checked for console errors.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import aiosmtplib
import pytest
from ecms_adapters.mail.imap_reader import ImapMailboxReader
from ecms_adapters.mail.smtp import SmtpSender
from playwright.sync_api import expect

from ecms_gateway.engine import LetterQuery, LetterState, WorkKind
from ecms_gateway.mail import MailContact, MailDirectory, MemoryCheckpointStore
from ecms_gateway.mail.settings import MailSettings
from ecms_gateway.runtime.mail import MailInbound, MailParts
from ecms_gateway.xml.parser import XmlLimits
from tests.browser.conftest import Watch, login
from tests.integration.mail.conftest import _passwords, dovecot, imap_settings, smtp_settings
from tests.integration.mail.servers import HOST, Dovecot
from tests.integration.mail.smtpd import running_smtpd
from tests.integration.mail.test_mail_letters_flow import (
    BOOK,
    SUBJECT,
    ByRecipient,
    _address,
    _persons_mail,
    _read,
    _work,
)
from tests.integration.web.live import ORG_A, ORG_B, PASSWORD, LiveWeb
from tests.unit.runtime.support import A, agencies

pytestmark = pytest.mark.browser
__all__ = ["_passwords", "dovecot"]  # the mail suite's fixtures, used here


def mail_a_persons_letter(live: LiveWeb, dovecot: Dovecot, keys: Path) -> None:
    """The person's mail, sent over SMTP, read over IMAP into ``live``'s store and kept for a clerk."""
    assert A == ORG_A
    ours, person = dovecot.new_user(), dovecot.new_user()
    mta = ByRecipient(users={_address(u): u for u in (ours, person)})
    agency = agencies(keys)[A]  # A's keys: the processor verifies signed mail with them (not used here)
    directory = MailDirectory([MailContact(org_id=ORG_A, th_name="หน่วยงาน ก", email=_address(ours))])
    with running_smtpd(mta) as port:
        smtp = smtp_settings(port)
        asyncio.run(
            aiosmtplib.send(_persons_mail(_address(person), _address(ours)), hostname=HOST, port=port)
        )
        reader = ImapMailboxReader(imap_settings(dovecot, ours), checkpoints=MemoryCheckpointStore())
        assert len(asyncio.run(_read(reader, live.store))) == 1
        parts = MailParts(
            settings=MailSettings(org_id=ORG_A, address=_address(ours), smtp=smtp),
            directory=directory,
            sender=SmtpSender(smtp),
            reader=None,
        )
        inbound = MailInbound(
            store=live.store,
            verifier=agency.verifier(),
            mail=parts,
            settings=live.services.settings,
            limits=XmlLimits(),
        )
        [note] = asyncio.run(_work(live.store, inbound, (WorkKind.INBOUND,)))
    assert "kept for a clerk as mail letter" in note


def test_a_clerk_confirms_a_persons_mailed_letter_and_registers_it(
    live: LiveWeb, watch: Watch, dovecot: Dovecot, tmp_path: Path
) -> None:
    # Playwright's sync API runs an event loop in this thread: the mail's asyncio runs in another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(mail_a_persons_letter, live, dovecot, tmp_path / "keys").result(timeout=120)
    page = watch.page()
    login(page, live.url, "clerk", PASSWORD)

    entry = page.get_by_role("link", name="หนังสือจากอีเมลรอยืนยัน")
    expect(entry).to_be_visible()
    expect(page.locator("#badge-mail-letters")).to_contain_text("1")
    watch.shot(page, "home-with-badge")
    entry.click()
    expect(page.get_by_role("heading", name="หนังสือจากอีเมลรอยืนยัน")).to_be_visible()
    row = page.locator("table.mail-letters tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("สมชาย ใจดี")
    expect(row).to_contain_text("ส่วนราชการผู้ส่ง")  # what is missing
    watch.shot(page, "mail-letters-list")

    row.get_by_role("link").click()
    expect(page.locator("iframe")).to_be_visible()
    expect(page.locator("#mail-facts")).to_contain_text(SUBJECT)
    expect(page.get_by_label("ที่ (เลขที่หนังสือ)")).to_have_value(BOOK)
    expect(page.get_by_label("ลงวันที่")).to_have_value("20 พฤศจิกายน 2569")
    expect(page.get_by_label("เรื่อง", exact=True)).to_have_value(SUBJECT)
    expect(page.get_by_label("ด่วนที่สุด")).to_be_checked()
    expect(page.get_by_label("ส่วนราชการผู้รับ (ของเรา)")).to_have_value(ORG_A)
    watch.shot(page, "mail-letter")

    # Confirming with the subject cleared and no sender: both faults at once, beside their fields.
    page.get_by_label("เรื่อง", exact=True).fill("")
    page.get_by_role("button", name="ยืนยันเป็นหนังสือรับ").click()
    expect(page.locator("#fault-summary")).to_be_visible()
    expect(page.locator("#subject-faults")).to_contain_text("จำเป็นต้องกรอก")
    expect(page.locator("#sender_org-faults")).to_be_visible()
    expect(page.get_by_label("เรื่อง", exact=True)).to_have_attribute("aria-invalid", "true")
    watch.shot(page, "mail-letter-faults")
    assert live.store.letters(LetterQuery()).total == 0

    page.get_by_label("เรื่อง", exact=True).fill(SUBJECT)
    page.get_by_label("ลงวันที่").fill("๒๐/๑๑/๒๕๖๙")
    search = page.get_by_role("combobox", name="ส่วนราชการผู้ส่ง")
    search.fill("20991")
    expect(page.get_by_role("option").filter(has_text=ORG_B)).to_be_visible()
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)  # narrowed by the search
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator(".org-chosen")).to_contain_text(ORG_B)
    watch.shot(page, "mail-letter-completed")
    page.get_by_role("button", name="ยืนยันเป็นหนังสือรับ").click()

    expect(page.locator("#note")).to_contain_text("ยืนยันแล้ว บันทึกเป็นหนังสือรับ")
    expect(page.locator("#state")).to_contain_text("รอลงทะเบียน")
    expect(page.locator("#badge-mail-letters")).to_have_count(0)
    watch.shot(page, "received-letter")
    page.once("dialog", lambda dialog: dialog.accept())  # registering cannot be undone: it asks first
    page.get_by_role("button", name="ลงทะเบียนรับ").click()
    expect(page.locator("#receive-number")).to_contain_text("ลงทะเบียนรับแล้ว เลขรับที่ 1")
    watch.shot(page, "registered")

    [letter] = live.store.letters(LetterQuery()).items
    assert (letter.state, letter.channel) == (LetterState.REGISTERED, "mail")
    assert (letter.sender_org, letter.receiver_org, letter.book_no) == (ORG_B, ORG_A, BOOK)
    assert letter.speed.value == "most_urgent"

    page.goto(f"{live.url}/mail-letters")
    expect(page.locator("#empty")).to_be_visible()
    watch.shot(page, "mail-letters-empty")


def test_the_mail_letter_pages_work_at_phone_width(live: LiveWeb, watch: Watch, tmp_path: Path) -> None:
    from tests.unit.mail import corpus  # noqa: PLC0415 - this test needs no mail server
    from tests.unit.services.test_mail_letters import keep  # noqa: PLC0415

    record_id = keep(live.store, corpus.gmail_letter())
    page = watch.page(width=390, height=844)
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/mail-letters")
    expect(page.get_by_role("link", name="Fwd: แจ้งกำหนดการอบรมครู")).to_be_visible()
    watch.shot(page, "phone-list")
    page.goto(f"{live.url}/mail-letters/{record_id}")
    expect(page.get_by_label("เหตุผล")).to_have_attribute("required", "")
    page.get_by_label("เหตุผล").fill("เป็นคำถามทั่วไป ไม่ใช่หนังสือราชการ")
    page.once("dialog", lambda dialog: dialog.accept())  # dismissing cannot be undone: it asks first
    page.get_by_role("button", name="ปัดตก").click()
    expect(page.locator("#note")).to_contain_text(f"ปัดตกหนังสือจากอีเมลรายการที่ {record_id} แล้ว")
    watch.shot(page, "phone-dismissed")
