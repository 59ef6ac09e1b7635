"""Real sockets on 127.0.0.1: a node answering 500, cutting connections, not answering, or not
listening is a TransientTransportError (retry later); a well-behaved one is reached over one kept-alive
connection."""

from __future__ import annotations

import socket

import pytest
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig

from ecms_gateway.codec import TimeCheckResponse, to_wire
from ecms_gateway.errors import TransientTransportError
from tests.integration.ecms.nodes import free_port, node_url
from tests.integration.ecms.sockets import Behaviour, misbehaving_server

pytestmark = pytest.mark.anyio


def _read_request(connection: socket.socket) -> None:
    connection.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return
        data += chunk


def answer_500(connection: socket.socket) -> None:
    _read_request(connection)
    body = b"<html><body>Internal Server Error</body></html>"
    head = (
        "HTTP/1.1 500 Internal Server Error\r\n"
        f"Content-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    connection.sendall(head.encode() + body)
    connection.close()


def cut_at_once(connection: socket.socket) -> None:
    connection.close()


def cut_mid_reply(connection: socket.socket) -> None:
    _read_request(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n<soap:Env")
    connection.close()


def never_answer(connection: socket.socket) -> None:
    _read_request(connection)  # and keep the connection open until the server stops


CASES = [
    ("HTTP 500 without a fault", answer_500, "HTTP 500"),
    ("connection closed at once", cut_at_once, "connection broke"),
    ("connection cut in the middle of the reply", cut_mid_reply, "connection broke"),
    ("no reply within the read timeout", never_answer, "timed out"),
]


@pytest.mark.parametrize(("case", "behaviour", "reason"), CASES, ids=[c[0] for c in CASES])
async def test_a_misbehaving_node_is_a_transient_error(case: str, behaviour: Behaviour, reason: str) -> None:
    with misbehaving_server(behaviour) as port:
        config = SoapClientConfig(url=node_url(port), read_timeout_s=0.5)
        async with EcmsSoapClient(config) as client:
            with pytest.raises(TransientTransportError, match=reason) as raised:
                await client.time_check()
    assert raised.value.__cause__ is not None or "HTTP 500" in raised.value.reason


async def test_a_node_that_is_not_listening_is_a_transient_error_said_in_words() -> None:
    """The reason stored with the try is the fact ("cannot connect: connection refused"), not the
    Python names of the errors on the way (ConnectFailed, ConnectionRefusedError, Errno 111)."""
    async with EcmsSoapClient(SoapClientConfig(url=node_url(free_port()))) as client:
        with pytest.raises(TransientTransportError) as raised:
            await client.poll()
    assert raised.value.reason == "cannot connect: connection refused"


def answer_time_keeping_alive(connection: socket.socket) -> None:
    """Answer every request on this connection with a TimeCheckResponse, until the client closes it."""
    body = to_wire(TimeCheckResponse(process_time="2026-11-20T10:00:00+07:00"))
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    connection.settimeout(5)
    pending = b""
    while True:
        while b"\r\n\r\n" not in pending:
            chunk = connection.recv(65536)
            if not chunk:
                return
            pending += chunk
        headers, _, rest = pending.partition(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        while len(rest) < length:
            rest += connection.recv(65536)
        pending = rest[length:]
        connection.sendall(head.encode() + body)


async def test_calls_reuse_one_connection() -> None:
    accepted: list[int] = []

    def counting(connection: socket.socket) -> None:
        accepted.append(1)
        answer_time_keeping_alive(connection)

    with misbehaving_server(counting) as port:
        # A second connection would wait behind the first (one connection at a time): a timeout.
        async with EcmsSoapClient(SoapClientConfig(url=node_url(port), read_timeout_s=5)) as client:
            for _ in range(3):
                assert await client.time_check() == "2026-11-20T10:00:00+07:00"
    assert len(accepted) == 1
