"""What a screen reader says of a Thai page is Thai too: the menu's, the pager's and the dashboard's
check-box column's hidden names come from the catalogue, in the page's language."""

from __future__ import annotations

import html
import re

from ecms_adapters.web.context import LANG_COOKIE

from tests.integration.web.live import LiveWeb
from tests.integration.web.test_web_routes import _dead_letter, _receive

LATIN_LABEL = re.compile(r'aria-label="([^"]*[A-Za-z][^"]*)"|class="visually-hidden">([^<]*[A-Za-z][^<]*)<')


def _english_names(page: str) -> list[str]:
    return [a or b for a, b in LATIN_LABEL.findall(page)]


def test_hidden_names_on_thai_pages_are_thai(live: LiveWeb) -> None:
    _receive(live)
    _dead_letter(live)
    clerk = live.logged_in("clerk")
    operator = live.logged_in("operator")
    received = clerk.get("/received").text
    dashboard = operator.get("/dashboard").text
    assert _english_names(received) == []
    assert _english_names(dashboard) == []
    assert 'aria-label="เมนูหลัก"' in received
    assert 'aria-label="หน้าของรายการ"' in received
    assert 'class="visually-hidden">เลือก<' in dashboard


def test_hidden_names_follow_the_language_switch(live: LiveWeb) -> None:
    _receive(live)
    clerk = live.logged_in("clerk")
    clerk.cookies.set(LANG_COOKIE, "en")
    page = html.unescape(clerk.get("/received").text)
    assert 'aria-label="Main menu"' in page
    assert 'aria-label="Pages of the list"' in page
