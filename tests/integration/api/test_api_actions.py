"""Clerk actions through the API: register gives the receive number (again the same one), reject and
invalid need a reason, withdraw and resend a refused letter; a wrong state is 409 with the state and
the actions it allows."""

from __future__ import annotations

from ecms_gateway.engine import NotifierKind, WorkKind
from tests.integration.api.letters import (
    base64_body,
    files_of,
    letter_json,
    notify,
    received,
    send,
    withdrawal_done,
)
from tests.integration.api.server import ApiServer


def test_register_gives_the_receive_number_once_and_queues_the_accept_notifier(api: ApiServer) -> None:
    letter_id = received(api.store, 1)
    with api.client() as client:
        first = client.post(f"/api/v1/letters/{letter_id}/register")
        again = client.post(f"/api/v1/letters/{letter_id}/register")
    assert first.status_code == 200
    assert first.json()["state"] == "registered"
    assert first.json()["receive_number"] >= 1
    assert again.json()["receive_number"] == first.json()["receive_number"]
    kinds = [row.kind for row in api.store.queue() if row.letter_id == letter_id]
    assert WorkKind.NOTIFY_ACCEPT in kinds
    assert api.wakes.count >= 1


def test_reject_and_invalid_need_a_reason_and_tell_the_sender(api: ApiServer) -> None:
    one, two = received(api.store, 1), received(api.store, 2)
    with api.client() as client:
        no_body = client.post(f"/api/v1/letters/{one}/reject")
        blank = client.post(f"/api/v1/letters/{one}/reject", json={"reason": "   "})
        rejected = client.post(f"/api/v1/letters/{one}/reject", json={"reason": "ไม่ใช่หน่วยงานที่รับผิดชอบ"})
        invalid = client.post(f"/api/v1/letters/{two}/invalid", json={"reason": "ส่งผิดหน่วยงาน"})
    assert no_body.status_code == 422
    assert blank.status_code == 422
    assert [f["where"] for f in blank.json()["faults"]] == ["reason"]
    assert (rejected.status_code, rejected.json()["state"]) == (200, "rejected")
    assert (invalid.status_code, invalid.json()["state"]) == (200, "invalid")
    kinds = {row.kind for row in api.store.queue()}
    assert {WorkKind.NOTIFY_REJECT, WorkKind.NOTIFY_INVALID} <= kinds


def test_an_action_the_state_does_not_allow_is_409_with_state_and_allowed(api: ApiServer) -> None:
    inbound = received(api.store, 1)
    with api.client() as client:
        client.post(f"/api/v1/letters/{inbound}/register")
        late = client.post(f"/api/v1/letters/{inbound}/reject", json={"reason": "too late"})
        letter = letter_json(2)
        out = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter))).json()["id"]
        early = client.post(f"/api/v1/letters/{out}/withdraw")
        resend = client.post(f"/api/v1/letters/{out}/resend")
        missing = client.post("/api/v1/letters/424242/register")
    assert late.status_code == 409
    assert (late.json()["state"], late.json()["allowed"]) == ("registered", [])
    assert early.status_code == 409
    assert early.json()["state"] == "queued"
    assert "queued" in early.json()["error"]
    assert resend.status_code == 409
    assert "sent again only after its receiver refused it" in resend.json()["error"]  # not "withdraw it"
    assert missing.status_code == 404


def test_a_rejected_letter_is_withdrawn_then_sent_again_corrected(api: ApiServer) -> None:
    letter = letter_json(3)
    with api.client() as client:
        first = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter))).json()["id"]
        send(api.store, first)
        notify(api.store, NotifierKind.REJECT, 3)
        shown = client.get(f"/api/v1/letters/{first}").json()
        assert (shown["letter"]["state"], shown["actions"]) == ("rejected", ["withdraw"])
        withdrawn = client.post(f"/api/v1/letters/{first}/withdraw", json={"reason": "ผิดผู้รับ"})
        assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "withdrawn")
        too_soon = client.post(f"/api/v1/letters/{first}/resend")
        assert too_soon.status_code == 409
        assert "not confirmed the withdrawal" in too_soon.json()["error"]
        withdrawal_done(api.store)
        corrected = letter_json(3, subject="ขอเชิญประชุม (แก้ไข)")
        resent = client.post(
            f"/api/v1/letters/{first}/resend", json=base64_body(corrected, files_of(corrected))
        )
        assert resent.status_code == 202, resent.text
        second = resent.json()["id"]
        assert second != first
        assert resent.headers["location"].endswith(f"/letters/{second}")
        assert client.get(f"/api/v1/letters/{second}").json()["letter"]["subject"] == "ขอเชิญประชุม (แก้ไข)"


def test_a_wrong_receive_number_is_reported_queued_and_refused_where_it_cannot_apply(api: ApiServer) -> None:
    """POST invalid-accept-id on a sent letter with the receiver's number: 202, recorded with the
    reason and queued; a second report while the first is unsent, a letter without a number and a
    received letter are 409; a blank reason is 422."""
    letter = letter_json(4)
    inbound = received(api.store, 5)
    with api.client() as client:
        out = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter))).json()["id"]
        send(api.store, out)
        no_number = client.post(f"/api/v1/letters/{out}/invalid-accept-id", json={"reason": "x"})
        notify(api.store, NotifierKind.ACCEPT, 4, accept_id="77")
        shown = client.get(f"/api/v1/letters/{out}").json()
        blank = client.post(f"/api/v1/letters/{out}/invalid-accept-id", json={"reason": "  "})
        wakes = api.wakes.count
        done = client.post(f"/api/v1/letters/{out}/invalid-accept-id", json={"reason": "เลขรับซ้ำ"})
        twice = client.post(f"/api/v1/letters/{out}/invalid-accept-id", json={"reason": "อีกครั้ง"})
        theirs = client.post(f"/api/v1/letters/{inbound}/invalid-accept-id", json={"reason": "x"})
        history = client.get(f"/api/v1/letters/{out}").json()["history"]
    assert no_number.status_code == 409
    assert "no receive number" in no_number.json()["error"]
    assert shown["actions"] == ["invalid-accept-id"]
    assert blank.status_code == 422
    assert done.status_code == 202, done.text
    assert (done.json()["accept_id"], done.json()["state"]) == ("77", "accepted")
    assert api.wakes.count > wakes
    [queued] = [row for row in api.store.queue() if row.kind is WorkKind.NOTIFY_INVALID_ACCEPT_ID]
    assert (queued.work_id, queued.letter_id) == (done.json()["work_id"], out)
    assert twice.status_code == 409
    assert "still being sent" in twice.json()["error"]
    assert theirs.status_code == 409
    assert "only the sender" in theirs.json()["error"]
    assert [(h["action"], h["reason"]) for h in history if h["action"] == "letter.invalid_accept_id"] == [
        ("letter.invalid_accept_id", "เลขรับซ้ำ")
    ]
