"""The web pages' routes over HTTP (no browser): sessions, CSRF and role refusals, compose with every
fault at once, register, redrive, and the registry book as CSV and PDF."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import datetime

import pytest
from ecms_adapters.web.flash import FLASH_COOKIE
from ecms_adapters.web.i18n import translate
from pypdf import PdfReader

from ecms_gateway.engine import (
    Direction,
    LetterState,
    NotifierIn,
    NotifierKind,
    SignatureMark,
    WorkKind,
    WorkState,
)
from ecms_gateway.errors import PermanentFailure
from ecms_gateway.letter.codes import Speed
from ecms_gateway.letter.model import STORED, Letter, Party
from ecms_gateway.letter.thai import THAI_TIME
from tests.integration.web.live import ORG_A, ORG_B, PASSWORD, LiveWeb, csrf_of, message_after, sample
from tests.integration.web.test_web_fault_language import _sent, _told


def _receive(live: LiveWeb, signature: SignatureMark = SignatureMark.VERIFIED, number: int = 1) -> int:
    """Letter 001 (or a copy with book number ``number``) as agency A's store receives it from B (the
    runtime's inbound path)."""
    package = sample()
    changes: dict[str, object] = {
        "sender": Party(org_id=ORG_B),
        "receiver": Party(org_id=ORG_A),
        "speed": Speed.MOST_URGENT,
    }
    if number != 1:
        changes["book_no"] = f"{package.letter.book_no}-{number}"
    letter = package.letter.model_copy(update=changes)
    inbox = live.store.accept_inbound(b"<raw/>", channel="ecms", process_id=f"p-{number}", actor="test")
    return live.store.record_inbound_letter(
        inbox.id, replace(package, letter=letter), actor="test", signature=signature
    ).id


def _accepted(live: LiveWeb, accept_id: str | None, number: int = 1) -> int:
    """Letter 001 (book number suffixed by ``number``) sent by A; with ``accept_id``, B's
    AcceptLetterNotifier with that number came back."""
    package = sample()
    package = replace(package, letter=package.letter.model_copy(update={"book_no": f"ศธ 0990/{number}"}))
    letter_id = live.store.accept_outbound(package, actor="test", channel="ecms")
    claim = live.store.claim("ecms", "w1")
    assert claim is not None
    live.store.complete(claim.work_id, worker="w1")
    if accept_id is not None:
        notifier = NotifierIn(
            kind=NotifierKind.ACCEPT,
            sender_dept=package.letter.sender.department_id,
            book_no=package.letter.book_no,
            letter_date=package.letter.date,
            accept_id=accept_id,
        )
        live.store.match_notifier(notifier, actor="test")
    return letter_id


def _dead_letter(live: LiveWeb) -> int:
    """An outbound letter whose send the node refused for good: a dead work item."""
    live.store.accept_outbound(sample(), actor="test", channel="ecms")
    claim = live.store.claim("ecms", "w1")
    assert claim is not None
    live.store.fail(claim.work_id, worker="w1", error=PermanentFailure("node refused: unknown receiver"))
    return claim.work_id


def _compose_form(**changes: str) -> dict[str, str]:
    form = {
        "kind": "external",
        "book_no": "ศธ 0990/77",
        "date": "2026-11-20",
        "subject": "ขอเชิญประชุม",
        "speed": "urgent",
        "secrecy": "normal",
        "receiver": ORG_B,
    }
    form.update(changes)
    return form


def _pdf_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    package = sample()
    return [
        ("main_file", (package.main.name, package.main.content, "application/pdf")),
        ("attachments", (package.attachments[0].name, package.attachments[0].content, "application/pdf")),
    ]


def test_login_sets_a_strict_httponly_session_cookie_and_wrong_password_is_refused(live: LiveWeb) -> None:
    client = live.client()
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    wrong = client.post("/login", data={"name": "clerk", "password": "nope", "login_token": token.group(1)})
    assert wrong.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in wrong.text
    token = re.search(r'name="login_token" value="([^"]+)"', wrong.text)
    assert token
    right = client.post(
        "/login", data={"name": "clerk", "password": PASSWORD, "login_token": token.group(1), "next": "/sent"}
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/sent"
    cookie = right.headers["set-cookie"].lower()
    assert "ecms_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_login_without_its_form_token_is_refused(live: LiveWeb) -> None:
    answer = live.client().post(
        "/login", data={"name": "clerk", "password": PASSWORD, "login_token": "forged"}
    )
    assert answer.status_code == 401
    assert "ecms_session" not in answer.headers.get("set-cookie", "")


def test_repeated_wrong_passwords_lock_the_account_with_a_message(live: LiveWeb) -> None:
    client = live.client()
    text = ""
    for _ in range(7):
        token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
        assert token
        text = client.post(
            "/login", data={"name": "clerk", "password": "bad", "login_token": token.group(1)}
        ).text
    assert "บัญชีถูกล็อกชั่วคราว" in text


def test_pages_send_a_strict_content_security_policy(live: LiveWeb) -> None:
    answer = live.logged_in("clerk").get("/compose")
    assert answer.status_code == 200
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_a_page_without_a_session_sends_to_the_login_page(live: LiveWeb) -> None:
    answer = live.client().get("/received?show=all", headers={"Accept": "text/html"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/received%3Fshow%3Dall"


def test_an_address_no_page_has_gets_the_pages_own_not_found_and_the_api_keeps_json(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    for path in ("/nowhere", "/letters/abc", "/letters/5/files/x"):
        answer = clerk.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")
        assert translate("th", "error.notfound") in answer.text
        assert 'href="/sent"' in answer.text  # the pages' menu, to go on from
    assert live.client().get("/nowhere", headers={"Accept": "text/html"}).status_code == 303  # sign in first
    api = clerk.get("/api/v1/nowhere")
    assert (api.status_code, api.json()["code"]) == (404, "not_found")
    assert api.json()["error"].startswith("the API has no route /api/v1/nowhere")
    assert clerk.get("/static/nowhere.css").status_code == 404
    assert clerk.get("/api/v1/letters/1/register").status_code == 405  # the path takes POST only


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.post("/compose", data=_compose_form(csrf="not-the-token"), files=_pdf_files())
    assert answer.status_code == 403
    assert "แบบฟอร์มหมดอายุ" in answer.text
    assert live.store.queue() == []


@pytest.mark.parametrize(
    ("user", "path"), [("operator", "/compose"), ("clerk", "/dashboard"), ("clerk", "/audit")]
)
def test_a_role_that_may_not_use_a_page_gets_403(live: LiveWeb, user: str, path: str) -> None:
    answer = live.logged_in(user).get(path)
    assert answer.status_code == 403
    assert "บทบาทของท่านไม่มีสิทธิ์" in answer.text


def test_navigation_follows_the_role(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk").get("/sent").text
    operator = live.logged_in("operator").get("/dashboard").text
    admin = live.logged_in("admin").get("/dashboard").text
    assert 'href="/compose"' in clerk
    assert 'href="/dashboard"' not in clerk
    assert 'href="/dashboard"' in operator
    assert 'href="/compose"' not in operator
    assert 'href="/compose"' in admin
    assert 'href="/dashboard"' in admin


def test_compose_sends_letter_001_through_the_services(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get("/compose").text)
    answer = clerk.post("/compose", data=_compose_form(csrf=csrf), files=_pdf_files())
    assert answer.status_code == 303, answer.text
    letter_id = int(re.match(r"/letters/(\d+)", answer.headers["location"]).group(1))  # type: ignore[union-attr]
    detail = live.store.show(letter_id)
    assert detail.letter.direction is Direction.OUT
    assert detail.letter.receiver_org == ORG_B
    assert [f[0] for f in detail.files] == ["letter-001.pdf", "letter-001-agenda.pdf"]
    assert live.wakes == 1
    page = clerk.get(answer.headers["location"])
    assert "รับเข้าคิวส่ง" in page.text  # the timeline's first step


def test_an_invisible_control_character_pasted_into_the_form_becomes_a_space(live: LiveWeb) -> None:
    """A clerk cannot see a word processor's line break (U+000B) pasted into the subject, and a letter
    cannot carry it: the form takes it as the space it looks like."""
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get("/compose").text)
    form = _compose_form(csrf=csrf, subject="ขอเชิญประชุม\x0bคณะกรรมการ\x0c")
    answer = clerk.post("/compose", data=form, files=_pdf_files())
    assert answer.status_code == 303, answer.text
    letter_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert live.store.show(letter_id).letter.subject == "ขอเชิญประชุม คณะกรรมการ"


def test_a_letter_stored_with_a_control_character_before_the_check_still_opens(live: LiveWeb) -> None:
    package = sample()
    text = package.letter.model_copy(update={"subject": "เก่า\x0bก่อนการตรวจ"}).model_dump_json()
    old = replace(package, letter=Letter.model_validate_json(text, context={STORED: True}))
    letter_id = live.store.accept_outbound(old, actor="test", channel="ecms")
    page = live.logged_in("clerk").get(f"/letters/{letter_id}")
    assert page.status_code == 200
    assert "ก่อนการตรวจ" in page.text


def test_compose_shows_every_fault_next_to_its_field_and_sends_nothing(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get("/compose").text)
    form = _compose_form(csrf=csrf, secrecy="top_secret", kind="internal", subject="", date="2026-13-40")
    answer = clerk.post("/compose", data=form, files=[])
    assert answer.status_code == 200
    assert 'id="fault-summary"' in answer.text
    for field in ("secrecy", "kind", "subject", "date", "main_file"):
        assert f'id="{field}-faults"' in answer.text, field
    assert "ลับที่สุด" in answer.text
    assert "ส่งออกไม่ได้" in answer.text
    assert live.store.queue() == []


@pytest.mark.parametrize("typo", ["2099-01-05", "1900-01-05"])
def test_a_letter_date_whose_year_is_a_typo_is_said_next_to_the_date(live: LiveWeb, typo: str) -> None:
    """The compose page reads its date by the clerks' one rule: a year a century out is refused with
    the years to write, once, not sent."""
    clerk = live.logged_in("clerk")
    form = _compose_form(csrf=csrf_of(clerk.get("/compose").text), date=typo)
    answer = clerk.post("/compose", data=form, files=_pdf_files())
    assert answer.status_code == 200
    said = answer.text.split('id="date-faults"')[1].split("</ul>")[0]
    assert said.count("<li>") == 1, said
    assert typo[:4] in said
    assert live.store.queue() == []


def test_org_search_finds_thai_english_names_and_codes(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    by_code = clerk.get("/orgs", params={"q": "20991"}).json()
    assert any(o["id"] == ORG_B for o in by_code)
    thai = clerk.get("/orgs", params={"q": "ศึกษาธิการ"}).json()
    assert thai
    assert all("ศึกษาธิการ" in o["label"] for o in thai)
    english = clerk.get("/orgs", params={"q": "office"}).json()
    assert all("office" in o["label"].lower() for o in english)


def test_register_shows_the_new_receive_number_at_once(live: LiveWeb) -> None:
    letter_id = _receive(live)
    clerk = live.logged_in("clerk")
    listing = clerk.get("/received").text
    assert "ด่วนที่สุด" in listing
    page = clerk.get(f"/letters/{letter_id}")
    answer = clerk.post(f"/letters/{letter_id}/register", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 303
    shown = clerk.get(answer.headers["location"]).text
    assert "ลงทะเบียนรับแล้ว เลขรับที่ 1" in shown
    letter = live.store.show(letter_id).letter
    assert letter.state is LetterState.REGISTERED
    assert letter.registry_year is not None
    assert f"<dd>1/{letter.registry_year + 543}</dd>" in shown  # the registry year in the Buddhist Era


def test_reject_needs_a_reason(live: LiveWeb) -> None:
    letter_id = _receive(live)
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    answer = clerk.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": "  "})
    assert message_after(clerk, answer) == translate("th", "letter.reason_needed")
    assert live.store.show(letter_id).letter.state is LetterState.RECEIVED
    clerk.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": "ผิดเรื่อง"})
    assert live.store.show(letter_id).letter.state is LetterState.REJECTED


UNSIGNED_BADGE = "ไม่มีลายมือชื่ออิเล็กทรอนิกส์ (รับไว้ตามนโยบาย)"


def test_a_letter_kept_unsigned_by_policy_carries_a_warning_badge(live: LiveWeb) -> None:
    """The received letter's page and the received list warn about a letter nothing proves the sender
    of; a verified letter shows no such warning."""
    unsigned = _receive(live, SignatureMark.UNSIGNED_ACCEPTED)
    clerk = live.logged_in("clerk")
    page = clerk.get(f"/letters/{unsigned}").text
    assert 'id="unsigned"' in page
    assert UNSIGNED_BADGE in page
    assert UNSIGNED_BADGE in clerk.get("/received").text
    verified = _receive(live, number=2)
    assert UNSIGNED_BADGE not in clerk.get(f"/letters/{verified}").text


def test_a_wrong_receive_number_is_reported_from_the_sent_letter_with_a_reason(live: LiveWeb) -> None:
    """The button shows only on a sent letter with the receiver's number; it needs a reason, then
    records the report, queues the notifier and shows the step in the timeline."""
    without = _accepted(live, None)
    clerk = live.logged_in("clerk")
    assert 'id="invalid-accept-id"' not in clerk.get(f"/letters/{without}").text
    letter_id = _accepted(live, "9", number=2)
    page = clerk.get(f"/letters/{letter_id}")
    assert 'id="invalid-accept-id"' in page.text
    csrf = csrf_of(page.text)
    blank = clerk.post(f"/letters/{letter_id}/invalid-accept-id", data={"csrf": csrf, "reason": " "})
    assert message_after(clerk, blank) == translate("th", "letter.accept_id_reason_needed")
    answer = clerk.post(f"/letters/{letter_id}/invalid-accept-id", data={"csrf": csrf, "reason": "เลขรับซ้ำ"})
    assert answer.status_code == 303
    shown = clerk.get(answer.headers["location"]).text
    assert "ระบบจะแจ้งผู้รับว่าเลขรับ 9 ไม่ถูกต้อง" in shown
    assert "แจ้งผู้รับว่าเลขรับ 9 ไม่ถูกต้อง" in shown.split('id="timeline"')[1]
    kinds = [row.kind for row in live.store.queue() if row.letter_id == letter_id]
    assert kinds == [WorkKind.NOTIFY_INVALID_ACCEPT_ID]
    sent = clerk.get("/sent").text  # the receiver's number, under its own name (not our registry number)
    assert '<th scope="col">เลขรับของผู้รับ</th>' in sent
    assert '<td data-label="เลขรับของผู้รับ">9</td>' in sent


def test_the_letter_pdf_is_served_inline_for_the_preview(live: LiveWeb) -> None:
    letter_id = _receive(live)
    answer = live.logged_in("clerk").get(f"/letters/{letter_id}/files/0")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline")
    assert answer.content == sample().main.content


def test_an_operator_redrives_a_dead_letter(live: LiveWeb) -> None:
    work_id = _dead_letter(live)
    operator = live.logged_in("operator")
    page = operator.get("/dashboard")
    assert "node refused: unknown receiver" in page.text
    dead = page.text.split('id="dead"')[1]
    assert "<td>ส่งหนังสือ</td>" in dead  # the work and the channel in the page's language
    assert "<td>e-CMS</td>" in dead
    assert "<td>send</td>" not in dead
    queues = page.text.split('id="dead"')[0]
    assert "<td>ไม่สำเร็จ</td>" in queues
    assert "สำนักงานศึกษาธิการจังหวัดตัวอย่าง (2099100000)" in queues  # the failing route, by name
    answer = operator.post("/dashboard/redrive", data={"csrf": csrf_of(page.text), "one": str(work_id)})
    assert answer.status_code == 303
    assert [r.state for r in live.store.queue() if r.work_id == work_id] == [WorkState.READY]
    assert live.wakes == 1


def test_the_reason_given_on_the_dashboard_goes_to_the_audit_log_with_the_redrive(live: LiveWeb) -> None:
    work_id = _dead_letter(live)
    operator = live.logged_in("operator")
    page = operator.get("/dashboard")
    assert 'name="reason"' in page.text.split('id="dead"')[1]
    form = {"csrf": csrf_of(page.text), "one": str(work_id), "reason": "  receiver's address corrected "}
    assert operator.post("/dashboard/redrive", data=form).status_code == 303
    redriven = [a for a in live.store.audit_lines() if a.action == "letter.redrive"]
    assert [(a.actor, a.reason) for a in redriven] == [("user:operator", "receiver's address corrected")]
    assert "receiver&#39;s address corrected" in operator.get("/audit").text


def test_an_audit_page_address_with_a_number_past_any_entry_shows_the_newest_entries(live: LiveWeb) -> None:
    _receive(live)
    operator = live.logged_in("operator")
    for before in ("99999999999999999999999", "abc", "-3"):
        page = operator.get("/audit", params={"before": before})
        assert page.status_code == 200, before
        assert "letter.received" in page.text
    assert "letter.received" not in operator.get("/audit", params={"before": "1"}).text


def test_redriving_a_work_item_number_past_any_the_store_holds_says_it_is_not_there(live: LiveWeb) -> None:
    work_id = _dead_letter(live)
    operator = live.logged_in("operator")
    csrf = csrf_of(operator.get("/dashboard").text)
    for one in ("99999999999999999999", "-99999999999999999999"):
        answer = operator.post("/dashboard/redrive", data={"csrf": csrf, "one": one})
        problem = message_after(operator, answer)
        assert problem is not None
        assert one in problem
    assert [r.state for r in live.store.queue() if r.work_id == work_id] == [WorkState.DEAD]


def test_audit_chain_verifies_from_the_page(live: LiveWeb) -> None:
    _receive(live)
    operator = live.logged_in("operator")
    page = operator.get("/audit")
    assert "letter.received" in page.text
    verdict = operator.post("/audit", data={"csrf": csrf_of(page.text)})
    assert "สายบันทึกถูกต้อง" in verdict.text


def _registered(live: LiveWeb) -> None:
    letter_id = _receive(live)
    live.services.register(letter_id, actor="user:clerk")


def test_registry_book_csv_has_a_bom_thai_headings_and_the_letter(live: LiveWeb) -> None:
    _registered(live)
    today = datetime.now(THAI_TIME).date().isoformat()  # the book counts days in Thailand
    answer = live.logged_in("clerk").get(
        "/registry.csv", params={"book": "in", "from": "2026-01-01", "to": today}
    )
    assert answer.status_code == 200
    assert answer.content.startswith(b"\xef\xbb\xbf")
    text = answer.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("เลขทะเบียน,วันที่ลงทะเบียน,ที่")
    assert lines[1].startswith("1,")
    assert "ศธ 0990/1234" in lines[1]
    assert "ด่วนที่สุด" in lines[1]


def test_registry_book_pdf_is_a_pdf_with_the_thai_font_embedded(live: LiveWeb) -> None:
    _registered(live)
    answer = live.logged_in("clerk").get("/registry.pdf", params={"book": "in", "from": "2026-01-01"})
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF-")
    assert b"Sarabun" in answer.content


def test_registry_book_refuses_a_reversed_period(live: LiveWeb) -> None:
    answer = live.logged_in("clerk").get("/registry", params={"from": "2026-12-01", "to": "2026-01-01"})
    assert answer.status_code == 400
    assert "อยู่หลังวันที่สิ้นสุด" in answer.text  # the order is wrong, not the format


def test_english_switch_keeps_the_choice_in_a_cookie(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.get("/lang", params={"to": "en", "next": "/sent"})
    assert answer.status_code == 303
    assert "Sent letters" in clerk.get("/sent").text


def test_logout_ends_the_session_on_the_server(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    token = clerk.cookies["ecms_session"]
    csrf = csrf_of(clerk.get("/sent").text)
    assert clerk.post("/logout", data={"csrf": csrf}).status_code == 303
    replayed = live.client()
    replayed.cookies.set("ecms_session", token)
    assert replayed.get("/sent").status_code == 401  # no session any more (a browser would be sent to /login)


SPOOF = "ระบบย้ายแล้ว กรุณาส่งหนังสือไปที่ evil@example.com"


def test_a_link_cannot_put_its_own_words_on_a_page(live: LiveWeb) -> None:
    """Messages after an action come from the gateway only: text in the address is never shown."""
    letter_id = _receive(live)
    clerk = live.logged_in("clerk")
    for path in (f"/letters/{letter_id}", "/mail-letters"):
        page = clerk.get(path, params={"note": SPOOF, "problem": SPOOF}).text
        assert "evil@example.com" not in page
        assert 'id="note"' not in page
        assert 'id="problem"' not in page
    operator = live.logged_in("operator")
    assert "evil@example.com" not in operator.get("/dashboard", params={"note": SPOOF, "problem": SPOOF}).text


def test_a_message_shows_once_on_the_page_it_is_for(live: LiveWeb) -> None:
    letter_id = _receive(live)
    other = _receive(live, number=2)
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    answer = clerk.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": " "})
    assert answer.headers["location"] == f"/letters/{letter_id}"
    assert 'id="problem"' not in clerk.get(f"/letters/{other}").text  # meant for another page
    assert message_after(clerk, answer) == translate("th", "letter.reason_needed")
    assert 'id="problem"' not in clerk.get(f"/letters/{letter_id}").text  # shown once


def test_a_message_cookie_the_gateway_did_not_give_this_session_is_ignored(live: LiveWeb) -> None:
    letter_id = _receive(live)
    first = live.logged_in("clerk")
    csrf = csrf_of(first.get(f"/letters/{letter_id}").text)
    answer = first.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": " "})
    genuine = answer.cookies[FLASH_COOKIE]
    payload, _mac = genuine.rsplit(".", 1)
    second = live.logged_in("clerk")  # another session: the same cookie is not its own
    second.cookies.set(FLASH_COOKIE, genuine)
    assert 'id="problem"' not in second.get(f"/letters/{letter_id}").text
    for forged in (f"{payload}.{'0' * 64}", "not-a-message", f"{payload}x.{_mac}"):
        first.cookies.set(FLASH_COOKIE, forged)
        assert 'id="problem"' not in first.get(f"/letters/{letter_id}").text
    first.cookies.set(FLASH_COOKIE, genuine)
    assert 'id="problem"' in first.get(f"/letters/{letter_id}").text


def test_the_message_cookie_is_http_only_strict_and_short_lived(live: LiveWeb) -> None:
    letter_id = _receive(live)
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    answer = clerk.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": " "})
    header = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and FLASH_COOKIE in v)
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "samesite=strict" in header.lower()
    assert "max-age=60" in header.lower()
    assert header.startswith(f"{FLASH_COOKIE}=")
    assert not header.startswith(f'{FLASH_COOKIE}="')  # the value needs no quoting


def test_a_withdrawn_letter_is_sent_again_once_and_its_page_links_the_new_letter(live: LiveWeb) -> None:
    """What each step did is said; the gateway's own notes (a ProcessID, its default withdrawal reason)
    are not shown as reasons; once resent, the old letter offers no second resend but the new letter."""
    letter_id = _sent(live)
    _told(live, NotifierKind.REJECT)
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    withdrawn = clerk.post(f"/letters/{letter_id}/withdraw", data={"csrf": csrf})
    assert message_after(clerk, withdrawn, "note") == translate("th", "letter.done_withdraw")
    claim = live.store.claim("ecms", "w1")  # the node confirms the withdrawal
    assert claim is not None
    live.store.complete(claim.work_id, worker="w1")
    page = clerk.get(f"/letters/{letter_id}").text
    assert 'id="resend"' in page
    timeline = page.split('id="timeline"')[1]
    assert "ดึงหนังสือคืน" in timeline
    assert "ผิดเรื่อง" in timeline  # the receiver's reason for refusing it
    assert "withdrawn after" not in timeline  # the gateway's default reason is no reason to show
    resent = clerk.post(f"/letters/{letter_id}/resend", data={"csrf": csrf})
    assert message_after(clerk, resent, "note") == translate("th", "letter.done_resend")
    new_id = int(resent.headers["location"].rsplit("/", 1)[1])
    assert new_id != letter_id
    old = clerk.get(f"/letters/{letter_id}").text
    assert 'id="resend"' not in old
    assert f'<a href="/letters/{new_id}">หนังสือฉบับใหม่</a>' in old
    assert "ส่งใหม่เป็นหนังสือฉบับใหม่" in old.split('id="timeline"')[1]
    assert "ProcessID" not in old


def test_the_letter_page_names_speed_and_secrecy_in_the_pages_language(live: LiveWeb) -> None:
    letter_id = _receive(live)
    clerk = live.logged_in("clerk")
    assert "<dd>ด่วนที่สุด</dd>" in clerk.get(f"/letters/{letter_id}").text
    clerk.cookies.set("ecms_lang", "en")
    english = clerk.get(f"/letters/{letter_id}").text
    assert "<dd>most urgent</dd>" in english
    assert "<dd>normal</dd>" in english


def test_the_sent_book_says_what_became_of_a_refused_letter_and_names_the_agency(live: LiveWeb) -> None:
    """A rejected (or withdrawn, invalid, failed) letter's row says so in the note; the PDF's title
    and the page's heading name the organisation, not its code."""
    _sent(live)
    _told(live, NotifierKind.REJECT)
    clerk = live.logged_in("clerk")
    today = datetime.now(THAI_TIME).date().isoformat()
    period = {"book": "out", "from": today, "to": today}
    rows = clerk.get("/registry.csv", params=period).content.decode("utf-8-sig").splitlines()
    assert rows[1].endswith("ถูกปฏิเสธ")
    screen = clerk.get("/registry", params=period).text
    assert '<h2 id="book-title">ทะเบียนหนังสือส่ง สำนักงานตัวอย่างสภาวิชาชีพครู</h2>' in screen
    pdf = PdfReader(io.BytesIO(clerk.get("/registry.pdf", params=period).content))
    # (fpdf2 maps the second glyph HarfBuzz makes of sara am to a control character in the text layer)
    first = re.sub("[\x00-\x1f]", "", pdf.pages[0].extract_text().replace("\n", " "))
    assert "ทะเบียนหนังสือส่ง สำนักงานตัวอย่างสภาวิชาชีพครู" in first
    assert "เลขทะเบียน" in first  # the heading on one line, not broken inside the word


def test_a_withdrawn_letter_is_corrected_in_the_compose_form_and_sent_again(live: LiveWeb) -> None:
    """'Correct and send again' opens the form filled in from the withdrawn letter with its files
    attached; the clerk changes the subject and sends: a new letter, linked from the old one, with the
    references the form does not show kept."""
    letter_id = _sent(live)
    _told(live, NotifierKind.REJECT)
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    clerk.post(f"/letters/{letter_id}/withdraw", data={"csrf": csrf})
    claim = live.store.claim("ecms", "w1")
    assert claim is not None
    live.store.complete(claim.work_id, worker="w1")
    page = clerk.get(f"/letters/{letter_id}").text
    assert f'href="/compose?resend={letter_id}"' in page
    form = clerk.get(f"/compose?resend={letter_id}").text
    original = live.store.load_package(letter_id).letter
    assert f'value="{html.escape(original.subject, quote=True)}"' in form
    assert f'name="resend_of" value="{letter_id}"' in form
    day = original.date  # the date as a Thai clerk writes it: day/month/Buddhist Era year
    assert f'name="date" value="{day.day}/{day.month}/{day.year + 543}"' in form
    tokens = re.findall(r'name="kept" value="([^"]+)"', form)
    assert len(tokens) == 1 + len(original.attachments)  # the letter file and each attachment
    data = {
        **_compose_form(csrf=csrf_of(form), subject="ขอเชิญประชุม (แก้ไข)", book_no=original.book_no),
        "date": original.date.isoformat(),
        "resend_of": str(letter_id),
        "kept": tokens,
    }
    sent = clerk.post("/compose", data=data)
    assert sent.status_code == 303, message_after(clerk, sent)
    new_id = int(sent.headers["location"].rsplit("/", 1)[1])
    new = live.store.load_package(new_id)
    assert new.letter.subject == "ขอเชิญประชุม (แก้ไข)"
    assert new.letter.references == original.references
    assert [f.content for f in new.files] == [f.content for f in live.store.load_package(letter_id).files]
    assert f'<a href="/letters/{new_id}">' in clerk.get(f"/letters/{letter_id}").text
    again = clerk.get(f"/compose?resend={letter_id}")  # once only
    assert again.status_code == 303
    assert message_after(clerk, again) == translate("th", "compose.resend_not_withdrawn")


def test_a_letter_number_past_any_the_store_holds_is_no_page(live: LiveWeb) -> None:
    """/letters/99999999999999999999 failed in the database driver with a 500 (and the server then
    closed the connection); a number of more than 18 digits is no page: 404, as a letter not there is."""
    clerk = live.logged_in("clerk")
    for path in ("/letters/99999999999999999999", "/letters/99999999999999999999/files/0", "/letters/0"):
        assert clerk.get(path).status_code == 404, path
    assert clerk.get("/compose").status_code == 200  # the connection still serves the next request
