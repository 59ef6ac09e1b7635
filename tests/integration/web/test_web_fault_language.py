"""The core's faults on the clerk's pages, over HTTP: sample letter 005's faults all at once in Thai on
the compose page (English with the English switch), and the store's refusals (a letter sent twice, an
action the letter's state does not allow, sending again before a withdrawal is confirmed, a second
report of a wrong receive number, redriving what is not dead, a receiver missing from the directory)
in Thai."""

from __future__ import annotations

import json
from dataclasses import replace

from ecms_adapters.runtime.layout import sample_letters

from ecms_gateway.engine import LetterState, NotifierIn, NotifierKind
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
    assert "'2026-02-30' ไม่มีวันนี้ในปฏิทิน" in text  # the clerks' date rule says it, once
    assert "'very fast' ใช้ไม่ได้" in text
    assert "'20990' ไม่ใช่รหัสส่วนราชการ" in text
    for english in ("is no such day", "is not one of", "is not an organisation ID"):
        assert english not in text
    assert live.store.queue() == []


def test_sample_005_faults_are_english_when_the_page_is_english(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    clerk.get("/lang", params={"to": "en", "next": "/compose"})
    answer = clerk.post("/compose", data=_form_of_005(csrf_of(clerk.get("/compose").text)), files=[])
    text = answer.text.replace("&#39;", "'")
    assert "'2026-02-30' is no such day in the calendar" in text
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


def _sent(live: LiveWeb, book_no: str = "ศธ 0990/7") -> int:
    """Letter 001 (under ``book_no``) sent by A: the node took it."""
    package = sample()
    package = replace(package, letter=package.letter.model_copy(update={"book_no": book_no}))
    letter_id = live.store.accept_outbound(package, actor="test", channel="ecms")
    claim = live.store.claim("ecms", "w1")
    assert claim is not None
    live.store.complete(claim.work_id, worker="w1")
    return letter_id


def _told(live: LiveWeb, kind: NotifierKind, accept_id: str | None = None) -> None:
    """B's notifier of ``kind`` about the letter ``_sent`` sent came back."""
    letter = sample().letter
    notifier = NotifierIn(
        kind=kind, sender_dept=letter.sender.department_id, book_no="ศธ 0990/7", letter_date=letter.date,
        accept_id=accept_id, reason="ผิดเรื่อง" if kind is NotifierKind.REJECT else None,
    )  # fmt: skip
    live.store.match_notifier(notifier, actor="test")


def test_sending_again_before_the_withdrawal_is_confirmed_is_explained_in_thai(live: LiveWeb) -> None:
    letter_id = _sent(live)
    _told(live, NotifierKind.REJECT)
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    withdrawn = clerk.post(f"/letters/{letter_id}/withdraw", data={"csrf": csrf, "reason": "แก้ไขเรื่อง"})
    assert message_after(clerk, withdrawn, "note")
    problem = message_after(clerk, clerk.post(f"/letters/{letter_id}/resend", data={"csrf": csrf}))
    assert problem is not None
    assert problem.startswith(f"ระบบกำลังแจ้งดึงหนังสือรายการที่ {letter_id} คืนจากผู้รับ")
    assert "ecms-gateway" not in problem
    assert live.store.show(letter_id).letter.state is LetterState.WITHDRAWN


def test_a_second_report_of_a_wrong_receive_number_while_one_is_sent_is_explained_in_thai(
    live: LiveWeb,
) -> None:
    letter_id = _sent(live)
    _told(live, NotifierKind.ACCEPT, accept_id="9")
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    first = clerk.post(f"/letters/{letter_id}/invalid-accept-id", data={"csrf": csrf, "reason": "เลขรับซ้ำ"})
    assert message_after(clerk, first, "note")
    again = clerk.post(f"/letters/{letter_id}/invalid-accept-id", data={"csrf": csrf, "reason": "เลขรับซ้ำ"})
    assert message_after(clerk, again) == (
        f"ระบบกำลังส่งการแจ้งเลขรับไม่ถูกต้องของหนังสือรายการที่ {letter_id} อยู่ ดูผลในประวัติของหนังสือ แล้วแจ้งอีกครั้งหากจำเป็น"
    )


def test_redriving_work_that_is_not_dead_is_explained_in_thai(live: LiveWeb) -> None:
    live.store.accept_outbound(sample(), actor="test", channel="ecms")
    (work,) = live.store.queue()
    operator = live.logged_in("operator")
    csrf = csrf_of(operator.get("/dashboard").text)
    answer = operator.post("/dashboard/redrive", data={"csrf": csrf, "one": str(work.work_id)})
    assert answer.headers["location"] == "/dashboard#dead"
    assert message_after(operator, answer) == (
        f"งานรายการที่ {work.work_id} ไม่ได้หยุดส่งแล้ว (อาจมีผู้สั่งส่งใหม่ไปก่อน) จึงไม่ได้เปลี่ยนแปลงอะไร กรุณาโหลดหน้าใหม่"
    )
    missing = operator.post("/dashboard/redrive", data={"csrf": csrf, "one": "999999"})
    assert message_after(operator, missing) == "ไม่พบงานรายการที่ 999999 กรุณาโหลดหน้าใหม่"


def test_a_receiver_missing_from_the_directory_is_explained_in_thai(live: LiveWeb) -> None:
    package = sample()
    clerk = live.logged_in("clerk")
    form = {
        "csrf": csrf_of(clerk.get("/compose").text),
        "kind": "external",
        "book_no": "ศธ 0990/8",
        "date": package.letter.date.isoformat(),
        "subject": package.letter.subject,
        "speed": "normal",
        "secrecy": "normal",
        "sender": package.letter.sender.org_id,
        "receiver": "2088800000",
    }
    files = [("main_file", (package.main.name, package.main.content, "application/pdf"))]
    answer = clerk.post("/compose", data=form, files=files)
    assert answer.status_code == 200
    assert "ไม่พบผู้รับรหัส 2088800000 ในทำเนียบส่วนราชการ" in answer.text
    assert "is not in the organisation directory" not in answer.text
    assert live.store.queue() == []
