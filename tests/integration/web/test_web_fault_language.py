"""The core's faults on the clerk's pages, over HTTP: sample letter 005's faults all at once in Thai on
the compose page (English with the English switch), and the store's refusals (a letter sent twice, an
action the letter's state does not allow) in Thai."""

from __future__ import annotations

import json

from ecms_adapters.runtime.layout import sample_letters

from ecms_gateway.engine import LetterState
from tests.integration.web.live import ORG_B, LiveWeb, csrf_of, message_after, sample


def _form_of_005(csrf: str) -> dict[str, str]:
    """Sample letter 005 as a clerk would type it into the compose form (no file can be attached)."""
    raw = json.loads((sample_letters() / "letter-005-invalid.json").read_text(encoding="utf-8"))
    return {
        "csrf": csrf,
        "kind": raw["kind"],
        "book_no": raw["book_no"],
        "date": raw["date"],
        "speed": raw["speed"],
        "secrecy": raw["secrecy"],
        "sender": raw["sender"]["org_id"],
        "receiver": raw["receiver"]["org_id"],
    }


def test_sample_005_faults_appear_at_once_in_thai_on_the_compose_page(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.post("/compose", data=_form_of_005(csrf_of(clerk.get("/compose").text)), files=[])
    assert answer.status_code == 200
    text = answer.text.replace("&#39;", "'")
    assert "กรุณาแก้ไข 6 รายการด้านล่าง" in text
    for field in ("book_no", "subject", "date", "speed", "sender", "main_file"):
        assert f'id="{field}-faults"' in text, field
    assert "ไม่ใช่วันที่ที่มีจริง" in text
    assert "'very fast' ใช้ไม่ได้" in text
    assert "'20990' ไม่ใช่รหัสส่วนราชการ" in text
    for english in ("is not a real date", "is not one of", "is not an organisation ID"):
        assert english not in text
    assert live.store.queue() == []


def test_sample_005_faults_are_english_when_the_page_is_english(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    clerk.get("/lang", params={"to": "en", "next": "/compose"})
    answer = clerk.post("/compose", data=_form_of_005(csrf_of(clerk.get("/compose").text)), files=[])
    text = answer.text.replace("&#39;", "'")
    assert "'2026-02-30' is not a real date" in text
    assert "'very fast' is not one of" in text
    assert "'20990' is not an organisation ID" in text


def test_a_letter_sent_twice_is_refused_in_thai(live: LiveWeb) -> None:
    package = sample()
    live.store.accept_outbound(package, actor="test", channel="ecms")
    clerk = live.logged_in("clerk")
    form = {
        "csrf": csrf_of(clerk.get("/compose").text),
        "kind": "external",
        "book_no": package.letter.book_no,
        "date": package.letter.date.isoformat(),
        "subject": package.letter.subject,
        "speed": "normal",
        "secrecy": "normal",
        "sender": package.letter.sender.org_id,
        "receiver": ORG_B,
    }
    files = [("main_file", (package.main.name, package.main.content, "application/pdf"))]
    answer = clerk.post("/compose", data=form, files=files)
    assert answer.status_code == 200
    assert 'id="problem"' in answer.text
    assert f"หนังสือที่ {package.letter.book_no} ลงวันที่" in answer.text
    assert "ส่งซ้ำไม่ได้" in answer.text
    assert "cannot be sent twice" not in answer.text
    assert len(live.store.queue()) == 1


def test_an_action_the_state_does_not_allow_is_refused_in_thai(live: LiveWeb) -> None:
    letter_id = live.store.accept_outbound(sample(), actor="test", channel="ecms")
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    answer = clerk.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": "ผิดเรื่อง"})
    problem = message_after(clerk, answer)
    assert problem is not None
    assert problem.startswith(f"หนังสือรายการที่ {letter_id} อยู่ในสถานะ รอส่ง")
    assert live.store.show(letter_id).letter.state is LetterState.QUEUED
