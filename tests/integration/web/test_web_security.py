"""Every route the web pages add, found from the app's routes (so a new page is covered the day it is
added), over the whole app ``ecms-gateway run`` serves (tests/integration/api/server.py):

- without a session, GET and POST never serve the page: 303 to the log-in page (or 401);
- with a signed-in user whose role is too weak for the page, 403, for a POST even with the session's
  right CSRF token (so the role check itself is proven, not the CSRF check before it);
- a POST without the session's CSRF token (missing or wrong) is 403 and changes nothing.

Only the routes in ``WEB_PUBLIC`` (server.py, each with its reason) answer without a session. The
API walker (tests/integration/api/test_api_security.py) has every other route: ``walker_of``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from ecms_adapters.api import create_app
from ecms_adapters.api.deps import SESSION_COOKIE
from ecms_adapters.web import web_hook
from ecms_adapters.web.context import PAGE_ROLES_ATTR
from ecms_adapters.web.i18n import translate
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount, Route

from ecms_gateway.access import Role
from ecms_gateway.engine import LetterQuery, WorkState
from ecms_gateway.errors import PermanentFailure
from tests.integration.api.letters import received
from tests.integration.api.server import WEB_PUBLIC, ApiServer, make_server, walker_of
from tests.integration.web.live import sample

PASSWORD = "correct horse battery staple"
FORBIDDEN = translate("th", "error.forbidden")
CSRF_REFUSED = translate("th", "error.csrf")


@dataclass(frozen=True, kw_only=True)
class PageProbe:
    method: str
    path: str  # path parameters filled in
    template: str
    roles: frozenset[Role]


@dataclass(frozen=True, kw_only=True)
class Site:
    """The app with a user of every role signed in, a received letter and a dead work item."""

    server: ApiServer
    sessions: dict[Role, Any]  # NewSession per role
    letter_id: int
    work_id: int

    def client(self, role: Role | None) -> httpx.Client:
        client = httpx.Client(base_url=self.server.url, follow_redirects=False, timeout=30)
        if role is not None:
            client.cookies.set(SESSION_COOKIE, self.sessions[role].token)
        return client


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    server = make_server(tmp_path).start()
    try:
        store = server.store
        sessions = {}
        for role in Role:
            store.access.add_user(f"{role.value}-user", role=role, password=PASSWORD, actor="test")
            sessions[role] = store.access.login(f"{role.value}-user", PASSWORD)
        letter_id = received(store, 1)  # a clerk could register it
        store.accept_outbound(sample(), actor="test", channel="ecms")
        claim = store.claim("ecms", "w1")
        assert claim is not None
        store.fail(claim.work_id, worker="w1", error=PermanentFailure("node refused"))  # could be redriven
        yield Site(server=server, sessions=sessions, letter_id=letter_id, work_id=claim.work_id)
    finally:
        server.stop()
        server.store.close()


def _app(site: Site) -> FastAPI:
    app = site.server.face.server.config.app
    assert isinstance(app, FastAPI)
    return app


Key = tuple[str, frozenset[str]]


def _flat(app: FastAPI) -> list[tuple[BaseRoute, Key]]:
    """Every route as served (included routers flattened) with its path and methods."""
    found: list[tuple[BaseRoute, Key]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = route.path if isinstance(route, Mount) else context.path_format or ""
        found.append((route, (path, frozenset(context.methods or ()))))
    return found


def _web_routes(app: FastAPI) -> list[BaseRoute]:
    return [route for route, _key in _flat(app) if walker_of(route) == "web"]


def _fill(site: Site, template: str) -> str:
    values = {"letter_id": str(site.letter_id), "position": "0", "action": "register"}
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: values.get(m.group(1), "1"), template)


def page_probes(site: Site) -> list[PageProbe]:
    """One probe per method of every page (HEAD too: Starlette serves it for GET)."""
    found = []
    for route in _web_routes(_app(site)):
        if not isinstance(route, Route) or route.path in WEB_PUBLIC:
            continue
        roles = frozenset(getattr(route.endpoint, PAGE_ROLES_ATTR))
        for method in sorted(route.methods or ()):
            found.append(
                PageProbe(method=method, path=_fill(site, route.path), template=route.path, roles=roles)
            )
    return found


def test_the_walker_has_exactly_the_routes_the_web_pages_add(site: Site) -> None:
    """Every route ``web_hook`` adds is a page with its roles or listed public with a reason, and the
    walker claims no route the pages did not add (those are the API walker's)."""
    services = site.server.services
    bare = {key for _route, key in _flat(create_app(services))}
    added = {
        key for _route, key in _flat(create_app(services, extra=(web_hook(services, mail=True),)))
    } - bare
    walked = _web_routes(_app(site))
    assert {key for route, key in _flat(_app(site)) if walker_of(route) == "web"} == added
    for route in walked:
        assert route.path in WEB_PUBLIC or hasattr(getattr(route, "endpoint", None), PAGE_ROLES_ATTR), route
    assert set(WEB_PUBLIC) <= {r.path for r in walked}  # no stale public entry
    assert {"/compose", "/dashboard", "/registry.csv", "/letters/{letter_id:rowid}/{action:str}"} <= {
        p.template for p in page_probes(site)
    }


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_without_a_session_no_page_is_served_only_the_log_in_page(site: Site) -> None:
    """A browser is sent to sign in and back; a script or program asking for something else (JSON,
    anything) gets 401 and a sentence, not the log-in page under a 200."""
    probes = page_probes(site)
    with site.client(None) as client:
        for probe in probes:
            form = {"csrf": "guess"} if probe.method == "POST" else None
            browser = client.request(probe.method, probe.path, data=form, headers=BROWSER)
            assert browser.status_code == 303, (probe, browser.status_code)
            assert browser.headers["location"].startswith("/login?next="), probe
            for accept in ("application/json", "*/*"):
                program = client.request(probe.method, probe.path, data=form, headers={"Accept": accept})
                assert program.status_code == 401, (probe, accept, program.status_code)
                if probe.method != "HEAD":
                    assert program.text.startswith("not signed in: sign in to the web pages at /login")
    assert {p.method for p in probes} >= {"GET", "HEAD", "POST"}


def test_public_web_routes_answer_without_a_session(site: Site) -> None:
    with site.client(None) as client:
        assert client.get("/login").status_code == 200
        lang = client.get("/lang", params={"lang": "en", "next": "/login"})
        assert (lang.status_code, lang.headers["location"]) == (303, "/login")
        assert client.get("/static/app.css").status_code == 200


def test_a_role_too_weak_for_a_page_is_403_even_with_the_right_csrf_token(site: Site) -> None:
    checked = 0
    for probe in page_probes(site):
        for role in Role:
            if role in probe.roles:
                continue
            session = site.sessions[role]
            form = {"csrf": session.csrf_token} if probe.method == "POST" else None
            with site.client(role) as client:
                response = client.request(probe.method, probe.path, data=form)
            assert response.status_code == 403, (probe, role, response.status_code)
            if probe.method != "HEAD":  # a HEAD answer has no body
                assert FORBIDDEN in response.text, (probe, role)
                assert CSRF_REFUSED not in response.text
            checked += 1
    assert checked >= 10
    assert Role.ADMIN in frozenset.intersection(*(p.roles for p in page_probes(site)))


# What each POST page would act on if it were let through (unknown pages get an empty form).
FORMS: dict[str, dict[str, str]] = {
    "/letters/{letter_id:rowid}/{action:str}": {"reason": "ทดสอบ"},
    "/dashboard/redrive": {"one": "{work_id}"},
    "/compose": {"kind": "external", "book_no": "ศธ 0990/77", "date": "2026-11-20", "subject": "ทดสอบ"},
    "/audit": {"verify": "1"},
}


def _snapshot(site: Site) -> tuple[object, ...]:
    store = site.server.store
    letters = [(s.id, s.state) for s in store.letters(LetterQuery()).items]
    dead = [row.work_id for row in store.queue(work_state=WorkState.DEAD)]
    return (store.audit_lines(limit=1)[0].seq, letters, dead)


def test_a_post_without_the_sessions_csrf_token_is_403_and_changes_nothing(site: Site) -> None:
    posts = [p for p in page_probes(site) if p.method == "POST"]
    assert {p.template for p in posts} >= {"/logout", "/compose", "/dashboard/redrive"}
    before = _snapshot(site)
    with site.client(Role.ADMIN) as client:  # admin may use every page: only the token is wrong
        for probe in posts:
            form = {k: v.format(work_id=site.work_id) for k, v in FORMS.get(probe.template, {}).items()}
            for token in (None, "guess", site.sessions[Role.CLERK].csrf_token):  # another session's too
                data = form if token is None else {**form, "csrf": token}
                response = client.post(probe.path, data=data)
                assert response.status_code == 403, (probe, token, response.status_code)
                assert CSRF_REFUSED in response.text, probe
        assert _snapshot(site) == before
        # Still signed in (the refused /logout did not end the session), and the very same register
        # with the session's own token does change the letter: the snapshot sees changes.
        assert client.get(f"/letters/{site.letter_id}").status_code == 200
        done = client.post(
            f"/letters/{site.letter_id}/register", data={"csrf": site.sessions[Role.ADMIN].csrf_token}
        )
    assert done.status_code == 303
    assert _snapshot(site) != before
