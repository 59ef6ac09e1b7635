"""Through the API on a real server: confirming a mail letter that repeats a letter already received is
409 ``repeats_received_letter`` naming that letter, nothing recorded; ``allow_repeat: true`` confirms
it as another letter. The command line refuses it the same way unless ``--allow-repeat``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.engine import LetterQuery
from tests.integration.api.server import ApiServer
from tests.unit.cli.support import run
from tests.unit.cli.test_mail_review_cmds import _keep, config, only_our_commands  # noqa: F401
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep

BASE = "/api/v1/mail-letters"


def test_a_repeat_is_409_naming_the_letter_until_the_caller_allows_it(api: ApiServer) -> None:
    with api.client() as client:
        first = client.post(f"{BASE}/{keep(api.store, corpus.thunderbird_letter())}/confirm")
        assert first.status_code == 201
        letter_id = first.json()["letter_id"]
        forwarded = keep(api.store, corpus.forwarded_as_attachment())
        refused = client.post(f"{BASE}/{forwarded}/confirm", json={})
        allowed = client.post(f"{BASE}/{forwarded}/confirm", json={"allow_repeat": True})
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "repeats_received_letter"
    assert body["letter_id"] == letter_id
    assert body["letter_href"] == f"/api/v1/letters/{letter_id}"
    assert f"repeats received letter {letter_id}" in body["error"]
    assert "allow_repeat" in body["error"]
    assert "ecms-gateway" not in body["error"]  # the API's advice names routes, not commands
    assert allowed.status_code == 201
    assert allowed.json()["letter_id"] != letter_id
    assert api.store.letters(LetterQuery()).total == 2


def test_the_command_line_refuses_a_repeat_unless_allow_repeat(
    config: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _keep(config, corpus.thunderbird_letter())
    code, out, _ = run(capsys, "mail", "confirm", str(first), "--config", str(config))
    assert code == 0
    letter_id = out.split("confirmed as letter ")[1].split(",")[0]
    forwarded = _keep(config, corpus.forwarded_as_attachment())
    code, _, err = run(capsys, "mail", "confirm", str(forwarded), "--config", str(config))
    assert code != 0
    assert f"repeats received letter {letter_id}" in err
    assert "--allow-repeat" in err
    code, out, _ = run(capsys, "mail", "confirm", str(forwarded), "--config", str(config), "--allow-repeat")
    assert code == 0
    assert f"confirmed as letter {letter_id}" not in out
