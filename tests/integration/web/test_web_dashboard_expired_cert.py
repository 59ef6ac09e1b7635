"""A signing certificate past its end reads on the dashboard as expired so many days ago, not as a
negative number of days left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from ecms_adapters.web import CertStatus

from tests.integration.web.live import ORG_A, LiveWeb
from tests.integration.web.test_web_mail_clerk_day import _text

EXPIRED = CertStatus(org_id=ORG_A, subject="CN=signer", not_after=date(2026, 11, 10), days_left=-11)


@pytest.fixture
def live_expired(tmp_path: Path) -> Iterator[LiveWeb]:
    web = LiveWeb(tmp_path, certificates=(EXPIRED,)).start()
    yield web
    web.stop()


def test_an_expired_certificate_says_it_expired(live_expired: LiveWeb) -> None:
    page = _text(live_expired.logged_in("operator").get("/dashboard").text)
    assert "CN=signer · 10 พ.ย. 2569 · หมดอายุแล้ว 11 วัน" in page
    assert "-11" not in page
