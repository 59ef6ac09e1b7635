"""Following up what we sent: the sent list says how many letters the receiver has not registered in
the time their speed gives and links to them; "ต้องติดตาม" lists every letter still with its receiver,
the longest waiting first, with how long it has waited, and marks the ones due."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from ecms_gateway.engine import LetterState
from ecms_gateway.letter.codes import Speed
from ecms_gateway.store.tables import LETTER
from tests.integration.web.live import LiveWeb, sample


def _sent(live: LiveWeb, book_no: str, speed: Speed, *, waiting: timedelta) -> int:
    """A letter the node took ``waiting`` ago, not registered by its receiver yet."""
    package = sample()
    letter = package.letter.model_copy(update={"book_no": book_no, "speed": speed})
    submitted = live.services.submit(replace(package, letter=letter), actor="clerk")
    claim = live.store.claim("ecms", "w1")
    assert claim is not None
    live.store.complete(claim.work_id, worker="w1")
    assert live.store.show(submitted.letter_id).letter.state is LetterState.SENT
    with live.store.db.write() as conn:
        at = live.store.clock() - waiting
        conn.execute(update(LETTER).where(LETTER.c.id == submitted.letter_id).values(updated_at=at))
    return submitted.letter_id


def test_letters_the_receiver_has_not_registered_in_time_are_counted_listed_and_marked(
    live: LiveWeb,
) -> None:
    late = _sent(live, "ศธ 0990/101", Speed.NORMAL, waiting=timedelta(days=6, hours=2))
    urgent = _sent(live, "ศธ 0990/102", Speed.MOST_URGENT, waiting=timedelta(hours=5))
    recent = _sent(live, "ศธ 0990/103", Speed.NORMAL, waiting=timedelta(hours=3))
    clerk = live.logged_in("clerk")

    sent = clerk.get("/sent").text
    notice = sent[sent.index('id="due-notice"') :].split("</p>")[0]
    assert "มีหนังสือ 2 ฉบับที่ผู้รับยังไม่ลงรับ" in notice  # six days at normal speed; five hours at most urgent
    assert 'href="?show=follow"' in notice

    follow = clerk.get("/sent", params={"show": "follow"}).text
    assert 'id="due-notice"' not in follow
    assert "เรียงจากที่รอนานที่สุด" in follow
    rows = re.findall(r'id="waited-(\d+)">([^<]*)(<span class="mark overdue">)?', follow)
    assert [int(r[0]) for r in rows] == [late, urgent, recent]  # the longest waiting first
    waited = {int(r[0]): (r[1].strip(), bool(r[2])) for r in rows}
    assert waited[late] == ("6 วัน 2 ชม.", True)
    assert waited[urgent][1] is True
    assert waited[urgent][0].startswith("5 ชม.")
    assert waited[recent][1] is False

    english = live.logged_in("clerk")
    english.get("/lang", params={"to": "en"})
    assert "6 d 2 h" in english.get("/sent", params={"show": "follow"}).text


def test_nothing_due_shows_no_notice(live: LiveWeb) -> None:
    _sent(live, "ศธ 0990/201", Speed.URGENT, waiting=timedelta(hours=1))
    assert 'id="due-notice"' not in live.logged_in("clerk").get("/sent").text
