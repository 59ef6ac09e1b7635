"""Reader checkpoints survive restarts; Message-IDs and dedupe keys identify mail across re-reads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ecms_gateway.errors import ConfigError
from ecms_gateway.mail.checkpoint import FileCheckpointStore, MemoryCheckpointStore
from ecms_gateway.mail.message_ids import (
    dedupe_key,
    letter_message_id,
    message_id_of,
    message_ids,
    normalize_message_id,
    notifier_message_id,
)
from ecms_gateway.mail.ports import Checkpoint
from tests.unit.mail import corpus


def test_file_checkpoints_are_kept_per_mailbox_and_read_back_by_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "state" / "mail-checkpoint.json"
    store = FileCheckpointStore(path)
    assert store.load("a@imap:993/INBOX") is None
    store.save("a@imap:993/INBOX", Checkpoint(uidvalidity=7, last_uid=41))
    store.save("b@imap:993/INBOX", Checkpoint(uidvalidity=9, last_uid=3))
    store.save("a@imap:993/INBOX", Checkpoint(uidvalidity=7, last_uid=42))
    again = FileCheckpointStore(path)
    assert again.load("a@imap:993/INBOX") == Checkpoint(uidvalidity=7, last_uid=42)
    assert again.load("b@imap:993/INBOX") == Checkpoint(uidvalidity=9, last_uid=3)
    assert list(path.parent.iterdir()) == [path]  # no temporary files left behind


def test_a_damaged_checkpoint_file_is_a_configuration_error_that_says_how_to_recover(tmp_path: Path) -> None:
    path = tmp_path / "cp.json"
    path.write_text(json.dumps({"version": 1, "mailboxes": {"x": {"uidvalidity": "7"}}}))
    with pytest.raises(ConfigError, match="move it away to read the mailbox again"):
        FileCheckpointStore(path).load("x")
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="damaged"):
        FileCheckpointStore(path).load("x")


def test_memory_checkpoints_behave_like_file_ones() -> None:
    store = MemoryCheckpointStore()
    store.save("m", Checkpoint(uidvalidity=1, last_uid=5))
    assert store.load("m") == Checkpoint(uidvalidity=1, last_uid=5)
    assert store.load("other") is None


def test_letter_message_ids_depend_on_sender_receiver_book_key_and_date_only() -> None:
    def message_id(book_no: str) -> str:
        return letter_message_id(
            sender_org="2099000000",
            receiver_org="2099100000",
            book_no=book_no,
            letter_date=date(2026, 11, 20),
            domain="saraban.example.go.th",
        )

    arabic, thai = message_id("ศธ 0990/1234"), message_id("ศธ  ๐๙๙๐/๑๒๓๔")
    assert arabic == thai
    assert arabic.startswith("<letter.")
    other = message_id("ศธ 0990/1235")
    assert other != arabic


def test_notifier_message_ids_differ_by_kind_and_receive_number() -> None:
    def message_id(kind: str, accept_id: str | None) -> str:
        return notifier_message_id(
            kind=kind,
            letter_id="ศธ 1/2",
            letter_date=date(2026, 1, 1),
            from_org="2099100000",
            accept_id=accept_id,
            domain="x.go.th",
        )

    receive, accept = message_id("ReceiveLetterNotifier", None), message_id("AcceptLetterNotifier", "45")
    assert receive != accept
    assert accept == message_id("AcceptLetterNotifier", "45")


def test_message_id_headers_are_normalised_from_what_programs_write() -> None:
    assert normalize_message_id(" <abc@x>\r\n") == "<abc@x>"
    assert normalize_message_id("abc@x") == "<abc@x>"
    assert normalize_message_id("garbage") is None
    assert message_ids("<a@x>\r\n <b@y> <c@z>") == ("<a@x>", "<b@y>", "<c@z>")
    assert (
        message_id_of(corpus.thunderbird_letter())
        == "<8c1f2e7a-4b1d-4c55-9a0e-0f4f0b6d2c11@sample-peo.example.go.th>"
    )


def test_dedupe_key_ignores_trace_headers_and_line_ends_but_not_the_body() -> None:
    raw = corpus.thunderbird_letter()
    delivered = b"Return-Path: <x@y>\r\nReceived: from a by b; Fri, 20 Nov 2026\r\n" + raw
    as_lf = raw.replace(b"\r\n", b"\n")
    assert dedupe_key(raw) == dedupe_key(delivered) == dedupe_key(as_lf)
    assert dedupe_key(raw) != dedupe_key(raw.replace(b"format=flowed", b"format=fixed"))
    assert len(dedupe_key(raw)) < 200  # fits the store's process_id


def test_the_same_body_under_another_message_id_is_another_message() -> None:
    raw = corpus.thunderbird_letter()
    assert dedupe_key(raw) != dedupe_key(raw.replace(b"<8c1f2e7a", b"<9c1f2e7a"))


def _without_message_id(sender: bytes, day: bytes) -> bytes:
    return (
        b"From: " + sender + b"\r\nTo: saraban@example.go.th\r\nDate: " + day + b"\r\n"
        b"Subject: =?utf-8?b?4Liq4LmI4LiH4Lir4LiZ4Lix4LiH4Liq4Li34Lit?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"\xe0\xb8\xaa\xe0\xb9\x88\xe0\xb8\x87\xe0\xb8\xa1\xe0\xb8\xb2\xe0\xb9\x80\xe0\xb8\x9e\xe0\xb8\xb7\xe0\xb9\x88\xe0\xb8\xad\xe0\xb9\x82\xe0\xb8\x9b\xe0\xb8\xa3\xe0\xb8\x94\xe0\xb8\x97\xe0\xb8\xa3\xe0\xb8\xb2\xe0\xb8\x9a\r\n"
    )


def test_mails_without_a_message_id_and_with_the_same_text_are_told_apart_by_who_wrote_them_and_when() -> (
    None
):
    first = _without_message_id(b"a@one.go.th", b"Fri, 20 Nov 2026 09:00:00 +0700")
    assert dedupe_key(first) != dedupe_key(
        _without_message_id(b"b@two.go.th", b"Fri, 20 Nov 2026 09:00:00 +0700")
    )
    assert dedupe_key(first) != dedupe_key(
        _without_message_id(b"a@one.go.th", b"Sat, 21 Nov 2026 09:00:00 +0700")
    )
    # the same mail delivered twice (trace headers added on the way, folded otherwise) is still one
    delivered = b"Received: from a by b; Fri, 20 Nov 2026\r\n" + first.replace(b"To: ", b"To:\r\n ")
    assert dedupe_key(first) == dedupe_key(delivered)
