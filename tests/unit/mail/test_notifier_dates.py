"""The date a receiver registered our letter, in the mail a person reads: Buddhist Era, Thai month."""

from __future__ import annotations

from datetime import date

import pytest

from ecms_gateway.codec.messages import Notifier, NotifierKind
from ecms_gateway.mail.wording import notifier_sentence


def _accept(accept_date: str) -> Notifier:
    return Notifier(
        kind=NotifierKind.ACCEPT,
        letter_id="ศธ 0990/1234",
        correspondence_date=date(2026, 11, 20),
        subject="ขอเชิญประชุม",
        accept_id="45",
        accept_date=accept_date,
    )


@pytest.mark.parametrize("written", ["2026-11-22", "2026-11-22T09:30:00+07:00", " 2026-11-22Z"])
def test_the_registration_date_reads_in_the_buddhist_era(written: str) -> None:
    sentence = notifier_sentence(_accept(written), from_name="สำนักงานตัวอย่าง")
    assert sentence.endswith("เลขทะเบียนรับ 45 เมื่อ 22 พฤศจิกายน 2569")
    assert "2026" not in sentence


def test_a_date_that_is_not_one_is_shown_as_written() -> None:
    sentence = notifier_sentence(_accept("เมื่อวาน"), from_name="สำนักงานตัวอย่าง")
    assert sentence.endswith("เมื่อ เมื่อวาน")
