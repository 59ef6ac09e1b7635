"""Every route of the app, with the faces the running gateway adds (observability's /metrics,
/healthz, /readyz; the web pages), found from ``app.routes`` so that a new route is covered the day it
is added: without credentials it answers 401 (with ``WWW-Authenticate: Bearer``), with a role too weak
for it 403. Only the routes listed in PUBLIC answer anyone. Bad keys, bad sessions and a session
without its CSRF token are refused too.

The web pages' routes are walked by tests/integration/web/test_web_security.py instead (sessions and
redirects, not keys): ``walker_of`` in server.py hands each route to exactly one walker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from ecms_adapters.api.deps import CSRF_HEADER, ROLES_ATTR, SESSION_COOKIE
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute, Mount, Route

from ecms_gateway.access import Role
from tests.integration.api.server import ApiServer, walker_of

PUBLIC = {
    "/healthz": "load balancers and monitors probe it",
    "/readyz": "load balancers and monitors probe it",
    "/docs/assets": "Swagger UI's own JavaScript and CSS, the same for everyone",
}

# Routes that are not FastAPI routes carry no readable requirement: their roles are listed here, and
# a new one fails the test below until it is listed too.
# (/metrics is a FastAPI route guarded by the API's own require(Role.OPERATOR): read like the others.)
PLAIN_ROUTE_ROLES: dict[str, frozenset[Role]] = {}


@dataclass(frozen=True)
class Probe:
    method: str
    path: str  # with path parameters filled in
    template: str
    roles: frozenset[Role] | None  # None: the route declares no role requirement we can read


def _roles(dependant: Dependant) -> frozenset[Role] | None:
    for sub in dependant.dependencies:
        found = getattr(sub.call, ROLES_ATTR, None) or _roles(sub)
        if found:
            return frozenset(found)
    return None


def _fill(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


def _routes(app: FastAPI) -> Iterator[tuple[BaseRoute, str, set[str] | None]]:
    """Every route with its full path and methods, included routers flattened as FastAPI serves them."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):  # its own path, not the "/{path}" under it
            yield route, route.path, None
        else:
            yield route, context.path_format or getattr(route, "path", ""), context.methods


def probes(app: FastAPI) -> Iterator[Probe]:
    """One probe per method of every route this walker owns (the web walker has the rest)."""
    for route, path, methods in _routes(app):
        if walker_of(route) != "api":
            continue
        if isinstance(route, APIRoute):
            for method in sorted(methods or ()):
                yield Probe(method, _fill(path), path, _roles(route.dependant))
        elif isinstance(route, Mount):  # anything under it: probe one path inside
            yield Probe("GET", route.path.rstrip("/") + "/probe", route.path, None)
        elif isinstance(route, Route):
            for method in sorted(methods or {"GET"}):
                yield Probe(method, _fill(path), path, PLAIN_ROUTE_ROLES.get(path))


def _app(api: ApiServer) -> FastAPI:
    app = api.face.server.config.app
    assert isinstance(app, FastAPI)
    return app


def test_every_route_needs_credentials_unless_it_is_listed_public(api: ApiServer) -> None:
    found = list(probes(_app(api)))
    assert {p.template for p in found} >= {
        "/api/v1/letters",
        "/api/v1/queue",
        "/api/v1/mail-letters",
        "/api/v1/mail-letters/{record_id}/confirm",
        "/api/v1/queue/stats",
        "/api/v1/webhooks",
        "/api/v1/webhooks/{webhook_id}",
        "/api/v1/webhooks/{webhook_id}/deliveries",
        "/api/v1/webhooks/{webhook_id}/retry",
        "/openapi.json",
        "/docs",
        "/metrics",
        "/healthz",
    }
    with api.client(None) as client:
        for probe in found:
            response = client.request(probe.method, probe.path)
            if probe.template in PUBLIC:
                assert response.status_code not in (401, 403), probe
                continue
            assert response.status_code == 401, (probe, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")
            if probe.method != "HEAD":  # a HEAD answer has no body
                assert "credentials required" in response.json()["error"]


def test_every_route_refuses_a_role_too_weak_for_it(api: ApiServer) -> None:
    checked = 0
    for probe in probes(_app(api)):
        if probe.template in PUBLIC or probe.roles is None:
            continue
        for role in Role:
            if role in probe.roles:
                continue
            with api.client(role) as client:
                response = client.request(probe.method, probe.path)
            assert response.status_code == 403, (probe, role, response.text)
            if probe.method != "HEAD":
                assert role.value in response.json()["error"]
            checked += 1
    assert checked > 0


def test_the_web_pages_are_served_here_and_left_to_the_web_walker(api: ApiServer) -> None:
    """The app is the whole of what ``run`` serves: the pages are in it and handed to the web walker,
    while no API, documentation or observability route is (those this walker must prove itself)."""
    owners = {path: walker_of(route) for route, path, _methods in _routes(_app(api))}
    assert {owners["/compose"], owners["/dashboard"], owners["/login"], owners["/static"]} == {"web"}
    ours = ("/api/", "/docs", "/openapi", "/metrics", "/healthz", "/readyz")
    assert [path for path, owner in owners.items() if owner == "web" and path.startswith(ours)] == []


def test_every_route_declares_its_roles(api: ApiServer) -> None:
    """A route without a readable (or listed) requirement would escape the weak-role test above."""
    missing = [p for p in probes(_app(api)) if p.template not in PUBLIC and p.roles is None]
    assert missing == []


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-key", "Basic YWRtaW46YWRtaW4=", "Bearer", "Digest nonce=1"],
    ids=["unknown key", "basic auth", "empty bearer", "another scheme"],
)
def test_a_bad_authorization_header_is_401(api: ApiServer, authorization: str) -> None:
    with api.client(None) as client:
        response = client.get("/api/v1/letters", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_is_401(api: ApiServer) -> None:
    api.store.access.revoke_api_key("clerk-system", actor="test")
    with api.client(Role.CLERK) as client:
        assert client.get("/api/v1/letters").status_code == 401


def test_a_session_cookie_works_and_unsafe_methods_need_its_csrf_token(api: ApiServer) -> None:
    api.store.access.add_user("somchai", role=Role.CLERK, password="ลับมาก-123456", actor="test")
    session = api.store.access.login("somchai", "ลับมาก-123456")
    with api.client(None) as client:
        client.cookies.set(SESSION_COOKIE, session.token)
        assert client.get("/api/v1/letters").status_code == 200
        no_token = client.post("/api/v1/letters/1/register")
        wrong_token = client.post("/api/v1/letters/1/register", headers={CSRF_HEADER: "guess"})
        right_token = client.post("/api/v1/letters/1/register", headers={CSRF_HEADER: session.csrf_token})
        client.cookies.set(SESSION_COOKIE, "forged")
        forged = client.get("/api/v1/letters")
    assert no_token.status_code == 403
    assert wrong_token.status_code == 403
    assert right_token.status_code == 404  # past authentication: there is no letter 1
    assert forged.status_code == 401
