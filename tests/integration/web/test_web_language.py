"""Switching the pages' language works the same on every page and is remembered: ``?lang=en`` on any
address (signed in or not) and the link at the top (which comes back to the same address, filter
and period included) both set the ``ecms_lang`` cookie."""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

import pytest
from ecms_adapters.web.i18n import translate

from tests.integration.web.live import LiveWeb

# (who, address, words its English page shows)
PAGES = [
    ("operator", "/dashboard", translate("en", "dash.title")),
    ("operator", "/audit", translate("en", "nav.audit")),
    ("clerk", "/sent", translate("en", "nav.sent")),
    ("clerk", "/received?show=all", translate("en", "nav.received")),
    ("clerk", "/registry?book=out", translate("en", "registry.title")),
    ("clerk", "/compose", translate("en", "nav.compose")),
]


@pytest.mark.parametrize(("who", "address", "english"), PAGES)
def test_lang_in_the_address_switches_any_page_and_is_remembered(
    live: LiveWeb, who: str, address: str, english: str
) -> None:
    client = live.logged_in(who)
    joined = "&" if "?" in address else "?"
    answer = client.get(f"{address}{joined}lang=en")
    assert (answer.status_code, answer.headers["location"]) == (303, address)  # the same page, without it
    assert client.cookies["ecms_lang"] == "en"
    shown = client.get(address)
    assert '<html lang="en">' in shown.text
    assert english in html.unescape(shown.text)
    assert '<html lang="en">' in client.get("/sent" if who == "clerk" else "/dashboard").text  # every page
    client.get(f"{address}{joined}lang=th")
    assert '<html lang="th">' in client.get(address).text


def _switch(page: str) -> tuple[str, str]:
    """The switch link's language and the address it comes back to."""
    link = html.unescape(page.split('class="lang" href="')[1].split('"', maxsplit=1)[0])
    query = parse_qs(urlsplit(link).query)
    return query["to"][0], query["next"][0]


def test_lang_in_the_address_switches_the_log_in_page_before_signing_in(live: LiveWeb) -> None:
    client = live.client()
    answer = client.get("/login?next=/sent&lang=en")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=%2Fsent")
    page = client.get(answer.headers["location"]).text
    assert '<html lang="en">' in page
    assert _switch(page) == ("th", "/login?next=%2Fsent")  # its switch comes back with next kept


def test_an_unknown_language_is_dropped_and_the_page_stays_as_it_was(live: LiveWeb) -> None:
    client = live.logged_in("operator")
    answer = client.get("/dashboard?lang=fr")
    assert (answer.status_code, answer.headers["location"]) == (303, "/dashboard")
    assert "ecms_lang" not in client.cookies
    assert '<html lang="th">' in client.get("/dashboard").text


def test_the_switch_at_the_top_comes_back_to_the_same_address_with_its_query(live: LiveWeb) -> None:
    client = live.logged_in("clerk")
    page = client.get("/received", params={"show": "all", "q": "ประชุม"}).text
    to, target = _switch(page)
    assert (to, parse_qs(urlsplit(target).query)) == ("en", {"show": ["all"], "q": ["ประชุม"]})
    back = client.get("/lang", params={"to": to, "next": target})
    assert (back.status_code, back.headers["location"]) == (303, target)
    assert '<html lang="en">' in client.get(target).text
