"""The dashboard says when a signing certificate's file was replaced or cannot be read while the
gateway still signs with the certificate it loaded at start, in the page's language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from ecms_adapters.web import CertStatus

from tests.integration.web.live import ORG_A, LiveWeb

IN_USE = CertStatus(
    org_id=ORG_A,
    subject="CN=signer",
    not_after=date(2027, 1, 31),
    days_left=70,
    file_not_after=date(2028, 12, 31),
)
UNREADABLE = CertStatus(
    org_id="2099100000",
    subject="CN=other",
    not_after=date(2027, 6, 30),
    days_left=220,
    file_problem="keys/b.cert.pem: No such file or directory",
)


NOTHING = CertStatus(
    org_id="2099200000",
    subject="",
    not_after=date(2026, 11, 21),
    days_left=0,
    file_problem="keys/c.cert.pem: No such file or directory",
    none_in_use=True,
)


@pytest.fixture
def live_certs(tmp_path: Path) -> Iterator[LiveWeb]:
    web = LiveWeb(tmp_path, certificates=(IN_USE, UNREADABLE, NOTHING)).start()
    yield web
    web.stop()


def test_the_dashboard_says_a_renewed_certificate_needs_a_restart(live_certs: LiveWeb) -> None:
    page = live_certs.logged_in("operator").get("/dashboard").text
    assert "ไฟล์ใบรับรองเป็นใบใหม่แล้ว (หมดอายุ 31 ธ.ค. 2571)" in page
    assert "ต้องเริ่มเกตเวย์ใหม่จึงจะใช้ใบใหม่" in page
    assert "อ่านไฟล์ใบรับรองไม่ได้ (keys/b.cert.pem: No such file or directory)" in page


def test_the_dashboard_says_when_nothing_signs_for_an_organisation(live_certs: LiveWeb) -> None:
    page = live_certs.logged_in("operator").get("/dashboard").text
    assert "2099200000 · <strong>ไม่มีใบรับรองที่ใช้ลงนาม: อ่านไฟล์ไม่ได้ (keys/c.cert.pem" in page
    assert "เหลือ 0 วัน" not in page
