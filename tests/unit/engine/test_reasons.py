"""A failed try's reason is the fact in words; class names older versions stored are not shown."""

from __future__ import annotations

import pytest

from ecms_gateway.engine.reasons import describe, shown, shown_for
from ecms_gateway.errors import PermanentTransportError, TransientFailure, TransientMailError


def test_a_gateway_error_is_its_words_without_its_class() -> None:
    refused = PermanentTransportError("unknown receiver", endpoint="http://n/ecms", error_code="E1")
    assert describe(refused) == "e-CMS node (http://n/ecms) [E1]: unknown receiver"
    assert describe(TransientMailError("timed out", server="mx:25")) == "mail server (mx:25): timed out"


def test_a_gateway_error_without_words_says_its_kind() -> None:
    assert describe(TransientFailure()) == "failed for now, without a reason given"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 9)"), "connection refused"),
        (FileNotFoundError(2, "No such file or directory", "/k.pem"), "no such file or directory: /k.pem"),
        (TimeoutError(), "timed out"),
        (OSError("TLS alert"), "TLS alert"),
    ],
)
def test_a_system_error_is_the_systems_words(error: OSError, words: str) -> None:
    assert describe(error) == words


def test_an_unexpected_error_says_so_and_keeps_its_type_for_the_developer() -> None:
    assert describe(KeyError("letter_id")) == "unexpected error in the gateway (KeyError: 'letter_id')"


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ("PermanentFailure: node says: no", "node says: no"),
        (
            "permanent failure: PermanentTransportError: e-CMS node (u): no",
            "permanent failure: e-CMS node (u): no",
        ),
        (
            "gave up after 3 attempts; last error: TimeoutError: slow",
            "gave up after 3 attempts; last error: slow",
        ),
        (
            "e-CMS node (u): timed out (ReadTimeout: nothing in 60 s)",
            "e-CMS node (u): timed out (nothing in 60 s)",
        ),
        ("mail server (mx): SMTPServerDisconnected: gone", "mail server (mx): gone"),
    ],
)
def test_a_class_name_an_older_version_stored_is_not_shown(stored: str, words: str) -> None:
    assert shown(stored) == words


def test_the_servers_own_words_are_shown_as_they_came() -> None:
    said = "permanent failure: e-CMS node (u) [E9]: Exception: letter refused; NoSuchBook: 12/2569"
    assert shown(said) == said
    assert shown(None) is None


def test_only_a_failed_tries_audit_reason_is_read_as_one() -> None:
    assert shown_for("letter.give_up", "ValueError: x") == "x"
    assert shown_for("letter.reject", "ValueError: x") == "ValueError: x"  # a clerk's own words
