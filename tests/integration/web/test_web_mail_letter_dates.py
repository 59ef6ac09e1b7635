"""The mail-letter confirm form's date over HTTP: a Christian Era year typed with a Thai month name is
recorded as that year (not 543 years earlier), and a year that is a typo in both eras is refused
beside the date field in the page's language, nothing recorded."""

from __future__ import annotations

import re
from datetime import date, datetime

from ecms_gateway.engine import LetterQuery
from ecms_gateway.engine.mail_values import MailLetterState
from ecms_gateway.letter.thai import THAI_TIME, be_year
from tests.integration.web.live import ORG_B, LiveWeb
from tests.integration.web.test_web_mail_letters import _form
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep


def test_a_christian_era_year_with_a_thai_month_is_recorded_as_that_year(live: LiveWeb) -> None:
    this_year = datetime.now(THAI_TIME).year
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    data = _form(
        clerk.get(f"/mail-letters/{record_id}"), sender_org=ORG_B, letter_date=f"5 มกราคม {this_year}"
    )
    answer = clerk.post(f"/mail-letters/{record_id}/confirm", data=data)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/letters/(\d+)", answer.headers["location"])
    assert found
    assert live.store.show(int(found.group(1))).letter.letter_date == date(this_year, 1, 5)


def test_a_year_that_is_a_typo_in_both_eras_is_refused_beside_the_date_in_thai(live: LiveWeb) -> None:
    this_year = datetime.now(THAI_TIME).year
    record_id = keep(live.store, corpus.gmail_letter())
    clerk = live.logged_in("clerk")
    typo = f"5 มกราคม {be_year(this_year) + 100}"
    data = _form(clerk.get(f"/mail-letters/{record_id}"), sender_org=ORG_B, letter_date=typo)
    answer = clerk.post(f"/mail-letters/{record_id}/confirm", data=data)
    assert answer.status_code == 200
    faults = answer.text[answer.text.index('id="letter_date-faults"') :]
    faults = faults[: faults.index("</")]
    assert f"ลงวันที่: &#39;{typo}&#39; ปี {be_year(this_year) + 100} ไม่น่าจะเป็นปีของหนังสือ" in faults
    assert f"พ.ศ. {be_year(this_year) - 100} ถึง {be_year(this_year) + 1}" in faults
    assert "not a plausible" not in faults  # the core's English words are not shown to a Thai clerk
    assert live.store.mail_letter(record_id).state is MailLetterState.PENDING
    assert live.store.letters(LetterQuery()).total == 0
    clerk.cookies.set("ecms_lang", "en")
    english = clerk.post(f"/mail-letters/{record_id}/confirm", data=data).text
    assert f"Letter date: &#39;{typo}&#39;: the year {be_year(this_year) + 100} cannot be a letter" in english
