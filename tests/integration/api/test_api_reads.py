"""Reading letters: filters (direction, states, organisation, dates, text), order and pagination
with the total, one letter in full, and file downloads with their Thai names."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import update

from ecms_gateway.access import Role
from ecms_gateway.engine import SignatureMark
from ecms_gateway.store.tables import LETTER
from tests.integration.api.letters import MAIN_NAME, base64_body, files_of, letter_json, received, send
from tests.integration.api.server import ORG_B, ORG_C, ApiServer


def _submit(api: ApiServer, i: int, **changes: object) -> int:
    letter = letter_json(i, **changes)
    with api.client() as client:
        response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter, i)))
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _ids(api: ApiServer, **params: object) -> list[int]:
    with api.client(Role.OPERATOR) as client:  # operators read letters too
        response = client.get("/api/v1/letters", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_filters_narrow_the_list_and_combine(api: ApiServer) -> None:
    out1 = _submit(api, 1, date="2026-11-01")
    out2 = _submit(api, 2, date="2026-11-15", receiver={"org_id": ORG_C}, subject="งบประมาณ ปี ๒๕๖๙")
    out3 = _submit(api, 3, date="2026-12-01")
    send(api.store, out1)
    inbound = received(api.store, 50)
    assert set(_ids(api)) == {out1, out2, out3, inbound}
    assert set(_ids(api, direction="in")) == {inbound}
    assert set(_ids(api, state=["queued", "received"])) == {out2, out3, inbound}
    assert set(_ids(api, state="sent")) == {out1}
    assert set(_ids(api, org=ORG_C)) == {out2, inbound}  # C received out2 and sent the inbound one
    assert set(_ids(api, date_from="2026-11-10", date_to="2026-11-30")) == {out2, inbound}
    assert set(_ids(api, q="งบประมาณ")) == {out2}
    assert set(_ids(api, q="0990/๓")) == {out3}  # Thai and Arabic digits are equal
    assert set(_ids(api, direction="out", q="0990/5")) == set()


def test_pages_carry_the_total_and_newest_come_first(api: ApiServer) -> None:
    ids = [_submit(api, i) for i in range(1, 8)]
    with api.client() as client:
        first = client.get("/api/v1/letters", params={"limit": 3}).json()
        last = client.get("/api/v1/letters", params={"limit": 3, "offset": 6}).json()
    assert first["total"] == last["total"] == 7
    assert [i["id"] for i in first["items"]] == ids[::-1][:3]
    assert [i["id"] for i in last["items"]] == [ids[0]]
    assert (last["offset"], last["limit"]) == (6, 3)


def test_bad_filters_are_422_with_the_field(api: ApiServer) -> None:
    with api.client() as client:
        for params, where in (
            ({"state": "lost"}, "query.state.0"),
            ({"org": "123"}, "query.org"),
            ({"limit": 0}, "query.limit"),
            ({"date_from": "2026-12-01", "date_to": "2026-11-01"}, "query.date_from"),  # as the others
        ):
            response = client.get("/api/v1/letters", params=params)
            assert response.status_code == 422, params
            assert response.json()["faults"][0]["where"] == where


def test_one_letter_shows_history_attempts_receive_number_and_actions(api: ApiServer) -> None:
    sent = _submit(api, 1)
    send(api.store, sent)
    inbound = received(api.store, 60)
    with api.client() as client:
        client.post(f"/api/v1/letters/{inbound}/register")
        out = client.get(f"/api/v1/letters/{sent}").json()
        into = client.get(f"/api/v1/letters/{inbound}").json()
        missing = client.get("/api/v1/letters/999999")
    assert [h["action"] for h in out["history"]] == ["letter.accepted", "letter.claim", "letter.sent"]
    assert [(a["kind"], a["outcome"]) for a in out["attempts"]] == [("send", "done")]
    assert out["letter"]["receiver_org"] == ORG_B
    assert out["actions"] == []
    assert into["letter"]["state"] == "registered"
    assert into["receive_number"] == str(into["letter"]["registry_no"])
    assert missing.status_code == 404
    assert "999999" in missing.json()["error"]


def test_downloads_have_the_type_and_the_thai_file_name(api: ApiServer) -> None:
    letter_id = _submit(api, 1)
    letter = letter_json(1)
    with api.client() as client:
        response = client.get(f"/api/v1/letters/{letter_id}/files/0")
        beyond = client.get(f"/api/v1/letters/{letter_id}/files/5")
    assert response.status_code == 200
    assert response.content == files_of(letter, 1)[MAIN_NAME.format(i=1)]
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == MAIN_NAME.format(i=1)
    assert disposition.isascii()
    assert beyond.status_code == 404


def test_one_letter_carries_its_whole_letter_json_read_without_touching_its_files(
    api: ApiServer, tmp_path: Path
) -> None:
    """The detail gives the letter in format v1 (references, people, enclosures...) exactly as it
    was submitted, from the database alone: with the file store emptied it is still answered."""
    letter = letter_json(
        7,
        references=[{"book_no": "ศธ 0990/1", "date": "2026-10-01", "subject": "การประชุมครั้งก่อน"}],
        enclosures="ระเบียบวาระการประชุม ๑ ชุด",
        description="สำเนาเรียน ผู้อำนวยการ",
        signer={"given_name": "สมศรี", "family_name": "ใจดี", "job_title": "ผู้อำนวยการ"},
        receiver={"org_id": ORG_B, "job_title": "อธิบดี"},
    )
    with api.client() as client:
        created = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter, 7)))
        letter_id = created.json()["id"]
        blobs = [b for b in (tmp_path / "data" / "files").rglob("*") if b.is_file()]  # make_server's
        assert len(blobs) >= 2
        for blob in blobs:  # every file's bytes gone
            blob.unlink()
        detail = client.get(f"/api/v1/letters/{letter_id}")
        by_operator = client.get(f"/api/v1/letters/{letter_id}", headers=api.headers(Role.OPERATOR))
    assert detail.status_code == 200, detail.text
    assert detail.json()["letter_json"] == letter
    assert by_operator.json()["letter_json"] == letter
    assert [f["name"] for f in detail.json()["files"]] == list(files_of(letter, 7))


def test_received_letters_carry_their_signature_mark_in_the_list_and_in_full(api: ApiServer) -> None:
    """A letter kept unsigned by an accept-and-flag policy says so; a verified one says verified; ours
    (signed by us) carry none."""
    unsigned = received(api.store, 70, signature=SignatureMark.UNSIGNED_ACCEPTED)
    verified = received(api.store, 71)
    sent = _submit(api, 72)
    with api.client() as client:
        items = client.get("/api/v1/letters").json()["items"]
        one = client.get(f"/api/v1/letters/{unsigned}").json()
    marks = {item["id"]: item["signature"] for item in items}
    assert marks == {unsigned: "unsigned_accepted", verified: "verified", sent: None}
    assert one["letter"]["signature"] == "unsigned_accepted"


def test_due_lists_the_letters_to_follow_up_the_longest_waiting_first(api: ApiServer) -> None:
    """`due=true` keeps letters in their state longer than their speed gives; `order=waiting` puts the
    longest waiting first."""
    late, fresh = _submit(api, 1), _submit(api, 2, speed="most_urgent")
    send(api.store, late)
    send(api.store, fresh)
    with api.store.db.write() as conn:
        before = api.store.clock() - timedelta(days=6)
        conn.execute(update(LETTER).where(LETTER.c.id == late).values(updated_at=before))
    follow = {"direction": "out", "state": ["sent", "delivered"]}
    assert _ids(api, **follow, order="waiting") == [late, fresh]
    assert _ids(api, **follow, due="true") == [late]  # normal: 120 h; fresh has had minutes of its 4 h


def test_due_without_states_lists_only_letters_still_to_be_registered_longest_waiting_first(
    api: ApiServer,
) -> None:
    """`due=true` alone looks where `ecms-gateway letters --due` looks: ours not registered yet by the
    receiver and those we received and have not registered; a letter registered long ago is not due."""
    sent_late, sent_later = _submit(api, 1), _submit(api, 2)
    send(api.store, sent_late)
    send(api.store, sent_later)
    waiting, registered = received(api.store, 3), received(api.store, 4)
    api.store.register_inbound(registered, actor="clerk")
    now = api.store.clock()
    with api.store.db.write() as conn:
        for letter, days in ((sent_late, 9), (sent_later, 7), (waiting, 8), (registered, 30)):
            conn.execute(
                update(LETTER).where(LETTER.c.id == letter).values(updated_at=now - timedelta(days=days))
            )
    assert _ids(api, due="true") == [sent_late, waiting, sent_later]
    assert _ids(api, due="true", state="registered") == [registered]  # named states still choose
