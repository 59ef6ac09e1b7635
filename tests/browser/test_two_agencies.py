"""Two agencies' gateways (real ``ecms-gateway run`` processes with ``[http]``) and a node: a clerk of
A sends letter 001 to B in A's pages and watches it become "registered by them as receive number N"
after a clerk of B registers it in B's pages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from ecms_adapters.runtime.layout import LayoutOptions, sample_letters
from ecms_adapters.runtime.processes import free_port
from playwright.sync_api import Page, expect

from ecms_gateway.access import Role
from tests.browser.conftest import Watch, login
from tests.e2e.e2e_cluster import ORG, Cluster

pytestmark = pytest.mark.browser
PASSWORD = "demo-password-1234"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Cluster, dict[str, str]]]:
    made = Cluster(tmp_path / "cluster", LayoutOptions(node_port=free_port()))
    urls = {}
    try:
        for name, agency in made.layout.agencies.items():
            port = free_port()
            # Different host names keep each agency's session cookie apart in one browser.
            host = "127.0.0.1" if name == "A" else "localhost"
            urls[name] = f"http://{host}:{port}"
            with agency.config.open("a", encoding="utf-8") as toml:
                toml.write(f'\n[http]\nhost = "127.0.0.1"\nport = {port}\n')
            made.stores[name].access.add_user(
                f"clerk-{name.lower()}", role=Role.CLERK, password=PASSWORD, actor="test"
            )
        made.start()
        for name, url in urls.items():
            made.wait(f"{name}'s pages", lambda url=url: _answers(url))
        yield made, urls
    finally:
        made.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/login", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_letter_001_sent_in_a_pages_is_registered_in_b_pages(
    cluster: tuple[Cluster, dict[str, str]], watch: Watch
) -> None:
    _, urls = cluster
    letters = sample_letters()
    a = watch.page()
    login(a, urls["A"], "clerk-a", PASSWORD)
    a.goto(f"{urls['A']}/compose")
    a.get_by_label("ที่ (เลขที่หนังสือ)").fill("ศธ 0990/1234")
    a.get_by_label("ลงวันที่").fill("2026-11-20")
    a.get_by_label("เรื่อง", exact=True).fill("ขอเชิญประชุมคณะทำงานการเชื่อมโยงระบบสารบรรณอิเล็กทรอนิกส์")
    a.get_by_label("ด่วน", exact=True).check()
    search = a.get_by_role("combobox", name="เรียน (ส่วนราชการผู้รับ)")
    search.fill(ORG["B"])
    choice = a.get_by_role("option").filter(has_text=ORG["B"]).first
    expect(choice).to_be_visible()
    choice.click()
    expect(a.locator(".org-chosen")).to_contain_text(ORG["B"])
    a.get_by_label("ตำแหน่งผู้รับ").fill("ศึกษาธิการจังหวัดตัวอย่าง")
    a.get_by_label("ไฟล์หนังสือ (PDF)").set_input_files(str(letters / "letter-001.pdf"))
    a.get_by_label("ไฟล์แนบ").set_input_files(str(letters / "letter-001-agenda.pdf"))
    watch.shot(a, "a-compose-filled")
    a.get_by_role("button", name="ส่งหนังสือ").click()
    expect(a.locator("#note")).to_contain_text("รับหนังสือเข้าคิวส่งแล้ว")
    sent_url = a.url.split("?")[0]
    watch.shot(a, "a-queued")

    b = watch.page()
    login(b, urls["B"], "clerk-b", PASSWORD)
    link = b.get_by_role("link", name="ศธ 0990/1234")
    _reload_until(b, f"{urls['B']}/received", lambda: link.count() == 1)
    watch.shot(b, "b-received-list")
    link.click()
    watch.shot(b, "b-letter")
    b.once("dialog", lambda dialog: dialog.accept())  # registering cannot be undone: it asks first
    b.get_by_role("button", name="ลงทะเบียนรับ").click()
    expect(b.locator("#receive-number")).to_contain_text("เลขรับที่ 1")
    watch.shot(b, "b-registered")

    _reload_until(a, sent_url, lambda: a.locator("#their-number").count() == 1, timeout=60)
    expect(a.locator("#their-number")).to_have_text("ผู้รับลงทะเบียนรับ เลขรับที่ 1")
    expect(a.locator("#timeline")).to_contain_text("ผู้รับได้รับหนังสือแล้ว")
    watch.shot(a, "a-registered-by-b")


def _reload_until(page: Page, url: str, done: Callable[[], bool], *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if done():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: not within {timeout} s:\n{page.inner_text('main')}")
        time.sleep(0.5)
