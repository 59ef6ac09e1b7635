"""The X-Ecms-Signature header: what a receiver checks, and what it must refuse."""

from __future__ import annotations

import hashlib
import hmac

from ecms_gateway.webhooks import new_secret, sign, verify

BODY = '{"id":"evt_1","type":"letter.received","book_no":"ศธ 0990/1"}'.encode()
SECRET = "whsec_test-secret-0123456789"


def test_the_header_is_an_hmac_sha256_of_timestamp_dot_body() -> None:
    header = sign(SECRET, BODY, timestamp=1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_a_receiver_with_the_secret_verifies_it() -> None:
    header = sign(SECRET, BODY, timestamp=1_700_000_000)
    assert verify(SECRET, BODY, header, now=1_700_000_010)


def test_a_changed_body_another_secret_or_a_changed_timestamp_is_refused() -> None:
    header = sign(SECRET, BODY, timestamp=1_700_000_000)
    assert not verify(SECRET, BODY.replace(b"evt_1", b"evt_2"), header, now=1_700_000_000)
    assert not verify("whsec_another-secret-000000", BODY, header, now=1_700_000_000)
    forged = header.replace("t=1700000000", "t=1700000100")
    assert not verify(SECRET, BODY, forged, now=1_700_000_100)


def test_an_old_signature_is_refused_as_a_replay() -> None:
    header = sign(SECRET, BODY, timestamp=1_700_000_000)
    assert not verify(SECRET, BODY, header, now=1_700_000_000 + 301)
    assert verify(SECRET, BODY, header, now=1_700_000_000 + 299)


def test_a_malformed_header_is_refused() -> None:
    for header in ("", "v1=abc", "t=x,v1=abc", "t=1700000000"):
        assert not verify(SECRET, BODY, header, now=1_700_000_000)


def test_any_of_several_v1_values_may_match_while_a_secret_is_rotated() -> None:
    good = sign(SECRET, BODY, timestamp=1_700_000_000).split("v1=")[1]
    assert verify(SECRET, BODY, f"t=1700000000,v1={'0' * 64},v1={good}", now=1_700_000_000)


def test_generated_secrets_are_long_and_different() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(first) >= 40
