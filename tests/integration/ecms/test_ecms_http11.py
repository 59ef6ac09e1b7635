"""The SOAP client's HTTP/1.1 over real sockets on 127.0.0.1: what it sends, how it keeps, reuses and
drops connections, chunked replies, the reply size limit, the pool's limit and cancellation.

The servers here serve one connection at a time: a client that opened a second connection while the
first is still held would wait for a reply that never comes (a read timeout), and one that reused a
connection it should have dropped would send into a connection the server no longer reads."""

from __future__ import annotations

import socket
import threading
from dataclasses import replace
from typing import Any

import anyio
import pytest
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from ecms_adapters.soap.exchange import PoolTimeout
from ecms_adapters.soap.http11 import Http11Pool

from ecms_gateway.errors import PermanentTransportError, TransientTransportError
from ecms_gateway.xml.parser import XmlLimits
from tests.integration.ecms.nodes import node_url
from tests.integration.ecms.sockets import (
    PROCESS_TIME,
    TIME_REPLY,
    Behaviour,
    misbehaving_server,
    ok_head,
    read_head,
    read_request,
    wait_for_close,
)

pytestmark = pytest.mark.anyio


def _config(port: int, **changes: Any) -> SoapClientConfig:
    return replace(SoapClientConfig(url=node_url(port), read_timeout_s=5.0), **changes)


def keep_alive(connection: socket.socket) -> None:
    """Answer every request on the connection, until the client closes it."""
    pending = b""
    while (read := read_request(connection, pending)) is not None:
        pending = read[1]
        connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY)


async def _settle() -> None:
    """Let the event loop take in what the server did (a closed socket) before the next call."""
    for _ in range(5):
        await anyio.sleep(0)


async def test_the_request_is_a_post_of_the_url_path_and_query_with_its_host() -> None:
    heads: list[bytes] = []

    def record(connection: socket.socket) -> None:
        read = read_request(connection)
        assert read is not None
        heads.append(read[0])
        connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY)
        wait_for_close(connection)

    with misbehaving_server(record) as port:
        async with EcmsSoapClient(_config(port, url=f"{node_url(port)}?org=2099000000")) as client:
            assert await client.time_check() == PROCESS_TIME
    lines = heads[0].split(b"\r\n")
    assert lines[0] == b"POST /ecms-ws01/service2?org=2099000000 HTTP/1.1"
    assert f"host: 127.0.0.1:{port}".encode() in [line.lower() for line in lines]
    assert b'soapaction: ""' in [line.lower() for line in lines]
    assert b"<wsa:MessageID>" in heads[0]


async def test_a_kept_alive_connection_the_node_closed_while_idle_is_not_used() -> None:
    accepted: list[int] = []
    closed = threading.Event()

    def answer_once_then_close(connection: socket.socket) -> None:
        accepted.append(1)
        if read_request(connection) is not None:
            connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY)  # keep-alive, as far as it says
        connection.close()
        closed.set()

    with misbehaving_server(answer_once_then_close) as port:
        async with EcmsSoapClient(_config(port)) as client:
            assert await client.time_check() == PROCESS_TIME
            assert await anyio.to_thread.run_sync(closed.wait, 5)
            await _settle()
            assert await client.time_check() == PROCESS_TIME
    assert len(accepted) == 2


REPLIES_THAT_CLOSE = [
    ("Connection: close", ok_head(len(TIME_REPLY), "Connection: close")),
    ("HTTP/1.0", ok_head(len(TIME_REPLY), version="HTTP/1.0")),
]


@pytest.mark.parametrize(("case", "head"), REPLIES_THAT_CLOSE, ids=[c for c, _ in REPLIES_THAT_CLOSE])
async def test_a_connection_the_reply_says_is_closing_is_not_reused(case: str, head: bytes) -> None:
    accepted: list[int] = []

    def answer_and_hold(connection: socket.socket) -> None:
        accepted.append(1)
        if read_request(connection) is not None:
            connection.sendall(head + TIME_REPLY)
            wait_for_close(connection)  # the socket stays open: only the client can let it go

    with misbehaving_server(answer_and_hold) as port:
        async with EcmsSoapClient(_config(port)) as client:
            assert await client.time_check() == PROCESS_TIME
            assert await client.time_check() == PROCESS_TIME
    assert len(accepted) == 2


def _chunked(body: bytes, size: int) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"


async def test_a_chunked_reply_is_read_whole_and_the_connection_kept() -> None:
    accepted: list[int] = []

    def chunked(connection: socket.socket) -> None:
        accepted.append(1)
        pending = b""
        while (read := read_request(connection, pending)) is not None:
            pending = read[1]
            connection.sendall(ok_head(None, "Transfer-Encoding: chunked"))
            connection.sendall(_chunked(TIME_REPLY, 100))

    with misbehaving_server(chunked) as port:
        async with EcmsSoapClient(_config(port)) as client:
            assert await client.time_check() == PROCESS_TIME
            assert await client.time_check() == PROCESS_TIME
    assert len(accepted) == 1


def _over_limit_by_length(connection: socket.socket) -> None:
    if read_request(connection) is not None:
        connection.sendall(ok_head(10_000_000))  # and not a byte of the body: the client must not wait
        wait_for_close(connection)


def _over_limit_by_chunks(connection: socket.socket) -> None:
    if read_request(connection) is not None:
        connection.sendall(ok_head(None, "Transfer-Encoding: chunked"))
        connection.sendall(b"".join(b"100\r\n" + b" " * 256 + b"\r\n" for _ in range(8)))  # no last chunk
        wait_for_close(connection)


OVER_LIMIT = [("by its Content-Length", _over_limit_by_length), ("by its chunks", _over_limit_by_chunks)]


@pytest.mark.parametrize(("case", "behaviour"), OVER_LIMIT, ids=[c for c, _ in OVER_LIMIT])
async def test_a_reply_over_the_size_limit_is_refused_while_it_arrives(
    case: str, behaviour: Behaviour
) -> None:
    with misbehaving_server(behaviour) as port:
        async with EcmsSoapClient(_config(port, limits=XmlLimits(max_bytes=1000))) as client:
            with pytest.raises(PermanentTransportError, match=r"over 1,000 bytes; raise xml.max_bytes"):
                await client.time_check()


async def test_with_one_connection_allowed_two_concurrent_calls_both_succeed_in_turn() -> None:
    accepted: list[int] = []
    results: list[str] = []

    def counting(connection: socket.socket) -> None:
        accepted.append(1)
        keep_alive(connection)

    with misbehaving_server(counting) as port:
        async with EcmsSoapClient(_config(port, max_connections=1)) as client:

            async def call() -> None:
                results.append(await client.time_check())

            async with anyio.create_task_group() as group:
                group.start_soon(call)
                group.start_soon(call)
    assert results == [PROCESS_TIME, PROCESS_TIME]
    assert len(accepted) == 1


async def test_a_call_waiting_too_long_for_a_connection_times_out() -> None:
    received = threading.Event()

    def never_answer(connection: socket.socket) -> None:
        if read_head(connection) is not None:
            received.set()
            wait_for_close(connection)

    with misbehaving_server(never_answer) as port:
        config = _config(port, max_connections=1, pool_timeout_s=0.2, read_timeout_s=30.0)
        async with EcmsSoapClient(config) as client, anyio.create_task_group() as group:
            group.start_soon(client.time_check)  # holds the only connection
            assert await anyio.to_thread.run_sync(received.wait, 5)
            with pytest.raises(
                TransientTransportError, match=r"timed out: all 1 connections stayed busy"
            ) as caught:
                await client.time_check()
            assert isinstance(caught.value.__cause__, PoolTimeout)
            group.cancel_scope.cancel()


async def test_a_cancelled_call_closes_its_connection_and_frees_its_place() -> None:
    received = threading.Event()
    closed: list[bool] = []

    def hold_the_first_then_answer(connection: socket.socket) -> None:
        if closed:
            keep_alive(connection)
            return
        if read_head(connection) is not None:
            received.set()
            closed.append(wait_for_close(connection))

    with misbehaving_server(hold_the_first_then_answer) as port:
        config = _config(port, max_connections=1, pool_timeout_s=5.0, read_timeout_s=30.0)
        async with EcmsSoapClient(config) as client:
            async with anyio.create_task_group() as group:
                group.start_soon(client.time_check)
                assert await anyio.to_thread.run_sync(received.wait, 5)
                group.cancel_scope.cancel()
            assert await client.time_check() == PROCESS_TIME  # a new connection, in the freed place
    assert closed == [True]  # the server saw the cancelled call's connection closed


async def test_a_request_larger_than_one_write_arrives_whole() -> None:
    bodies: list[bytes] = []

    def record_body(connection: socket.socket) -> None:
        read = read_request(connection)
        if read is not None:
            bodies.append(read[0].partition(b"\r\n\r\n")[2])
            connection.sendall(ok_head(2) + b"ok")
        wait_for_close(connection)

    body = bytes(range(256)) * 6000  # 1.5 MB: several pieces of the pool's writes
    config = _config(0)
    with misbehaving_server(record_body) as port:
        pool = Http11Pool(ssl_context=config.ssl_context(), timeouts=config.timeouts(), max_connections=1)
        try:
            reply = await pool.post(node_url(port), body, {"Content-Type": "text/xml"}, max_bytes=100)
        finally:
            await pool.aclose()
    assert reply == (200, b"ok")
    assert bodies == [body]
