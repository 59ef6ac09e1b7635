"""The operator's queue through the API: the work not done, and dead letters redriven by id or all
at once (of a channel), with the gateway woken."""

from __future__ import annotations

from ecms_gateway.access import Role
from ecms_gateway.errors import PermanentFailure
from tests.integration.api.letters import base64_body, files_of, letter_json
from tests.integration.api.server import ORG_C, ApiServer


def _dead(api: ApiServer, i: int, error: Exception | None = None, **changes: object) -> int:
    """A letter whose delivery failed for good (by ``error``); returns its work item's id."""
    letter = letter_json(i, **changes)
    with api.client() as client:
        assert (
            client.post("/api/v1/letters", json=base64_body(letter, files_of(letter, i))).status_code == 202
        )
    channel = "mail" if changes.get("receiver") else "ecms"
    claim = api.store.claim(channel, "test-worker")
    assert claim is not None
    failed = error or PermanentFailure("refused by the node")
    api.store.fail(claim.work_id, worker="test-worker", error=failed)
    return claim.work_id


def test_the_queue_lists_work_and_dead_items_by_state(api: ApiServer) -> None:
    dead = _dead(api, 1)
    letter = letter_json(2)
    with api.client() as clerk:
        clerk.post("/api/v1/letters", json=base64_body(letter, files_of(letter, 2)))
    with api.client(Role.OPERATOR) as client:
        everything = client.get("/api/v1/queue").json()
        dead_only = client.get("/api/v1/queue", params={"state": "dead"}).json()
    assert len(everything) == 2
    assert [row["work_id"] for row in dead_only] == [dead]
    assert "refused by the node" in dead_only[0]["last_error"]
    assert dead_only[0]["letter_state"] == "failed"


def test_a_dead_items_reason_is_what_happened_not_a_command(api: ApiServer) -> None:
    """The command line's advice ("then `ecms-gateway retry`") is the CLI's to give: an office system
    redrives with POST /queue/redrive. A reason an older version stored with the advice in its words is
    answered as it was stored."""
    fact = "cannot sign: the private key keys/a.key.pem cannot be read"
    now = _dead(api, 1, PermanentFailure(fact, cli_hint="fix the key, then `ecms-gateway retry`"))
    older = _dead(api, 2, PermanentFailure(f"{fact}; fix the key, then `ecms-gateway retry`"))
    with api.client(Role.OPERATOR) as client:
        rows = {row["work_id"]: row for row in client.get("/api/v1/queue", params={"state": "dead"}).json()}
        attempts = client.get(f"/api/v1/letters/{rows[now]['letter_id']}").json()["attempts"]
    assert rows[now]["last_error"] == f"permanent failure: {fact}"
    assert [a["error"] for a in attempts] == [rows[now]["last_error"]]
    assert rows[older]["last_error"].endswith("fix the key, then `ecms-gateway retry`")


def test_redrive_by_id_and_all_dead_of_a_channel(api: ApiServer) -> None:
    one, two = _dead(api, 1), _dead(api, 2)
    mail = _dead(api, 3, receiver={"org_id": ORG_C})
    before = api.wakes.count
    with api.client(Role.OPERATOR) as client:
        by_id = client.post("/api/v1/queue/redrive", json={"ids": [one], "reason": "node fixed"})
        channel = client.post("/api/v1/queue/redrive", json={"all_dead": True, "channel": "ecms"})
        again = client.post("/api/v1/queue/redrive", json={"ids": [one]})
        neither = client.post("/api/v1/queue/redrive", json={})
        rest = client.get("/api/v1/queue", params={"state": "dead"}).json()
    assert by_id.json() == {"redriven": [one]}
    assert channel.json() == {"redriven": [two]}
    assert again.status_code == 409
    assert "only dead letters" in again.json()["error"]
    assert neither.status_code == 422
    assert [row["work_id"] for row in rest] == [mail]
    assert api.wakes.count == before + 2


def test_a_channel_that_does_not_exist_is_a_fault_not_an_empty_answer(api: ApiServer) -> None:
    """A typo (``ecmz``) matched nothing and looked like an empty queue or nothing to redrive."""
    _dead(api, 1)
    with api.client(Role.OPERATOR) as client:
        listing = client.get("/api/v1/queue", params={"channel": "ecmz"})
        redrive = client.post("/api/v1/queue/redrive", json={"all_dead": True, "channel": "ecmz"})
        dead = client.get("/api/v1/queue", params={"state": "dead"}).json()
    for answer in (listing, redrive):
        assert answer.status_code == 422
        assert "'ecms' or 'mail'" in answer.text
    assert len(dead) == 1  # nothing redriven


def test_clerks_do_not_see_the_queue(api: ApiServer) -> None:
    with api.client(Role.CLERK) as client:
        assert client.get("/api/v1/queue").status_code == 403


def test_queue_stats_count_work_by_state_with_the_oldest_and_letters_by_state(api: ApiServer) -> None:
    _dead(api, 1)
    letter = letter_json(2)
    with api.client() as clerk:
        clerk.post("/api/v1/letters", json=base64_body(letter, files_of(letter, 2)))
    with api.client(Role.OPERATOR) as client:
        stats = client.get("/api/v1/queue/stats")
        clerk_sees = client.get("/api/v1/queue/stats", headers=api.headers(Role.CLERK))
    assert stats.status_code == 200, stats.text
    work = {(w["state"], w["channel"], w["kind"]): w["count"] for w in stats.json()["work"]}
    assert work == {("dead", "ecms", "send"): 1, ("ready", "ecms", "send"): 1}
    assert all(w["oldest_at"] for w in stats.json()["work"])
    letters = {(c["direction"], c["state"], c["channel"]): c["count"] for c in stats.json()["letters"]}
    assert letters == {("out", "failed", "ecms"): 1, ("out", "queued", "ecms"): 1}
    assert clerk_sees.status_code == 403
