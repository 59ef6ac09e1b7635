"""The API served by a real uvicorn on 127.0.0.1 (a thread with its own event loop) over a real
Store in a temporary folder, with an API key per role, and every other face ``ecms-gateway run`` adds
(metrics, health, web pages), so that the security walkers see the whole app.

Two walkers prove every route is guarded: the API's (tests/integration/api/test_api_security.py:
keys, 401/403 as JSON) and the web pages' (tests/integration/web/test_web_security.py: sessions,
redirects to the log-in page, CSRF). ``walker_of`` says which one owns a route, so each route is
walked by exactly one of them and none escapes both.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx
from ecms_adapters.api import AppHook, mail_channel
from ecms_adapters.observability.auth import operator_only
from ecms_adapters.observability.endpoints import Observability
from ecms_adapters.runtime.http import HttpFace, http_face
from ecms_adapters.web import web_hook
from ecms_adapters.web.context import PAGE_ROLES_ATTR
from starlette.routing import BaseRoute, Mount, Route

from ecms_gateway.access import Role
from ecms_gateway.config import HttpSection
from ecms_gateway.engine import Store
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.runtime.health import HealthChecks, database_check
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import MessageLimits, RuntimeSettings, ServedOrg
from ecms_gateway.services.context import RuntimeStatus, Services
from tests.conftest import SAMPLES

ORG_A = "2099000000"  # served here; on e-CMS in the sample directory
ORG_B = "2099100000"  # a partner on e-CMS
ORG_C = "2199000000"  # a partner without a node (mail)
NODE_URL = "http://127.0.0.1:9/ecms-ws01/service2"  # never called: no gateway runs here


@dataclass
class Wakes:
    """Counts ``Services.wake`` calls (the running gateway would look for work)."""

    count: int = 0

    def __call__(self) -> None:
        self.count += 1


@dataclass
class ApiServer:
    """One app on one port; ``client(role)`` calls it with that role's API key."""

    store: Store
    services: Services
    face: HttpFace
    keys: dict[Role, str]
    wakes: Wakes
    _thread: threading.Thread | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return self.face.address

    def start(self) -> ApiServer:
        self._thread = threading.Thread(target=lambda: asyncio.run(self.face.serve()), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self.face.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.face.stop()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def headers(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.keys[role]}"}

    def client(self, role: Role | None = Role.CLERK) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers(role), timeout=30)

    def async_client(self, role: Role | None = Role.CLERK) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers=self.headers(role), timeout=30)


def faces(services: Services, *, mail: bool = True) -> tuple[AppHook, ...]:
    """The other faces the running gateway adds (``app_hooks`` in the composition root): metrics and
    health from observability, here with the database as the one readiness check (no node runs), and
    the web pages."""
    observability = Observability(
        health=HealthChecks([database_check(services.store)]),
        guard=operator_only(),
        process_metrics=False,
    )
    return (
        observability.install_metrics,
        observability.install_health,
        mail_channel(mail),
        web_hook(services, mail=mail),
    )


WEB_PUBLIC = {
    "/login": "the log-in form itself (GET shows it, POST signs in)",
    "/lang": "switches the language cookie and redirects; it reads and changes nothing else",
    "/static": "the pages' own CSS, fonts and scripts, the same for everyone",
}
"""Web routes anyone may use, each with why; every other web route is a ``page`` with its roles."""

Walker = Literal["api", "web"]


def walker_of(route: BaseRoute) -> Walker:
    """Who walks ``route``: a web page (its endpoint carries ``PAGE_ROLES_ATTR``) or a public web route
    goes to the web walker, everything else to the API walker, which expects 401/403 of it."""
    if isinstance(route, Route) and hasattr(route.endpoint, PAGE_ROLES_ATTR):
        return "web"
    if isinstance(route, (Route, Mount)) and route.path in WEB_PUBLIC:
        return "web"
    return "api"


def make_server(
    tmp_path: Path,
    *,
    routing: Callable[[], RoutingTable | None] | None = None,
    section: HttpSection | None = None,
    limits: MessageLimits | None = None,
    mail: bool = True,
    store: Store | None = None,
) -> ApiServer:
    store = store or Store(data_dir=tmp_path / "data")
    table = table_from_file(SAMPLES / "directory.json")
    wakes = Wakes()
    settings = RuntimeSettings(
        orgs=(ServedOrg(org_id=ORG_A, node_url=NODE_URL),),
        secrecy=SecrecyPolicy(),
        limits=limits or MessageLimits(),
    )
    services = Services(
        store=store,
        settings=settings,
        routing=routing or (lambda: table),
        wake=wakes,
        status=RuntimeStatus(),
    )
    keys = {
        role: store.access.new_api_key(f"{role.value}-system", role=role, actor="test").token for role in Role
    }
    face = http_face(section or HttpSection(port=0), services, grace_s=1, extra=faces(services, mail=mail))
    return ApiServer(store=store, services=services, face=face, keys=keys, wakes=wakes)
