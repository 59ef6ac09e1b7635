"""Letters people sent by mail, through the API on a real server: the clerk lists what waits (and, by
``?state=``, what was confirmed or dismissed), reads every field with what was not found and the
files, confirms with corrections (every fault at once as ``{where, problem}``; the date as clerks type
it) into a received letter, or dismisses with a reason; a second action is 409 with the state."""

from __future__ import annotations

from ecms_gateway.access import Role
from ecms_gateway.engine import LetterQuery, LetterState
from tests.integration.api.server import ORG_B, ApiServer
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep, keep_unreadable

BASE = "/api/v1/mail-letters"


def test_the_waiting_list_says_who_sent_what_and_what_is_missing(api: ApiServer) -> None:
    record_id = keep(api.store, corpus.gmail_letter())  # a personal address: no sender organisation
    with api.client() as client:
        answer = client.get(BASE)
    assert answer.status_code == 200
    [item] = answer.json()["items"]
    assert item["id"] == record_id
    assert item["state"] == "pending"
    assert item["from_address"] == corpus.STRANGER
    assert item["mail_subject"] == "Fwd: แจ้งกำหนดการอบรมครู"
    assert [m["field"] for m in item["not_found"]] == ["sender_org"]
    assert item["fields"]["book_no"] == "ศธ 04002/ว1234"
    assert item["href"] == f"{BASE}/{record_id}"
    assert item["letter_id"] is None


def test_one_mail_letter_in_full_with_its_files_to_download(api: ApiServer) -> None:
    record_id = keep(api.store, corpus.gmail_letter())
    with api.client() as client:
        shown = client.get(f"{BASE}/{record_id}")
        body = shown.json()
        pdf = client.get(body["files"][0]["href"])
        beyond = client.get(f"{BASE}/{record_id}/files/1")
        unknown = client.get(f"{BASE}/424242")
    assert shown.status_code == 200
    assert body["fields"]["letter_date"] == "2027-01-05"
    assert body["fields"]["subject"] == "แจ้งกำหนดการอบรมครู"
    assert body["fields"]["receiver_org"] == "2099000000"
    assert "ไม่อยู่ในสมุดรายชื่อหน่วยงาน" in body["not_found"][0]["message"]
    assert any("ปกติ" in note for note in body["notes"])  # speed and secrecy not marked: normal
    assert body["actions"] == ["confirm", "dismiss"]
    [file] = body["files"]
    assert (file["name"], file["mime"], file["position"]) == ("แจ้งกำหนดการอบรม.pdf", "application/pdf", 0)
    assert pdf.status_code == 200
    assert pdf.content == corpus.PDF
    assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
    assert beyond.status_code == 404
    assert "no file 1" in beyond.json()["error"]
    assert unknown.status_code == 404
    assert "424242" in unknown.json()["error"]


def test_confirm_lists_every_fault_at_once_and_records_nothing(api: ApiServer) -> None:
    record_id = keep(api.store, corpus.gmail_letter())
    with api.client() as client:
        bare = client.post(f"{BASE}/{record_id}/confirm")
        wrong = client.post(
            f"{BASE}/{record_id}/confirm",
            json={"letter_date": "31/02/2570", "speed": "เร็วมาก", "receiver_org": ORG_B},
        )
        unknown_field = client.post(f"{BASE}/{record_id}/confirm", json={"book": "x"})
        after = client.get(f"{BASE}/{record_id}")
    assert bare.status_code == 422
    assert [f["where"] for f in bare.json()["faults"]] == ["sender_org"]
    assert wrong.status_code == 422
    faults = {f["where"]: f["problem"] for f in wrong.json()["faults"]}
    assert set(faults) == {"letter_date", "speed", "receiver_org", "sender_org"}
    assert "ไม่มีวันนี้ในปฏิทิน" in faults["letter_date"]
    assert "ไม่ใช่หน่วยงานที่ระบบนี้รับหนังสือให้" in faults["receiver_org"]
    assert unknown_field.status_code == 422
    assert after.json()["state"] == "pending"
    assert api.store.letters(LetterQuery()).total == 0


def test_confirm_records_a_received_letter_and_links_to_it(api: ApiServer) -> None:
    record_id = keep(api.store, corpus.gmail_letter())
    wakes = api.wakes.count
    with api.client() as client:
        done = client.post(
            f"{BASE}/{record_id}/confirm",
            json={
                "sender_org": ORG_B,
                "letter_date": "๕ ม.ค. ๒๕๗๐",
                "speed": "ด่วน",
                "subject": "อบรมครู รุ่น 2",
            },
        )
        body = done.json()
        letter = client.get(done.headers["location"]).json()["letter"]
        again = client.post(f"{BASE}/{record_id}/confirm")
        dismissed = client.post(f"{BASE}/{record_id}/dismiss", json={"reason": "ซ้ำ"})
        registered = client.post(f"/api/v1/letters/{body['letter_id']}/register")
    assert done.status_code == 201
    assert body["state"] == "confirmed"
    assert body["created"] is True
    assert done.headers["location"] == body["letter_href"] == f"/api/v1/letters/{body['letter_id']}"
    assert letter["state"] == LetterState.RECEIVED.value
    assert letter["channel"] == "mail"
    assert (letter["sender_org"], letter["speed"], letter["subject"]) == (ORG_B, "urgent", "อบรมครู รุ่น 2")
    assert letter["letter_date"] == "2027-01-05"
    assert api.wakes.count > wakes
    assert again.status_code == 409
    assert again.json()["state"] == "confirmed"
    assert again.json()["code"] == "wrong_state"
    assert (again.json()["letter_id"], again.json()["letter_href"]) == (
        body["letter_id"],
        body["letter_href"],
    )
    assert f"POST {body['letter_href']}/register" in again.json()["error"]  # the route, not a command
    assert "ecms-gateway" not in again.json()["error"]
    assert dismissed.status_code == 409
    assert registered.json()["receive_number"] >= 1


def test_dismiss_needs_a_reason_and_the_state_filter_finds_it_afterwards(api: ApiServer) -> None:
    record_id = keep(api.store, corpus.gmail_letter())
    with api.client() as client:
        no_body = client.post(f"{BASE}/{record_id}/dismiss")
        blank = client.post(f"{BASE}/{record_id}/dismiss", json={"reason": "   "})
        done = client.post(f"{BASE}/{record_id}/dismiss", json={"reason": "เป็นคำถาม ไม่ใช่หนังสือราชการ"})
        waiting = client.get(BASE).json()["items"]
        dismissed = client.get(BASE, params={"state": "dismissed"}).json()["items"]
        both = client.get(BASE, params=[("state", "dismissed"), ("state", "confirmed")]).json()["items"]
        bad_state = client.get(BASE, params={"state": "lost"})
    assert no_body.status_code == 422
    assert blank.status_code == 422
    assert [f["where"] for f in blank.json()["faults"]] == ["reason"]  # the field, not only words
    assert "เหตุผล" in blank.json()["faults"][0]["problem"]
    assert "--reason" not in blank.text  # the command line's words are not for an API client
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["reason"]) == ("dismissed", "เป็นคำถาม ไม่ใช่หนังสือราชการ")
    assert done.json()["actions"] == []
    assert waiting == []
    assert [r["id"] for r in dismissed] == [record_id]
    assert [r["id"] for r in both] == [record_id]
    assert bad_state.status_code == 422


def test_an_operator_may_not_read_or_confirm_mail_letters(api: ApiServer) -> None:
    record_id = keep(api.store, corpus.gmail_letter())
    with api.client(Role.OPERATOR) as client:
        assert client.get(BASE).status_code == 403
        assert client.post(f"{BASE}/{record_id}/confirm", json={"sender_org": ORG_B}).status_code == 403
    assert api.store.mail_letter(record_id).state.value == "pending"


def test_a_mail_that_is_no_letter_says_why_offers_only_dismiss_and_refuses_confirm(api: ApiServer) -> None:
    record_id = keep_unreadable(api.store, corpus.plain_question())
    with api.client() as client:
        [item] = client.get(BASE).json()["items"]
        shown = client.get(f"{BASE}/{record_id}").json()
        refused = client.post(f"{BASE}/{record_id}/confirm")
        dismissed = client.post(f"{BASE}/{record_id}/dismiss", json={"reason": "asked for the PDF"})
    assert item["id"] == record_id
    assert "ไม่มีไฟล์หนังสือแนบมา" in item["unreadable"]
    assert shown["actions"] == ["dismiss"]
    assert shown["files"] == []
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "unreadable_mail"
    assert body["state"] == "pending"
    assert "ไม่มีไฟล์หนังสือแนบมา" in body["unreadable"]
    assert f"POST {BASE}/{record_id}/dismiss" in body["error"]
    assert dismissed.status_code == 200
    assert dismissed.json()["state"] == "dismissed"
