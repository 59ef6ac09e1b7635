"""Submitting letters through the API: multipart and Base64 JSON, every fault at once in one 422,
policy refusals with their reason, duplicates and unusable requests answered clearly."""

from __future__ import annotations

import hashlib
import json

from ecms_gateway.access import Role
from ecms_gateway.engine import LetterState
from tests.conftest import SAMPLES
from tests.integration.api.letters import base64_body, files_of, letter_json, multipart
from tests.integration.api.server import ORG_C, ApiServer


def test_a_multipart_submission_is_queued_with_its_files_and_the_gateway_is_woken(api: ApiServer) -> None:
    letter = letter_json(1)
    files = files_of(letter)
    with api.client() as client:
        response = client.post("/api/v1/letters", files=multipart(letter, files))
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["state"] == LetterState.QUEUED
        assert body["channel"] == "ecms"
        assert body["book_no"] == "ศธ 0990/1"
        assert response.headers["location"] == f"/api/v1/letters/{body['id']}" == body["href"]
        detail = client.get(response.headers["location"]).json()
    assert [(f["name"], f["sha256"]) for f in detail["files"]] == [
        (name, hashlib.sha256(data).hexdigest()) for name, data in files.items()
    ]
    assert api.wakes.count == 1
    assert detail["history"][0]["actor"] == "apikey:clerk-system"


def test_a_json_submission_with_base64_files_keeps_the_exact_bytes(api: ApiServer) -> None:
    letter = letter_json(2, receiver={"org_id": ORG_C})
    files = files_of(letter, 2, size=5000)
    with api.client() as client:
        response = client.post("/api/v1/letters", json=base64_body(letter, files))
        assert response.status_code == 202, response.text
        assert response.json()["channel"] == "mail"  # C has no node: its saraban mailbox
        href = response.json()["href"]
        downloaded = [client.get(f["href"]).content for f in client.get(href).json()["files"]]
    assert downloaded == list(files.values())


def test_every_fault_of_a_submission_is_listed_in_one_422(api: ApiServer) -> None:
    """The sample invalid letter plus a stray file, top secret, an internal kind, a sender this
    gateway does not serve: all of it in one answer, each fault naming its field."""
    letter = json.loads((SAMPLES / "letters" / "letter-005-invalid.json").read_text(encoding="utf-8"))
    letter.update(secrecy="top_secret", kind="internal")
    with api.client() as client:
        response = client.post("/api/v1/letters", files=multipart(letter, {"stray.pdf": b"%PDF-1.4 x"}))
    assert response.status_code == 422
    body = response.json()
    faults = {f["where"]: f["problem"] for f in body["faults"]}
    assert set(faults) >= {
        "book_no",
        "date",
        "subject",
        "speed",
        "sender.org_id",
        "main_file.path",
        "files.stray.pdf",
        "secrecy",
        "kind",
    }
    assert "was not sent" in faults["main_file.path"]
    assert "top secret" in faults["secrecy"]
    assert "stays inside the agency" in faults["kind"]
    assert "very fast" in faults["speed"]
    assert body["error"]


def test_policy_refusals_of_the_sample_letters_say_why(api: ApiServer) -> None:
    with api.client() as client:
        for sample, where, words in (
            ("letter-003", "secrecy", "top secret"),
            ("letter-004", "kind", "internal"),
        ):
            letter = json.loads((SAMPLES / "letters" / f"{sample}.json").read_text(encoding="utf-8"))
            files = {
                ref["path"]: (SAMPLES / "letters" / ref["path"]).read_bytes() for ref in [letter["main_file"]]
            }
            response = client.post("/api/v1/letters", files=multipart(letter, files))
            assert response.status_code == 422, sample
            [fault] = response.json()["faults"]
            assert fault["where"] == where
            assert words in fault["problem"]


def test_a_control_character_in_the_text_is_a_fault_before_anything_is_queued(api: ApiServer) -> None:
    """A vertical tab (a word processor's line break) cannot travel in an e-CMS message: refused at
    once with where it is, not accepted and failing when the letter is sent."""
    letter = letter_json(4, subject="ขอเชิญ\u000bประชุม", description="two\nlines are fine")
    with api.client() as client:
        response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter)))
        assert response.status_code == 422, response.text
        [fault] = response.json()["faults"]
        assert fault["where"] == "subject"
        assert "invisible control character (U+000B) at position 7" in fault["problem"]
        assert client.get("/api/v1/letters").json()["items"] == []


def test_an_unknown_receiver_and_a_sender_not_served_are_faults(api: ApiServer) -> None:
    letter = letter_json(3, receiver={"org_id": "3099000000"}, sender={"org_id": "2099100000"})
    with api.client() as client:
        response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter)))
    faults = {f["where"]: f["problem"] for f in response.json()["faults"]}
    assert response.status_code == 422
    assert "not in the organisation directory" in faults["receiver.org_id"]
    assert "sends for 2099000000 only" in faults["sender.org_id"]


def test_the_same_letter_twice_is_409_with_what_to_do(api: ApiServer) -> None:
    letter = letter_json(4)
    with api.client() as client:
        assert client.post("/api/v1/letters", json=base64_body(letter, files_of(letter))).status_code == 202
        response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter)))
    assert response.status_code == 409
    assert "withdraw" in response.json()["error"]


def test_unusable_requests_are_refused_with_a_clear_error(api: ApiServer) -> None:
    with api.client() as client:
        wrong_type = client.post("/api/v1/letters", content=b"hello", headers={"content-type": "text/plain"})
        broken_json = client.post(
            "/api/v1/letters", content=b'{"letter": ', headers={"content-type": "application/json"}
        )
        bad_base64 = client.post(
            "/api/v1/letters", json={"letter": letter_json(5), "files": {"x.pdf": "**not base64**"}}
        )
        no_letter_part = client.post(
            "/api/v1/letters", files=[("a.pdf", ("a.pdf", b"%PDF-1.4", "application/pdf"))]
        )
    assert wrong_type.status_code == 415
    assert "multipart/form-data" in wrong_type.json()["error"]
    assert broken_json.status_code == 422
    assert "not valid JSON" in broken_json.json()["faults"][0]["problem"]
    assert bad_base64.status_code == 422
    assert "files.x.pdf" in {f["where"] for f in bad_base64.json()["faults"]}
    assert no_letter_part.status_code == 422
    assert no_letter_part.json()["faults"][0]["where"] == "letter"


def test_submitting_needs_the_clerk_role(api: ApiServer) -> None:
    letter = letter_json(6)
    with api.client(Role.OPERATOR) as client:
        response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter)))
    assert response.status_code == 403
    assert "operator" in response.json()["error"]
