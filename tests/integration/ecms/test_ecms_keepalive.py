"""The SOAP client's pool against servers that close kept-alive connections, on 127.0.0.1: idle
connections expire before the server's keep-alive timeout, and a request a reused connection loses
because the server closed or reset it before replying is sent once more on a new connection.

Operators saw polls every 5 s against uvicorn (5 s keep-alive) fail about once a minute with
``ReplyMalformed: can't handle event type ConnectionClosed ...`` or ``Connection reset by peer``."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import anyio
import pytest
import uvicorn
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from ecms_adapters.soap.exchange import ConnectionBroken, ReplyMalformed

from ecms_gateway.errors import TransientTransportError
from tests.integration.ecms.nodes import node_url
from tests.integration.ecms.sockets import PROCESS_TIME, TIME_REPLY, misbehaving_server, ok_head, read_request

pytestmark = pytest.mark.anyio

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _config(port: int, **changes: Any) -> SoapClientConfig:
    return replace(SoapClientConfig(url=node_url(port), read_timeout_s=5.0), **changes)


async def _time_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers every POST with a TimeCheck reply, as the node would."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [
        (b"content-type", b"text/xml; charset=utf-8"),
        (b"content-length", str(len(TIME_REPLY)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": TIME_REPLY})


@asynccontextmanager
async def _uvicorn(keep_alive_s: float) -> AsyncIterator[int]:
    """uvicorn (what ``ecms-gateway node`` runs on) on 127.0.0.1, closing connections idle for
    ``keep_alive_s``; yields its port."""
    config = uvicorn.Config(
        _time_app,
        host="127.0.0.1",
        port=0,
        timeout_keep_alive=keep_alive_s,  # type: ignore[arg-type]  # a float works; short for the test
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def test_requests_spaced_around_the_servers_keep_alive_timeout_all_succeed() -> None:
    """The race the operators saw: each request goes out about when uvicorn closes the idle
    connection. With expiry set far above the server's timeout, only the resend saves them."""
    keep_alive_s = 0.1
    failures: list[str] = []
    async with (
        _uvicorn(keep_alive_s) as port,
        EcmsSoapClient(_config(port, keepalive_expiry_s=60.0)) as client,
    ):
        for i in range(60):
            try:
                assert await client.time_check() == PROCESS_TIME
            except TransientTransportError as exc:
                failures.append(str(exc))
            await anyio.sleep(keep_alive_s + (i % 9 - 4) * 0.001)  # 4 ms either side of the timeout
    assert failures == []


async def test_requests_spaced_around_the_servers_keep_alive_timeout_succeed_with_the_default_expiry() -> (
    None
):
    """Polls as the gateway makes them: the default expiry, uvicorn at a keep-alive shorter than it."""
    keep_alive_s = 0.1
    async with _uvicorn(keep_alive_s) as port, EcmsSoapClient(_config(port)) as client:
        for i in range(20):
            assert await client.time_check() == PROCESS_TIME
            await anyio.sleep(keep_alive_s + (i % 5 - 2) * 0.002)


async def test_a_connection_idle_longer_than_the_keepalive_expiry_is_closed_not_reused() -> None:
    accepted: list[int] = []

    def keep_forever(connection: socket.socket) -> None:
        accepted.append(1)
        pending = b""
        while (read := read_request(connection, pending)) is not None:
            pending = read[1]
            connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY)

    with misbehaving_server(keep_forever) as port:
        async with EcmsSoapClient(_config(port, keepalive_expiry_s=0.05)) as client:
            assert await client.time_check() == PROCESS_TIME
            await anyio.sleep(0.2)
            assert await client.time_check() == PROCESS_TIME
    assert len(accepted) == 2


def _reset(connection: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a server that closed the socket does to bytes that reach it."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def _answer_one_then_drop_the_next(how: str) -> Callable[[socket.socket], None]:
    """Answer one request keep-alive; when the next request arrives, close without replying: after
    reading it (``closed``: the client reads the end of the stream) or with a reset (``reset``)."""

    def behaviour(connection: socket.socket) -> None:
        read = read_request(connection)
        if read is None:
            return
        connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY)
        if how == "closed":
            read_request(connection, read[1])
            connection.close()
        else:
            connection.settimeout(5)
            connection.recv(1, socket.MSG_PEEK)  # the request is here, unread
            _reset(connection)

    return behaviour


@pytest.mark.parametrize("how", ["closed", "reset"])
async def test_a_request_a_reused_connection_loses_before_any_reply_is_sent_again_on_a_new_one(
    how: str,
) -> None:
    accepted: list[int] = []
    drop = _answer_one_then_drop_the_next(how)

    def serve(connection: socket.socket) -> None:
        accepted.append(1)
        if len(accepted) == 1:
            drop(connection)
            return
        pending = b""
        while (read := read_request(connection, pending)) is not None:
            pending = read[1]
            connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY)

    with misbehaving_server(serve) as port:
        async with EcmsSoapClient(_config(port)) as client:
            assert await client.time_check() == PROCESS_TIME
            assert await client.time_check() == PROCESS_TIME  # lost on the first connection, sent again
            assert await client.time_check() == PROCESS_TIME  # the new connection is kept
    assert len(accepted) == 2


async def test_a_request_a_new_connection_loses_is_not_sent_again_and_is_a_broken_connection() -> None:
    """A connection closed before replying is a broken connection (transient), not a malformed reply."""
    accepted: list[int] = []

    def read_then_close(connection: socket.socket) -> None:
        accepted.append(1)
        read_request(connection)
        connection.close()

    with misbehaving_server(read_then_close) as port:
        async with EcmsSoapClient(_config(port)) as client:
            with pytest.raises(
                TransientTransportError, match=r"the connection broke .*: the node closed the connection"
            ) as caught:
                await client.time_check()
    assert type(caught.value.__cause__) is ConnectionBroken
    assert len(accepted) == 1


async def test_a_request_is_sent_again_at_most_once() -> None:
    accepted: list[int] = []

    def serve(connection: socket.socket) -> None:
        accepted.append(1)
        if len(accepted) == 1:
            _answer_one_then_drop_the_next("closed")(connection)
        else:
            read_request(connection)
            connection.close()

    with misbehaving_server(serve) as port:
        async with EcmsSoapClient(_config(port)) as client:
            assert await client.time_check() == PROCESS_TIME
            with pytest.raises(TransientTransportError, match=r"the connection broke") as caught:
                await client.time_check()
    assert type(caught.value.__cause__) is ConnectionBroken
    assert len(accepted) == 2


async def test_a_request_whose_reply_had_begun_is_not_sent_again() -> None:
    """Once a byte of the reply arrived the node has read the request: a cut reply is reported."""
    accepted: list[int] = []

    def answer_then_cut_the_next_reply(connection: socket.socket) -> None:
        accepted.append(1)
        read = read_request(connection)
        if read is None:
            return
        connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY)
        if read_request(connection, read[1]) is not None:
            connection.sendall(ok_head(len(TIME_REPLY)) + TIME_REPLY[:10])
        connection.close()

    with misbehaving_server(answer_then_cut_the_next_reply) as port:
        async with EcmsSoapClient(_config(port)) as client:
            assert await client.time_check() == PROCESS_TIME
            with pytest.raises(TransientTransportError, match=r"the connection broke") as caught:
                await client.time_check()
    assert isinstance(caught.value.__cause__, ReplyMalformed)
    assert len(accepted) == 1
