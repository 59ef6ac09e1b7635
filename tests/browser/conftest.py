"""Browser tests: the system's headless Chromium (Debian ``chromium``) driven by Playwright for Python.

Every page a test visits is screenshotted into ``test-artifacts/browser/<test>/`` and every console
error or uncaught page error fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Playwright, sync_playwright

from tests.integration.web.live import LiveWeb

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "browser"


def chromium_path() -> str | None:
    return os.environ.get("ECMS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the system's headless Chromium")


# Per test, not per session: while Playwright's sync API is started, its event loop counts as running
# in this thread, and every other test that xdist schedules on the same worker meanwhile would fail
# with "asyncio.run() cannot be called from a running event loop".
@pytest.fixture
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        pytest.fail("the browser tests need Debian's chromium (`.ci/run` installs it)")
    launched = playwright.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
    yield launched
    launched.close()


@dataclass
class Watch:
    """Pages opened for one test: console errors collected, screenshots numbered in visiting order."""

    browser: Browser
    folder: Path
    errors: list[str] = field(default_factory=list)
    shots: int = 0

    def page(self, *, width: int = 1280, height: int = 900, locale: str = "th-TH") -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error on {message.location.get('url')}: {message.text}")

    def shot(self, page: Page, name: str) -> None:
        self.shots += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{self.shots:02d}-{name}.png"), full_page=True)


@pytest.fixture
def watch(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Watch]:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    watched = Watch(browser=browser, folder=folder)
    yield watched
    assert watched.errors == [], "\n".join(watched.errors)


def login(page: Page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ชื่อผู้ใช้").fill(name)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_load_state()
    if page.url.endswith("/login") or "/login?" in page.url:
        raise Error(f"log-in as {name} failed: {page.inner_text('main')}")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveWeb]:
    """One gateway's pages and API on 127.0.0.1 over a store in ``tmp_path/web``."""
    web = LiveWeb(tmp_path / "web").start()
    yield web
    web.stop()
