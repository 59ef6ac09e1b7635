"""The web pages on a real uvicorn server on 127.0.0.1, over a real store in a temporary folder, with
one user per role; used by the route tests and the single-gateway browser tests."""

from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from ecms_adapters.api import create_app, mail_channel
from ecms_adapters.runtime.layout import sample_letters
from ecms_adapters.runtime.processes import free_port
from ecms_adapters.web import CertStatus, web_hook

from ecms_gateway.access import Role
from ecms_gateway.engine import Store
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.services.context import Services

ORG_A = "2099000000"
ORG_B = "2099100000"
PASSWORD = "correct horse battery staple"
USERS = {"clerk": Role.CLERK, "operator": Role.OPERATOR, "admin": Role.ADMIN}


def sample(name: str = "letter-001.json") -> LetterPackage:
    return load_letter_file(sample_letters() / name)


@dataclass
class LiveWeb:
    """Agency A's pages (the API too) served by uvicorn in a thread; ``wakes`` counts services.wake()."""

    root: Path
    certificates: tuple[CertStatus, ...] = ()
    mail: bool = True  # the gateway has a [mail] section: the mail letters' pages are in the menu
    store: Store = field(init=False)
    services: Services = field(init=False)
    table: RoutingTable = field(init=False)  # the directory the pages route with (a test may swap it)
    url: str = field(init=False)
    wakes: int = field(default=0, init=False)
    _clients: list[httpx.Client] = field(default_factory=list, init=False)
    _server: uvicorn.Server | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def start(self) -> LiveWeb:
        self.store = Store(data_dir=self.root / "data")
        self.table = table_from_file(sample_letters().parent / "directory.json")
        self.services = Services(
            store=self.store,
            settings=RuntimeSettings(
                orgs=(ServedOrg(org_id=ORG_A, node_url="http://127.0.0.1:9/ecms"),),
                secrecy=SecrecyPolicy(),
            ),
            routing=lambda: self.table,
            wake=self._wake,
        )
        for name, role in USERS.items():
            self.store.access.add_user(
                name, role=role, password=PASSWORD, display_name=f"{name} A", actor="test"
            )
        certs = self.certificates
        pages = web_hook(self.services, mail=self.mail, certificates=lambda: certs)
        app = create_app(self.services, extra=(mail_channel(self.mail), pages))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="web-test-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the web test server did not start")
            time.sleep(0.02)
        return self

    def _wake(self) -> None:
        self.wakes += 1

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self.store.close()

    def client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)
        self._clients.append(client)
        return client

    def logged_in(self, name: str) -> httpx.Client:
        """A client holding ``name``'s session cookie (logged in through the log-in form)."""
        client = self.client()
        form = client.get("/login")
        token = _hidden(form.text, "login_token")
        answer = client.post(
            "/login", data={"name": name, "password": PASSWORD, "login_token": token, "next": "/"}
        )
        assert answer.status_code == 303, answer.text
        return client


def _hidden(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def csrf_of(html: str) -> str:
    return _hidden(html, "csrf")


def message_after(client: httpx.Client, answer: httpx.Response, kind: str = "problem") -> str | None:
    """What the page a POST redirected to says once (``kind``: ``note`` or ``problem``), or None."""
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"]).text
    found = re.search(rf'id="{kind}">(.*?)</p>', page, re.DOTALL)
    return html.unescape(found.group(1)) if found else None
