"""What the runtime stores with a try (why an attempt failed, the note of a work item) says what
happened, never what to type: an office system reads it over the REST API and a clerk on the web
pages, where "then `ecms-gateway retry`" means nothing. The command line adds its commands itself
(``queue`` and ``show``), the API names its routes, the pages their buttons."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from ecms_gateway.engine import WorkState
from ecms_gateway.engine.retry import describe
from ecms_gateway.engine.values import QueueRow
from ecms_gateway.errors import PermanentFailure
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk
from tests.unit.mail import corpus

from .support import ORGS, A, Agency, B, C, agencies, gateway, letter, routing, running, until
from .test_mail_channel import PostOffice, _inbound, _stored

COMMAND = "ecms-gateway"


def _dead_after_sending(agency: Agency) -> QueueRow:
    """Run the gateway until the one letter queued is a dead letter."""

    async def dead() -> QueueRow:
        [row] = await until("dead", lambda: agency.store.queue(work_state=WorkState.DEAD))
        return row

    row = asyncio.run(running([gateway(agency, MemoryNode(ORGS))], dead))
    for attempt in agency.store.show(row.letter_id or 0).attempts:
        assert COMMAND not in (attempt.error or ""), attempt
    return row


def _queue(agency: Agency, *, receiver: str = B) -> None:
    clerk.submit(
        agency.store, letter(1, receiver=receiver), routing=routing(), secrecy=SecrecyPolicy(), actor="c"
    )


def test_a_letter_for_a_mailbox_without_a_mail_channel_waits_saying_why(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    _queue(a, receiver=C)  # C has no e-CMS node: its saraban mailbox, and no [mail] here
    row = _dead_after_sending(a)
    assert "no saraban mail channel is configured" in (row.last_error or "")
    assert COMMAND not in (row.last_error or "")


def test_a_key_that_cannot_sign_is_said_without_a_command_and_the_log_says_what_to_type(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    a = agencies(tmp_path)[A]
    a.signing.keys[A].key.unlink()
    _queue(a)
    with caplog.at_level(logging.ERROR, logger="ecms_gateway.runtime"):
        row = _dead_after_sending(a)
    assert "cannot sign: " in (row.last_error or "")
    assert COMMAND not in (row.last_error or "")
    [dead] = [r.getMessage() for r in caplog.records if "is a dead letter" in r.getMessage()]
    assert dead.endswith(f"{row.last_error}; fix the key, then `ecms-gateway retry`")


def test_a_sender_the_gateway_does_not_serve_is_said_without_a_command(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    a.store.accept_outbound(letter(1, sender=B), actor="c", channel="ecms")  # as an older check let in
    row = _dead_after_sending(a)
    assert f"organisation {B} is not served by this gateway" in (row.last_error or "")
    assert COMMAND not in (row.last_error or "")


def test_an_error_is_stored_without_the_command_lines_advice() -> None:
    error = PermanentFailure("cannot sign: no key", cli_hint="fix the key, then `ecms-gateway retry`")
    assert describe(error) == "cannot sign: no key"
    assert str(error).endswith("then `ecms-gateway retry`")  # the command line prints it whole


def test_the_note_of_a_mail_kept_for_a_clerk_names_the_record_not_a_command(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    inbound = _inbound(a, PostOffice())
    raw = corpus.thunderbird_letter()
    note, _queued = inbound.process(_stored(a, raw), raw, "test")
    assert "kept for a clerk as mail letter " in note
    assert COMMAND not in note
