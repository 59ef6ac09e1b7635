"""The mail letters' pages belong to the saraban mail channel: without a [mail] section the menu has no
entry for them and the pages say the channel is not configured (a bookmark may still lead there)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from ecms_adapters.web.i18n import translate

from tests.integration.web.live import LiveWeb

MENU_ENTRY = 'href="/mail-letters"'


@pytest.fixture
def mail_off(tmp_path: Path) -> Iterator[LiveWeb]:
    web = LiveWeb(tmp_path, mail=False).start()
    yield web
    web.stop()


def _menu(page: str) -> str:
    return page.split("<nav", 1)[1].split("</nav>", 1)[0]


def test_without_mail_the_menu_has_no_mail_letters_and_the_page_says_why(mail_off: LiveWeb) -> None:
    clerk = mail_off.logged_in("clerk")
    start = clerk.get("/received")
    assert start.status_code == 200
    assert MENU_ENTRY not in _menu(start.text)
    for path in ("/mail-letters", "/mail-letters/1", "/mail-letters/1/mail.eml"):
        answer = clerk.get(path)
        assert answer.status_code == 404, path
        page = html.unescape(answer.text)
        assert translate("th", "mail.off.title") in page
        assert translate("th", "mail.off") in page
        assert MENU_ENTRY not in _menu(answer.text)


def test_with_mail_the_menu_has_mail_letters_and_the_page_lists_them(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    assert MENU_ENTRY in _menu(clerk.get("/received").text)
    answer = clerk.get("/mail-letters")
    assert answer.status_code == 200
    assert translate("th", "mail.off") not in html.unescape(answer.text)
