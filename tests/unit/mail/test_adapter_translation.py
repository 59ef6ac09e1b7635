"""The mail adapters' pure parts: SMTP failures sorted into retry or dead-letter, IMAP replies read."""

from __future__ import annotations

import ssl

import aiosmtplib
import pytest
from ecms_adapters.mail.imap_replies import (
    fetched_messages,
    is_transient_refusal,
    search_results,
    uid_set,
    uidvalidity,
)
from ecms_adapters.mail.smtp import translate_smtp_error

from ecms_gateway.errors import PermanentMailError, TransientMailError
from ecms_gateway.mail.settings import TlsMode

SERVER = "smtp.example.go.th:587"


@pytest.mark.parametrize(
    ("exc", "expected", "words"),
    [
        (
            aiosmtplib.SMTPResponseException(451, "4.3.0 Try again later"),
            TransientMailError,
            "Try again later",
        ),
        (aiosmtplib.SMTPDataError(552, "5.3.4 Message too big"), PermanentMailError, "Message too big"),
        (
            aiosmtplib.SMTPSenderRefused(553, "5.7.1 Sender rejected", "a@b"),
            PermanentMailError,
            "Sender rejected",
        ),
        (
            aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Bad credentials"),
            PermanentMailError,
            "check mail.smtp.username and its password",
        ),
        (aiosmtplib.SMTPAuthenticationError(454, "4.7.0 Temporary failure"), TransientMailError, "Temporary"),
        (aiosmtplib.SMTPConnectTimeoutError("Timed out connecting"), TransientMailError, "timed out"),
        (aiosmtplib.SMTPServerDisconnected("Connection lost"), TransientMailError, "Connection lost"),
        (ConnectionRefusedError(111, "Connection refused"), TransientMailError, "refused"),
    ],
)
def test_smtp_replies_4xx_are_transient_5xx_permanent_with_the_servers_words(
    exc: BaseException, expected: type[Exception], words: str
) -> None:
    error = translate_smtp_error(exc, SERVER, connecting=False, tls=TlsMode.STARTTLS)
    assert type(error) is expected
    assert words in str(error)
    assert SERVER in str(error)


def test_refused_recipients_are_transient_when_any_was_only_deferred() -> None:
    deferred = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(450, "4.2.0 Mailbox busy", "x@y")]
    )
    refused = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(550, "5.1.1 User unknown", "x@y")]
    )
    assert isinstance(
        translate_smtp_error(deferred, SERVER, connecting=False, tls=TlsMode.NONE), TransientMailError
    )
    error = translate_smtp_error(refused, SERVER, connecting=False, tls=TlsMode.NONE)
    assert isinstance(error, PermanentMailError)
    assert error.code == 550
    assert "x@y: 550 5.1.1 User unknown" in error.reason


def test_an_untrusted_certificate_is_permanent_and_names_the_setting() -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    try:
        raise aiosmtplib.SMTPConnectError("Error connecting") from cause
    except aiosmtplib.SMTPConnectError as exc:
        error = translate_smtp_error(exc, SERVER, connecting=True, tls=TlsMode.IMPLICIT)
    assert isinstance(error, PermanentMailError)
    assert "mail.smtp.ca_file" in str(error)


def test_a_server_without_starttls_is_a_permanent_configuration_problem() -> None:
    exc = aiosmtplib.SMTPException("SMTP STARTTLS extension not supported by server.")
    error = translate_smtp_error(exc, SERVER, connecting=True, tls=TlsMode.STARTTLS)
    assert isinstance(error, PermanentMailError)
    assert "STARTTLS extension not supported" in str(error)


def test_fetch_responses_give_each_uid_with_its_exact_bytes_and_skip_flag_updates() -> None:
    lines: list[bytes | bytearray] = [
        b"3 FETCH (FLAGS (\\Seen))",
        b"1 FETCH (UID 10 BODY[] {5}",
        bytearray(b"ab\r\nc"),
        b")",
        b"2 FETCH (BODY[] {3}",
        bytearray(b"xyz"),
        b" UID 12)",
        b"Fetch completed.",
    ]
    assert fetched_messages(lines) == [(10, b"ab\r\nc"), (12, b"xyz")]


def test_search_select_and_refusal_replies_are_read() -> None:
    assert search_results([b"5 3 4", b"Search completed"]) == [3, 4, 5]
    assert search_results([b"", b"Search completed"]) == []
    assert uidvalidity([b"3 EXISTS", b"OK [UIDVALIDITY 1795239289] UIDs valid"]) == 1795239289
    assert is_transient_refusal([b"[UNAVAILABLE] Mailbox is locked"])
    assert not is_transient_refusal([b"[NONEXISTENT] Unknown mailbox"])


def test_uid_sets_are_written_as_ranges() -> None:
    assert uid_set([9, 1, 2, 3, 7, 10, 2]) == "1:3,7,9:10"
    assert uid_set([4]) == "4"
    with pytest.raises(ValueError, match="empty"):
        uid_set([])
