"""Behind the TLS reverse proxy the docs ask for, the pages' cookies are Secure (the browser never sends
the session over plain HTTP); on plain HTTP to loopback they are not, or no browser would keep them."""

from __future__ import annotations

import httpx

from tests.integration.web.live import PASSWORD, LiveWeb

HTTPS = {"X-Forwarded-Proto": "https"}  # what the proxy on 127.0.0.1 adds (http.forwarded_allow_ips)


def _set_cookies(answer: httpx.Response) -> dict[str, str]:
    """Each cookie the answer sets, by name, with its attributes as written."""
    return {line.split("=", 1)[0]: line for line in answer.headers.get_list("set-cookie")}


def _log_in(live: LiveWeb, headers: dict[str, str]) -> httpx.Response:
    client = live.client()
    form = client.get("/login", headers=headers)
    login = _set_cookies(form)["ecms_login"]
    token = login.split("=", 1)[1].split(";", 1)[0]
    return client.post(
        "/login",
        headers={**headers, "Cookie": f"ecms_login={token}"},
        data={"name": "clerk", "password": PASSWORD, "login_token": token, "next": "/"},
    )


def test_through_the_tls_proxy_the_log_in_session_and_language_cookies_are_secure(live: LiveWeb) -> None:
    form = live.client().get("/login", headers=HTTPS)
    assert "; secure" in _set_cookies(form)["ecms_login"].lower()
    answer = _log_in(live, HTTPS)
    assert answer.status_code == 303, answer.text
    assert "; secure" in _set_cookies(answer)["ecms_session"].lower()
    lang = live.client().get("/lang?to=en&next=/", headers=HTTPS)
    assert "; secure" in _set_cookies(lang)["ecms_lang"].lower()


def test_on_plain_http_to_loopback_the_cookies_are_not_secure(live: LiveWeb) -> None:
    answer = _log_in(live, {})
    assert answer.status_code == 303, answer.text
    assert "secure" not in _set_cookies(answer)["ecms_session"].lower()
