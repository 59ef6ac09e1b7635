"""The pages for letters people sent by mail, over HTTP on a real server (no browser): the clerk's menu
entry with the waiting count, the list newest first with what is missing, the detail with the PDF
preview and a form pre-filled with what was read (the date in the Buddhist Era), every fault beside
its field at once, confirm leading to the received letter, dismiss needing a reason; CSRF and role
refusals change nothing."""

from __future__ import annotations

import re
from html import unescape

import httpx

from ecms_gateway.engine import LetterQuery, LetterState
from ecms_gateway.engine.mail_values import MailLetterState
from tests.integration.web.live import ORG_A, ORG_B, LiveWeb, csrf_of, message_after
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep, keep_unreadable


def _form(page: httpx.Response, **changes: str) -> dict[str, str]:
    """The confirm form as the page pre-filled it, with ``changes`` typed over it."""
    html = page.text
    form = {"csrf": csrf_of(html)}
    for name in ("book_no", "letter_date", "subject"):
        found = re.search(rf'id="{name}" name="{name}" value="([^"]*)"', html)
        assert found, name
        form[name] = unescape(found.group(1))
    for name in ("sender_org", "receiver_org"):
        select = html[html.index(f'<select id="{name}"') :]
        select = select[: select.index("</select>")]
        chosen = re.search(r'<option value="([^"]*)" selected', select)
        form[name] = chosen.group(1) if chosen else ""
    for name in ("speed", "secrecy"):
        checked = re.search(rf'name="{name}" value="([^"]+)" checked', html)
        assert checked, name
        form[name] = checked.group(1)
    form.update(changes)
    return form


def test_the_clerk_menu_counts_the_waiting_mail_letters_and_the_list_is_newest_first(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    assert 'id="badge-mail-letters"' not in clerk.get("/received").text  # nothing waits: no badge
    older = keep(live.store, corpus.gmail_letter())
    newer = keep(live.store, corpus.thunderbird_letter())
    home = clerk.get("/received").text
    assert "หนังสือจากอีเมลรอยืนยัน" in home
    assert re.search(r'id="badge-mail-letters"><span aria-hidden="true">2</span>', home)
    assert "2 รายการรอยืนยัน" in home  # what a screen reader says
    listing = clerk.get("/mail-letters")
    assert listing.status_code == 200
    text = listing.text
    assert text.index(f'id="mail-letter-{newer}"') < text.index(f'id="mail-letter-{older}"')
    row = text[text.index(f'id="mail-letter-{older}"') :]
    row = row[: row.index("</tr>")]
    assert corpus.STRANGER in row
    assert "Fwd: แจ้งกำหนดการอบรมครู" in row
    assert "ส่วนราชการผู้ส่ง" in row  # what is missing: the sender
    operator = live.logged_in("operator").get("/dashboard").text
    assert 'href="/mail-letters"' not in operator


def test_the_detail_shows_the_pdf_the_mail_and_a_form_filled_with_what_was_read(live: LiveWeb) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    page = clerk.get(f"/mail-letters/{record_id}")
    assert page.status_code == 200
    html = page.text
    assert f'<iframe src="/mail-letters/{record_id}/files/0"' in html
    assert corpus.STRANGER in html
    assert "ไม่อยู่ในสมุดรายชื่อหน่วยงาน" in html  # what was not found, said plainly
    form = _form(page)
    assert form["book_no"] == "ศธ 04002/ว1234"
    assert form["letter_date"] == "5 มกราคม 2570"  # Buddhist Era
    assert form["receiver_org"] == ORG_A
    assert form["sender_org"] == ""
    assert (form["speed"], form["secrecy"]) == ("normal", "normal")
    assert 'data-search="/orgs"' in html  # the compose page's organisation picker
    pdf = clerk.get(f"/mail-letters/{record_id}/files/0")
    assert pdf.status_code == 200
    assert pdf.content == corpus.PDF
    assert pdf.headers["content-disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in pdf.headers["content-security-policy"]
    assert clerk.get(f"/mail-letters/{record_id}/files/3").status_code == 404
    assert clerk.get("/mail-letters/424242").status_code == 404


def test_confirm_without_the_csrf_token_is_refused_and_changes_nothing(live: LiveWeb) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    data = _form(clerk.get(f"/mail-letters/{record_id}"), sender_org=ORG_B, csrf="forged")
    answer = clerk.post(f"/mail-letters/{record_id}/confirm", data=data)
    dismissed = clerk.post(f"/mail-letters/{record_id}/dismiss", data={"reason": "x"})
    assert answer.status_code == 403
    assert "แบบฟอร์มหมดอายุ" in answer.text
    assert dismissed.status_code == 403
    assert live.store.mail_letter(record_id).state is MailLetterState.PENDING


def test_an_operator_may_not_see_or_confirm_mail_letters(live: LiveWeb) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    operator = live.logged_in("operator")
    csrf = csrf_of(operator.get("/dashboard").text)
    for path in ("/mail-letters", f"/mail-letters/{record_id}", f"/mail-letters/{record_id}/files/0"):
        refused = operator.get(path)
        assert refused.status_code == 403, path
        assert "บทบาทของท่านไม่มีสิทธิ์" in refused.text
    posted = operator.post(f"/mail-letters/{record_id}/confirm", data={"csrf": csrf, "sender_org": ORG_B})
    assert posted.status_code == 403
    assert live.store.mail_letter(record_id).state is MailLetterState.PENDING


def test_every_fault_is_shown_beside_its_field_at_once_and_nothing_is_recorded(live: LiveWeb) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    data = _form(clerk.get(f"/mail-letters/{record_id}"), subject="", letter_date="31/02/2570")
    answer = clerk.post(f"/mail-letters/{record_id}/confirm", data=data)
    assert answer.status_code == 200
    html = answer.text
    assert 'id="fault-summary"' in html
    for name in ("letter_date", "subject", "sender_org"):
        assert f'id="{name}-faults"' in html, name
    assert "ไม่มีวันนี้ในปฏิทิน" in html
    assert 'value="31/02/2570"' in html  # what the clerk typed stays in the field
    assert re.search(r'id="subject" name="subject" value=""[^>]*aria-invalid="true"', html)
    assert 'id="book_no-faults"' not in html
    assert live.store.mail_letter(record_id).state is MailLetterState.PENDING
    assert live.store.letters(LetterQuery()).total == 0


def test_confirm_leads_to_the_received_letter_where_it_is_registered(live: LiveWeb) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    data = _form(clerk.get(f"/mail-letters/{record_id}"), sender_org=ORG_B, letter_date="๕/๑/๒๕๗๐")
    answer = clerk.post(f"/mail-letters/{record_id}/confirm", data=data)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/letters/(\d+)", answer.headers["location"])
    assert found
    letter_id = int(found.group(1))
    letter = live.store.show(letter_id).letter
    assert (letter.state, letter.channel, letter.sender_org) == (LetterState.RECEIVED, "mail", ORG_B)
    assert live.wakes >= 1
    page = clerk.get(answer.headers["location"]).text
    assert "ยืนยันแล้ว บันทึกเป็นหนังสือรับ" in page
    assert 'id="register"' in page
    assert 'id="badge-mail-letters"' not in page
    shown = clerk.get(f"/mail-letters/{record_id}").text
    assert f'href="/letters/{letter_id}"' in shown
    assert 'id="confirm"' not in shown  # nothing more to confirm


def test_dismiss_needs_a_reason_then_sets_the_mail_aside(live: LiveWeb) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/mail-letters/{record_id}").text)
    blank = clerk.post(f"/mail-letters/{record_id}/dismiss", data={"csrf": csrf, "reason": "  "})
    assert blank.status_code == 200
    assert 'id="reason-faults"' in blank.text
    assert "กรุณาระบุเหตุผลที่ปัดตก" in blank.text
    done = clerk.post(f"/mail-letters/{record_id}/dismiss", data={"csrf": csrf, "reason": "เป็นคำถามทั่วไป"})
    assert done.status_code == 303
    assert done.headers["location"] == "/mail-letters"
    listing = clerk.get(done.headers["location"]).text
    assert f"ปัดตกหนังสือจากอีเมลรายการที่ {record_id} แล้ว" in listing
    assert 'id="empty"' in listing
    again = clerk.post(f"/mail-letters/{record_id}/dismiss", data={"csrf": csrf, "reason": "อีกครั้ง"})
    assert message_after(clerk, again)
    assert live.store.mail_letter(record_id).reason == "เป็นคำถามทั่วไป"


def test_the_pages_speak_english_after_the_switch(live: LiveWeb) -> None:
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    clerk.cookies.set("ecms_lang", "en")
    page = clerk.get(f"/mail-letters/{record_id}").text
    assert "Check and confirm the letter" in page
    assert "Letters by e-mail to confirm" in page
    assert "5 มกราคม 2570" in page  # the date as clerks write it, in either language


def test_a_mail_that_is_no_letter_is_listed_with_why_and_can_only_be_read_and_dismissed(
    live: LiveWeb,
) -> None:
    record_id = keep_unreadable(live.store, corpus.plain_question())
    clerk = live.logged_in("clerk")
    listing = clerk.get("/mail-letters").text
    row = listing[listing.index(f'id="mail-letter-{record_id}"') :]
    row = row[: row.index("</tr>")]
    assert "รับเป็นหนังสือไม่ได้" in row
    assert re.search(
        r'id="badge-mail-letters"><span aria-hidden="true">1</span>', clerk.get("/received").text
    )
    page = clerk.get(f"/mail-letters/{record_id}")
    assert page.status_code == 200
    html = page.text
    alert = html[html.index('id="unreadable"') :]
    assert "ระบบรับอีเมลนี้เป็นหนังสือไม่ได้" in alert[: alert.index("</div>")]
    assert "ไม่มีไฟล์หนังสือแนบมา" in alert[: alert.index("</div>")]
    assert "ขอสอบถามว่าส่งหนังสือทางอีเมลได้หรือไม่" in html  # what the mail says
    assert f'action="/mail-letters/{record_id}/confirm"' not in html  # nothing to confirm
    assert 'id="dismiss"' in html
    original = clerk.get(f"/mail-letters/{record_id}/mail.eml")
    assert original.status_code == 200
    assert original.content == corpus.plain_question()
    assert original.headers["content-type"].startswith("message/rfc822")
    assert original.headers["content-disposition"].startswith("attachment")
    assert clerk.get("/mail-letters/424242/mail.eml").status_code == 404

    refused = clerk.post(
        f"/mail-letters/{record_id}/confirm", data={"csrf": csrf_of(html)}, follow_redirects=True
    )
    assert "รับเป็นหนังสือไม่ได้" in refused.text
    assert live.store.mail_letter(record_id).state is MailLetterState.PENDING
    dismissed = clerk.post(
        f"/mail-letters/{record_id}/dismiss",
        data={"csrf": csrf_of(html), "reason": "ตอบผู้ถามทางโทรศัพท์แล้ว"},
        follow_redirects=True,
    )
    assert dismissed.status_code == 200
    assert live.store.mail_letter(record_id).state is MailLetterState.DISMISSED
    assert 'id="badge-mail-letters"' not in clerk.get("/received").text
