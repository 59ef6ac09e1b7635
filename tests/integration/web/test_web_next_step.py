"""A sent letter the receiver refused, and one withdrawn, say on their page what the clerk does next
(withdraw first, then send again), in the page's language; a letter the receiver took says nothing."""

from __future__ import annotations

import html

from ecms_adapters.web.i18n import translate

from ecms_gateway.engine import NotifierKind
from tests.integration.web.live import LiveWeb, csrf_of
from tests.integration.web.test_web_fault_language import _sent, _told


def _next_step(page: str) -> str | None:
    if 'id="next-step"' not in page:
        return None
    return html.unescape(page.split('id="next-step">')[1].split("</p>", maxsplit=1)[0])


def test_a_refused_then_withdrawn_letter_says_what_to_do_next(live: LiveWeb) -> None:
    letter_id = _sent(live)
    clerk = live.logged_in("clerk")
    assert _next_step(clerk.get(f"/letters/{letter_id}").text) is None  # with the receiver: nothing to do
    _told(live, NotifierKind.REJECT)
    page = clerk.get(f"/letters/{letter_id}").text
    assert _next_step(page) == translate("th", "letter.refused_next")
    clerk.post(f"/letters/{letter_id}/withdraw", data={"csrf": csrf_of(page)})
    claim = live.store.claim("ecms", "w1")  # the node confirms the withdrawal
    assert claim is not None
    live.store.complete(claim.work_id, worker="w1")
    assert _next_step(clerk.get(f"/letters/{letter_id}").text) == translate("th", "letter.withdrawn_next")
    clerk.cookies.set("ecms_lang", "en")
    assert _next_step(clerk.get(f"/letters/{letter_id}").text) == translate("en", "letter.withdrawn_next")


def test_a_letters_files_are_called_pdf_not_by_their_mime_type(live: LiveWeb) -> None:
    letter_id = _sent(live)
    files = live.logged_in("clerk").get(f"/letters/{letter_id}").text.split('class="files"')[1]
    files = files.split("</ul>", maxsplit=1)[0]
    assert "<small>PDF · " in files
    assert "application/pdf" not in files
