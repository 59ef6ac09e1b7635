"""A mail that repeats a letter already received is flagged where the clerk looks first: in the list of
mails waiting and at the top of its page, above the mail and its preview, not below the fold."""

from __future__ import annotations

from tests.integration.web.live import LiveWeb
from tests.integration.web.test_web_mail_clerk_day import _confirm, _text
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep


def test_the_waiting_list_flags_a_mail_that_repeats_a_received_letter(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    assert _confirm(clerk, keep(live.store, corpus.thunderbird_letter())).status_code == 303
    forwarded = keep(live.store, corpus.forwarded_as_attachment())
    page = clerk.get("/mail-letters").text
    row = _text(page[page.index(f'id="mail-letter-{forwarded}"') :].split("</tr>")[0])
    assert f"อาจซ้ำกับหนังสือที่ {corpus.BOOK_THAI} ที่ได้รับไว้แล้ว โปรดเปิดดูก่อนยืนยัน" in row


def test_a_mail_that_repeats_nothing_is_not_flagged_in_the_list(live: LiveWeb) -> None:
    keep(live.store, corpus.thunderbird_letter())
    assert "อาจซ้ำกับ" not in _text(live.logged_in("clerk").get("/mail-letters").text)


def test_the_repeat_warning_comes_before_the_mail_and_its_preview(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    assert _confirm(clerk, keep(live.store, corpus.thunderbird_letter())).status_code == 303
    page = clerk.get(f"/mail-letters/{keep(live.store, corpus.forwarded_as_attachment())}").text
    assert page.index('id="duplicate"') < page.index('id="mail-head"')
