"""What an API client reads when it goes wrong: every error body has the same shape with a stable
``code``; a refusal by the letter's state says in one sentence what can be done now (the routes, the
same facts as ``allowed``); advice names the API's routes, never the command line; a webhook body
has all its faults listed at once and a second webhook for the same URL is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from ecms_gateway.access import Role
from ecms_gateway.engine import NotifierKind
from ecms_gateway.runtime.settings import MB, MessageLimits
from tests.integration.api.letters import (
    base64_body,
    files_of,
    letter_json,
    notify,
    received,
    send,
    withdrawal_done,
)
from tests.integration.api.server import ApiServer, make_server

HOOKS = "/api/v1/webhooks"


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["error"], str)
    assert isinstance(body["faults"], list)
    if status not in (401, 403):  # only an administrator's command makes a key: the 401 and 403 say so
        assert "ecms-gateway " not in body["error"], body  # command-line advice is not for a program
    return body


def test_every_error_has_the_same_shape_with_a_stable_code(api: ApiServer) -> None:
    with api.client(None) as anonymous:
        nobody = anonymous.get("/api/v1/letters")
    with api.client(Role.CLERK) as client:
        weak = client.get(HOOKS)
        no_route = client.get("/api/v1/lettres")
        wrong_method = client.delete("/api/v1/letters")
        wrong_type = client.post("/api/v1/letters", content=b"x", headers={"content-type": "text/plain"})
        bad_query = client.get("/api/v1/letters", params={"limit": 0})
    _error(nobody, 401, "unauthorized")
    _error(weak, 403, "forbidden")
    assert "openapi.json" in _error(no_route, 404, "not_found")["error"]
    assert "openapi.json" in _error(wrong_method, 405, "method_not_allowed")["error"]
    _error(wrong_type, 415, "unsupported_media_type")
    _error(bad_query, 422, "invalid")


def test_an_unknown_api_route_is_a_sentence_and_a_wrong_method_names_every_method_of_the_path(
    api: ApiServer,
) -> None:
    """Starlette answered "Not Found" for a route no one has, and ``Allow: POST`` for DELETE on
    /letters, whose GET works too."""
    with api.client(Role.ADMIN) as client:
        outside_v1 = client.get("/api/nowhere")
        mistyped = client.post("/api/v1/letters/1/registre")
        letters = client.delete("/api/v1/letters")
        hook = client.put(f"{HOOKS}/1")
        action = client.get("/api/v1/letters/1/register")
    for answer, path in ((outside_v1, "/api/nowhere"), (mistyped, "/api/v1/letters/1/registre")):
        said = _error(answer, 404, "not_found")["error"]
        assert said == f"the API has no route {path}; /openapi.json (or /docs) lists every route"
    assert _error(letters, 405, "method_not_allowed")["error"].startswith("DELETE is not allowed")
    assert letters.headers["allow"] == "GET, POST"
    _error(hook, 405, "method_not_allowed")
    assert hook.headers["allow"] == "GET, PATCH, DELETE"
    _error(action, 405, "method_not_allowed")
    assert action.headers["allow"] == "POST"


def test_an_unknown_id_names_the_route_that_lists_them_not_a_command(api: ApiServer) -> None:
    with api.client(Role.ADMIN) as client:
        letter = client.post("/api/v1/letters/424242/register")
        hook = client.get(f"{HOOKS}/4242")
        item = client.post("/api/v1/queue/redrive", json={"ids": [4242]})
        mail = client.get("/api/v1/mail-letters/4242")
    assert "GET /api/v1/letters lists" in _error(letter, 404, "not_found")["error"]
    assert "GET /api/v1/webhooks lists" in _error(hook, 404, "not_found")["error"]
    assert "GET /api/v1/queue lists" in _error(item, 404, "not_found")["error"]
    assert "GET /api/v1/mail-letters lists" in _error(mail, 404, "not_found")["error"]


def test_a_refusal_by_state_says_what_can_be_done_now_in_the_api_words(api: ApiServer) -> None:
    """A rejected letter of ours: register and reject do not apply, withdraw does. The old answer said
    the engine's "allowed there: none" and then "allowed now: withdraw"."""
    letter = letter_json(7)
    with api.client() as client:
        out = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter))).json()["id"]
        send(api.store, out)
        notify(api.store, NotifierKind.REJECT, 7)
        register = client.post(f"/api/v1/letters/{out}/register")
        reject = client.post(f"/api/v1/letters/{out}/reject", json={"reason": "x"})
    for answer in (register, reject):
        body = _error(answer, 409, "wrong_state")
        assert (body["state"], body["allowed"]) == ("rejected", ["withdraw"])
        said = body["error"]
        assert f"withdraw it (POST /api/v1/letters/{out}/withdraw)" in said
        assert "allowed there" not in said
        assert "event " not in said
    assert register.json()["error"].startswith(f"letter {out} cannot be registered: it is a letter we sent")


def test_a_finished_letter_says_nothing_applies_and_lists_nothing(api: ApiServer) -> None:
    inbound = received(api.store, 8)
    with api.client() as client:
        client.post(f"/api/v1/letters/{inbound}/register")
        late = client.post(f"/api/v1/letters/{inbound}/reject", json={"reason": "too late"})
    body = _error(late, 409, "wrong_state")
    assert body["allowed"] == []
    assert "none of the actions applies to it now" in body["error"]
    assert "allowed now" not in body["error"]
    assert "given reason" not in body["error"]


def test_a_webhook_body_has_every_fault_listed_at_once(api: ApiServer) -> None:
    body = {"url": "ftp://files.example/x#top", "events": ["letter.lost"], "secret": "short", "evnts": []}
    with api.client(Role.OPERATOR) as client:
        response = client.post(HOOKS, json=body)
        listing = client.get(HOOKS).json()
    faults = {f["where"]: f["problem"] for f in _error(response, 422, "invalid")["faults"]}
    assert set(faults) == {"url", "events.0", "secret", "evnts"}, faults
    assert "is not a web address" in faults["url"]
    assert "at least 16 characters" in faults["secret"]
    assert "check its spelling" in faults["evnts"]
    assert listing == []


def test_a_second_webhook_for_the_same_url_is_409_naming_the_first(api: ApiServer) -> None:
    """Two subscriptions to one URL delivered every event twice."""
    with api.client(Role.OPERATOR) as client:
        first = client.post(HOOKS, json={"url": "https://saraban.example.go.th/ecms-events"})
        again = client.post(HOOKS, json={"url": "HTTPS://Saraban.example.go.th:443/ecms-events"})
        other_events = client.post(
            HOOKS, json={"url": "https://saraban.example.go.th/ecms-events", "events": ["letter.received"]}
        )
        other_path = client.post(HOOKS, json={"url": "https://saraban.example.go.th/other"})
        listing = client.get(HOOKS).json()
    hook = first.json()["webhook"]
    for answer in (again, other_events):
        body = _error(answer, 409, "duplicate_webhook")
        assert (body["webhook_id"], body["href"]) == (hook["id"], hook["href"])
        assert f"webhook {hook['id']} already delivers to" in body["error"]
        assert f"to change its events, PATCH {hook['href']}" in body["error"]
    assert other_path.status_code == 201
    assert [h["url"] for h in listing] == [hook["url"], "https://saraban.example.go.th/other"]


def test_a_body_that_is_not_json_is_one_fault_saying_so(api: ApiServer) -> None:
    with api.client() as client:
        response = client.post(
            f"/api/v1/letters/{received(api.store, 9)}/reject",
            content=b'{"reason": ',
            headers={"content-type": "application/json"},
        )
    [fault] = _error(response, 422, "invalid")["faults"]
    assert fault["where"] == "body"
    assert "is not valid JSON" in fault["problem"]


def test_a_file_that_is_not_base64_is_one_fault_not_also_a_file_not_sent(api: ApiServer) -> None:
    letter = letter_json(10)
    body = base64_body(letter, files_of(letter, 10))
    main = letter["main_file"]["path"]
    body["files"][main] = "not base64!"
    with api.client() as client:
        response = client.post("/api/v1/letters", json=body)
    faults = _error(response, 422, "invalid")["faults"]
    assert [f["where"] for f in faults] == [f"files.{main}"], faults


def test_the_same_letter_again_is_409_with_the_letter_already_there(api: ApiServer) -> None:
    letter = letter_json(11)
    body = base64_body(letter, files_of(letter, 11))
    with api.client() as client:
        first = client.post("/api/v1/letters", json=body).json()
        again = client.post("/api/v1/letters", json=body)
    answer = _error(again, 409, "duplicate_letter")
    assert (answer["letter_id"], answer["href"]) == (first["id"], first["href"])


def test_a_withdrawn_letter_offers_resend_only_once_the_node_confirmed_the_withdrawal(api: ApiServer) -> None:
    """`actions` said resend while the resend itself was refused "not yet"."""
    letter = letter_json(12)
    with api.client() as client:
        out = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter, 12))).json()["id"]
        send(api.store, out)
        notify(api.store, NotifierKind.REJECT, 12)
        client.post(f"/api/v1/letters/{out}/withdraw")
        before = client.get(f"/api/v1/letters/{out}").json()["actions"]
        too_soon = client.post(f"/api/v1/letters/{out}/resend")
        withdrawal_done(api.store)
        after = client.get(f"/api/v1/letters/{out}").json()["actions"]
    assert before == []
    body = _error(too_soon, 409, "wrong_state")
    assert body["allowed"] == []
    assert "cannot be sent again yet: the node has not confirmed the withdrawal" in body["error"]
    assert after == ["resend"]


def test_a_blank_reason_is_a_fault_of_reason_not_the_command_lines_words(api: ApiServer) -> None:
    """The core's refusal said 'say why (reject --reason TEXT)', with no fault naming the field."""
    inbound = received(api.store, 13)
    with api.client() as client:
        answers = [
            client.post(f"/api/v1/letters/{inbound}/{action}", json={"reason": " \t "})
            for action in ("reject", "invalid", "invalid-accept-id")
        ]
    for answer in answers:
        [fault] = _error(answer, 422, "invalid")["faults"]
        assert fault["where"] == "reason"
        assert fault["problem"].startswith("is blank: say why in words")
        assert "--reason" not in answer.text


def test_json_sent_as_a_form_is_415_naming_the_header_not_an_object_fault(api: ApiServer) -> None:
    """`curl -d '{...}'` without -H sends a form; the answer said the body "should be a valid dictionary"."""
    inbound = received(api.store, 14)
    with api.client(Role.ADMIN) as client:
        form = client.post(
            f"/api/v1/letters/{inbound}/reject",
            content=b'{"reason": "x"}',
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        text = client.post(
            HOOKS, content=b'{"url": "https://a.example/h"}', headers={"content-type": "text/plain"}
        )
        array = client.post(HOOKS, json=[1, 2])  # JSON, just not an object: a fault of the body
    assert "Content-Type: application/json" in _error(form, 415, "unsupported_media_type")["error"]
    assert "text/plain" in _error(text, 415, "unsupported_media_type")["error"]
    assert [f["where"] for f in _error(array, 422, "invalid")["faults"]] == ["body"]


def test_files_too_large_for_the_channel_are_a_fault_of_files(tmp_path: Path) -> None:
    """The refusal said why only in ``error``, with no fault: a program that reads faults by field
    found none."""
    limits = MessageLimits(xml_max_bytes=3 * MB)
    server = make_server(tmp_path, limits=limits).start()
    try:
        letter = letter_json(1)
        with server.client(Role.CLERK) as client:
            response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter, size=MB + 1)))
    finally:
        server.stop()
        server.store.close()
    body = _error(response, 422, "invalid")
    assert [fault["where"] for fault in body["faults"]] == ["files"]
    assert f"a letter's files may be {limits.files_room('ecms') / MB:.1f} MB" in body["faults"][0]["problem"]
    assert server.store.queue() == []


def test_a_key_of_too_low_a_role_is_told_how_to_get_one_with_the_role_needed(api: ApiServer) -> None:
    with api.client(Role.CLERK) as client:
        weak = client.get(HOOKS)
    with api.client(Role.OPERATOR) as client:
        operator = client.post("/api/v1/letters/1/register")
    said = _error(weak, 403, "forbidden")["error"]
    assert said.startswith("apikey:clerk-system has role clerk; this needs operator or admin")
    assert "`ecms-gateway apikeys new NAME --role operator`" in said
    assert "an administrator" in said
    assert "gateway's machine" in said
    assert "`ecms-gateway apikeys new NAME --role clerk`" in _error(operator, 403, "forbidden")["error"]


def test_without_a_key_the_401_names_the_role_each_part_of_the_api_needs(api: ApiServer) -> None:
    with api.client(None) as anonymous:
        said = _error(anonymous.get(HOOKS), 401, "unauthorized")["error"]
    assert "`ecms-gateway apikeys new NAME --role ROLE`: clerk for letters, operator for the queue" in said
