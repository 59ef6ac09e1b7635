"""Every way a call to a node can go wrong becomes TransientTransportError (retry) or
PermanentTransportError (dead-letter), with the reason, the endpoint and the node's ErrorCode."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from ecms_adapters.soap.exchange import (
    ConnectFailed,
    ConnectionBroken,
    ConnectTimeout,
    HttpFailure,
    InvalidRequest,
    PoolTimeout,
    ReadTimeout,
    ReplyMalformed,
    TlsRefused,
    WriteTimeout,
)

from ecms_gateway.codec import (
    DeleteResponse,
    ErrorDetail,
    InboundResponse,
    TimeCheckResponse,
    encode,
    to_bytes,
    to_wire,
    wrap,
)
from ecms_gateway.engine.retry import RetryPolicy, is_permanent
from ecms_gateway.errors import (
    ConfigError,
    PermanentFailure,
    PermanentTransportError,
    TransientFailure,
    TransientTransportError,
    TransportError,
)
from ecms_gateway.node.codes import INTERNAL, STORE_UNAVAILABLE, UNKNOWN_PROCESS_ID, ErrorCode, Side
from ecms_gateway.node.faults import fault_envelope
from ecms_gateway.xml.parser import XmlLimits
from tests.unit.soap.exchanges import FakeReply, Handler, HandlerExchange, SentRequest

pytestmark = pytest.mark.anyio

URL = "https://node.test/ecms-ws01/service2"


def _client(handler: Handler, *, limits: XmlLimits | None = None) -> EcmsSoapClient:
    config = SoapClientConfig(url=URL, limits=limits or XmlLimits())
    return EcmsSoapClient(config, exchange=HandlerExchange(handler))


def _answer(status: int, body: bytes) -> Handler:
    return lambda _request: FakeReply(status=status, body=body)


def _raise(error: Exception) -> Handler:
    def handler(_request: SentRequest) -> FakeReply:
        raise error

    return handler


def _foreign_fault(faultcode: str, code: str) -> bytes:
    """A fault from a node that is not ours (unknown ErrorCode)."""
    return fault_envelope(ErrorCode(code=code, side=Side.CLIENT, meaning="x"), "refused").replace(
        b"soap:Client", faultcode.encode()
    )


def _chained(failure: HttpFailure, cause: BaseException) -> HttpFailure:
    """``failure`` raised ``from cause``, as the pool raises it."""
    try:
        raise failure from cause
    except HttpFailure as exc:
        return exc


TRANSIENT: list[tuple[str, Handler]] = [
    ("500 with soap:Server fault", _answer(500, fault_envelope(INTERNAL, "disk full"))),
    ("500 with a transient node code", _answer(500, fault_envelope(STORE_UNAVAILABLE, "db locked"))),
    ("foreign Server.Busy fault", _answer(500, _foreign_fault("soap:Server.Busy", "E-77"))),
    ("500 html", _answer(500, b"<html><body>Internal Server Error</body></html>")),
    ("502", _answer(502, b"bad gateway")),
    ("503 empty", _answer(503, b"")),
    ("429", _answer(429, b"slow down")),
    ("connection refused", _raise(ConnectFailed("[Errno 111] Connection refused"))),
    ("connect timeout", _raise(ConnectTimeout("no connection within 10.0 s"))),
    ("read timeout", _raise(ReadTimeout("nothing received in 60.0 s"))),
    ("write timeout", _raise(WriteTimeout("no progress writing the request in 60.0 s"))),
    ("no free connection", _raise(PoolTimeout("all 10 connections stayed busy for 10.0 s"))),
    ("connection cut", _raise(ConnectionBroken("the node closed the connection without replying"))),
    ("reset while reading", _raise(ConnectionBroken("[Errno 104] Connection reset by peer"))),
    ("not HTTP", _raise(ReplyMalformed("illegal status line"))),
    (
        "TLS cut short",
        _raise(_chained(ConnectFailed("cut"), ssl.SSLEOFError(8, "EOF occurred in violation of protocol"))),
    ),
    (
        "TLS cut mid reply",
        _raise(
            _chained(ConnectionBroken("cut"), ssl.SSLZeroReturnError(6, "TLS/SSL connection has been closed"))
        ),
    ),
]

PERMANENT: list[tuple[str, Handler]] = [
    ("500 with soap:Client fault", _answer(500, fault_envelope(UNKNOWN_PROCESS_ID, "no such item"))),
    ("foreign Client fault", _answer(500, _foreign_fault("soap:Client", "E-12"))),
    ("ErrorDetail as the body", _answer(200, to_wire(ErrorDetail(code="E-9", description="refused")))),
    ("404", _answer(404, b"not found")),
    ("301", _answer(301, b"")),
    ("200 html", _answer(200, b"<html><body>proxy login</body></html>")),
    ("200 wrong reply", _answer(200, to_wire(DeleteResponse(process_id="P", process_time="t")))),
    ("200 bare message", _answer(200, to_bytes(encode(TimeCheckResponse(process_time="t"))))),
    (
        "untrusted certificate",
        _raise(_chained(TlsRefused("x"), ssl.SSLCertVerificationError(1, "certificate verify failed"))),
    ),
    (
        "handshake refused",
        _raise(_chained(TlsRefused("x"), ssl.SSLError(1, "tlsv13 alert certificate required"))),
    ),
    (
        "TLS alert while reading the reply",
        _raise(_chained(ConnectionBroken("x"), ssl.SSLError(1, "tlsv13 alert certificate required"))),
    ),
    ("TLS refused without its cause", _raise(TlsRefused("handshake failed"))),
    ("bad URL scheme", _raise(InvalidRequest("the URL 'ftp://node' has an unsupported protocol 'ftp://'"))),
    ("header the request cannot carry", _raise(InvalidRequest("Illegal header value"))),
]


@pytest.mark.parametrize(("case", "handler"), TRANSIENT, ids=[case for case, _ in TRANSIENT])
async def test_failures_that_may_pass_are_transient(case: str, handler: Handler) -> None:
    client = _client(handler)
    with pytest.raises(TransientTransportError) as raised:
        await client.time_check()
    _check(raised.value)
    assert isinstance(raised.value, TransientFailure)
    assert not is_permanent(raised.value)


@pytest.mark.parametrize(("case", "handler"), PERMANENT, ids=[case for case, _ in PERMANENT])
async def test_failures_that_retrying_cannot_fix_are_permanent(case: str, handler: Handler) -> None:
    client = _client(handler)
    with pytest.raises(PermanentTransportError) as raised:
        await client.time_check()
    _check(raised.value)
    assert isinstance(raised.value, PermanentFailure)
    assert is_permanent(raised.value)


def _check(error: TransportError) -> None:
    assert error.endpoint == URL
    assert error.reason


async def test_the_nodes_error_code_and_description_are_kept() -> None:
    client = _client(_answer(500, fault_envelope(UNKNOWN_PROCESS_ID, "ProcessID X is not in the queue")))
    with pytest.raises(PermanentTransportError) as raised:
        await client.delete("X")
    assert raised.value.error_code == "ECMS-301"
    assert raised.value.reason == "ProcessID X is not in the queue"
    assert "ECMS-301" in str(raised.value)


async def test_the_library_error_is_chained() -> None:
    cause = ConnectFailed("[Errno 111] Connection refused")
    with pytest.raises(TransientTransportError) as raised:
        await _client(_raise(cause)).time_check()
    assert raised.value.__cause__ is cause


async def test_a_reply_over_the_size_limit_is_refused_without_reading_it_all() -> None:
    big = to_wire(InboundResponse())
    client = _client(_answer(200, big + b" " * 5000), limits=XmlLimits(max_bytes=1000))
    with pytest.raises(PermanentTransportError, match="over 1,000 bytes"):
        await client.poll()


async def test_a_queue_item_without_process_id_is_refused() -> None:
    from tests.unit.node.helpers import letter  # noqa: PLC0415 - builds a letter, no node needed

    reply = to_bytes(wrap(encode(InboundResponse(item=letter()))))
    with pytest.raises(PermanentTransportError, match="without a ProcessID"):
        await _client(_answer(200, reply)).poll()


async def test_each_request_is_a_soap_post_with_a_fresh_message_id() -> None:
    seen: list[SentRequest] = []

    def handler(request: SentRequest) -> FakeReply:
        seen.append(request)
        return FakeReply(status=200, body=to_wire(TimeCheckResponse(process_time="now")))

    client = _client(handler)
    assert await client.time_check() == "now"
    assert await client.time_check() == "now"
    assert [r.url for r in seen] == [URL, URL]
    assert seen[0].headers["Content-Type"] == "text/xml; charset=utf-8"
    assert seen[0].headers["SOAPAction"] == '""'
    assert b"<wsa:MessageID>mid://" in seen[0].body
    assert seen[0].body != seen[1].body  # a new MessageID each time


def test_tls_files_that_cannot_be_loaded_are_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate", encoding="utf-8")
    with pytest.raises(ConfigError, match="CA bundle"):
        SoapClientConfig(url=URL, ca_bundle=tmp_path / "ca.pem").ssl_context()
    with pytest.raises(ConfigError, match="client certificate"):
        SoapClientConfig(url=URL, client_cert=tmp_path / "absent.pem").ssl_context()


def test_the_retry_policy_retries_transient_and_buries_permanent_transport_errors() -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    now = datetime(2026, 11, 20, tzinfo=UTC)
    policy = RetryPolicy()
    assert type(policy.decide(TransientTransportError("down"), 1, now, now)).__name__ == "RetryAt"
    assert type(policy.decide(PermanentTransportError("refused"), 1, now, now)).__name__ == "Dead"


REASONS: list[tuple[HttpFailure, str]] = [
    (ReadTimeout("nothing received in 60.0 s"), "timed out: nothing received in 60.0 s"),
    (PoolTimeout("busy"), "timed out: busy"),
    (ConnectFailed("connection refused"), "cannot connect: connection refused"),
    (ConnectionBroken("reset"), "the connection broke before the reply was complete: reset"),
    (InvalidRequest("no host"), "the request cannot be sent (no host); check the node URL"),
    (
        _chained(TlsRefused("x"), ssl.SSLCertVerificationError(1, "certificate verify failed")),
        "the node's TLS certificate is not trusted",
    ),
    (TlsRefused("alert"), "the TLS handshake failed (alert); check the client certificate"),
]


@pytest.mark.parametrize(("failure", "reason"), REASONS, ids=[type(f).__name__ for f, _ in REASONS])
async def test_each_failure_has_a_reason_an_operator_can_act_on(failure: HttpFailure, reason: str) -> None:
    with pytest.raises(TransportError) as raised:
        await _client(_raise(failure)).time_check()
    assert reason in raised.value.reason
