"""A clerk's day with mailbox-only partners, over HTTP: a mail that repeats a letter already received
is flagged and not confirmed a second time without the clerk's word; the very same letter mailed again
is said to be the letter already recorded; the mail's own text is shown beside its form; a letter that
went by saraban mail says so in its timeline, says what comes back (or does not) from a person's
mailbox, and a failed one says what to do."""

from __future__ import annotations

import html
import re
from dataclasses import replace

from ecms_gateway.engine import LetterQuery, LetterState
from ecms_gateway.errors import PermanentFailure
from ecms_gateway.letter.model import Party
from tests.integration.web.live import LiveWeb, csrf_of, sample
from tests.integration.web.test_web_mail_letters import _form
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep

MAIL_ORG = "2199000000"  # the sample directory's organisation reached by saraban mail only


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _confirm(clerk, record_id: int, **changes: str):  # type: ignore[no-untyped-def]
    return clerk.post(
        f"/mail-letters/{record_id}/confirm", data=_form(clerk.get(f"/mail-letters/{record_id}"), **changes)
    )


def test_a_forward_of_a_letter_already_received_is_flagged_and_needs_the_clerks_word(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    first = _confirm(clerk, keep(live.store, corpus.thunderbird_letter()))
    assert first.status_code == 303
    received = int(first.headers["location"].rsplit("/", 1)[1])

    forwarded = keep(live.store, corpus.forwarded_as_attachment())  # the same letter, forwarded by a person
    page = clerk.get(f"/mail-letters/{forwarded}").text
    warning = _text(page[page.index('id="duplicate"') :].split("</p>")[0])
    assert f"ได้รับหนังสือที่ {corpus.BOOK_THAI} ลงวันที่ 19 พ.ย. 2569" in warning
    assert "สำนักงานศึกษาธิการจังหวัดตัวอย่าง" in warning
    assert "ปัดตก" in warning
    assert f'href="/letters/{received}"' in page

    refused = _confirm(clerk, forwarded)
    assert refused.status_code == 200
    assert "ยังไม่ได้บันทึก เพราะได้รับหนังสือเลขที่และวันที่นี้ไว้แล้ว" in _text(refused.text)
    assert live.store.letters(LetterQuery()).total == 1

    again = clerk.post(
        f"/mail-letters/{forwarded}/confirm",
        data={**_form(refused), "not_duplicate": "1", "csrf": csrf_of(refused.text)},
    )
    assert again.status_code == 303
    assert live.store.letters(LetterQuery()).total == 2  # the clerk said it is another letter


def test_the_very_same_letter_mailed_again_is_said_to_be_the_one_already_recorded(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    first = _confirm(clerk, keep(live.store, corpus.thunderbird_letter()))
    raw = corpus.thunderbird_letter().replace(
        b"8c1f2e7a-4b1d", b"9d2f3e8b-5c2e"
    )  # sent again: new Message-ID
    record_id = keep(live.store, raw)
    form = _form(clerk.get(f"/mail-letters/{record_id}"))
    answer = clerk.post(f"/mail-letters/{record_id}/confirm", data={**form, "not_duplicate": "1"})
    assert answer.status_code == 303
    assert answer.headers["location"] == first.headers["location"]
    note = _text(clerk.get(answer.headers["location"]).text)
    assert "บันทึกเป็นหนังสือรับไว้แล้วจากอีเมลฉบับก่อน จึงไม่ได้บันทึกซ้ำ" in note
    assert "กรุณาลงทะเบียนรับ" not in note
    assert live.store.letters(LetterQuery()).total == 1


def test_the_mail_text_and_a_forwarded_messages_text_are_shown_beside_the_form(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    page = _text(clerk.get(f"/mail-letters/{keep(live.store, corpus.forwarded_as_attachment())}").text)
    assert "ข้อความในอีเมล" in page
    assert "ส่งต่อเพื่อลงทะเบียนรับครับ" in page  # what the person who forwarded it wrote
    assert "ข้อความที่ส่งต่อมา: สำนักงานศึกษาธิการจังหวัดตัวอย่าง" in page
    assert "ด้วยสำนักงานศึกษาธิการจังหวัดตัวอย่างขอความอนุเคราะห์ข้อมูล" in page  # the forwarded text


def _mailed(live: LiveWeb, *, ok: bool) -> int:
    """Letter 001 to the mailbox-only organisation, handed to the mail server (or refused by it)."""
    package = sample()
    letter = package.letter.model_copy(update={"receiver": Party(org_id=MAIL_ORG)})
    submitted = live.services.submit(replace(package, letter=letter), actor="clerk")
    assert submitted.route.channel == "mail"
    claim = live.store.claim("mail", "w1")
    assert claim is not None
    if ok:
        live.store.complete(claim.work_id, worker="w1")
    else:
        live.store.fail(claim.work_id, worker="w1", error=PermanentFailure("550 5.1.1 user unknown"))
    return submitted.letter_id


def test_a_letter_sent_by_mail_says_so_and_what_comes_back_from_a_mailbox(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    letter_id = _mailed(live, ok=True)
    assert live.store.show(letter_id).letter.state is LetterState.SENT
    page = _text(clerk.get(f"/letters/{letter_id}").text)
    assert "ส่งถึงอีเมลสารบรรณของผู้รับแล้ว" in page
    assert "ส่งถึงระบบ e-CMS แล้ว" not in page
    assert "ผู้รับที่เปิดอ่านทางโปรแกรมอีเมลจะไม่แจ้งกลับโดยอัตโนมัติ" in page
    assert "หนังสือจากอีเมลรอยืนยัน" in page


def test_a_letter_that_could_not_be_sent_says_what_to_do(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    letter_id = _mailed(live, ok=False)
    assert live.store.show(letter_id).letter.state is LetterState.FAILED
    page = _text(clerk.get(f"/letters/{letter_id}").text)
    assert "หนังสือนี้ยังไม่ถึงผู้รับ โปรดแจ้งผู้ดูแลระบบ" in page
    assert "ผู้รับที่เปิดอ่านทางโปรแกรมอีเมล" not in page
