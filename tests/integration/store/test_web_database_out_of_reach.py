"""The web pages while PostgreSQL is out of reach: a clerk gets a page in Thai (English with the English
cookie) saying the database cannot be reached, that nothing accepted is lost and to try again in a
moment, as 503 with ``Retry-After``, not the API's JSON answer nor an internal error; the API keeps its
JSON; the pages come back when the server answers."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ecms_adapters.runtime.http import http_face
from ecms_adapters.web.outage import install_outage_page
from store_support import CutProxy

from ecms_gateway.access import Role
from ecms_gateway.config import HttpSection
from ecms_gateway.engine import Store
from tests.integration.api.server import ApiServer, Wakes, faces, make_server

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery staple"


@pytest.fixture
def pages_on_proxy(proxied: tuple[Store, CutProxy], tmp_path: Path) -> Iterator[tuple[ApiServer, CutProxy]]:
    store, proxy = proxied
    store.access.add_user("clerk", role=Role.CLERK, password=PASSWORD, display_name="clerk A", actor="test")
    plain = make_server(tmp_path, store=store)  # its services and API keys; served with the outage page
    plain.face.sock.close()
    face = http_face(
        HttpSection(port=0), plain.services, grace_s=1, extra=(*faces(plain.services), install_outage_page)
    )
    server = ApiServer(store=store, services=plain.services, face=face, keys=plain.keys, wakes=Wakes())
    server.start()
    try:
        yield server, proxy
    finally:
        server.stop()


@contextlib.contextmanager
def _signed_in(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30, headers={"Accept": "text/html"}) as client:
        form = client.get("/login").text
        marker = 'name="login_token" value="'
        token = form[form.index(marker) + len(marker) :].split('"', 1)[0]
        answer = client.post("/login", data={"name": "clerk", "password": PASSWORD, "login_token": token})
        assert answer.status_code == 303, answer.text
        yield client


def test_a_clerk_is_told_in_thai_to_try_again_and_the_pages_come_back(
    pages_on_proxy: tuple[ApiServer, CutProxy], caplog: pytest.LogCaptureFixture
) -> None:
    server, proxy = pages_on_proxy
    with _signed_in(server) as clerk, server.client() as program:
        assert clerk.get("/sent").status_code == 200
        proxy.cut()
        with caplog.at_level(logging.INFO):
            down = clerk.get("/sent")
            login = clerk.get("/login")
            api = program.get("/api/v1/letters")
            clerk.cookies.set("ecms_lang", "en")
            english = clerk.get("/received")
        for page in (down, login):
            assert page.status_code == 503, page.text
            assert page.headers["retry-after"] == "5"
            assert page.headers["content-type"].startswith("text/html")
            assert "ระบบติดต่อฐานข้อมูลไม่ได้" in page.text
            assert "ไม่สูญหาย" in page.text
            assert "ลองใหม่อีกครั้งในอีกสักครู่" in page.text
        assert english.status_code == 503
        assert "cannot reach its database just now. Nothing it has already accepted is lost" in english.text
        assert api.status_code == 503
        assert api.json()["code"] == "store_unavailable"
        assert all(r.exc_info is None for r in caplog.records)  # one line each, no traceback

        proxy.mend()
        clerk.cookies.set("ecms_lang", "th")
        for _ in range(3):  # a connection the pool kept from before may fail once
            again = clerk.get("/sent")
            if again.status_code != 503:
                break
        assert again.status_code == 200, again.text
