"""Small TCP servers on 127.0.0.1 that speak (or break) HTTP/1.1 by hand, for the client's socket tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ecms_gateway.codec import TimeCheckResponse, to_wire

Behaviour = Callable[[socket.socket], None]

PROCESS_TIME = "2026-11-20T10:00:00+07:00"
TIME_REPLY = to_wire(TimeCheckResponse(process_time=PROCESS_TIME))


@contextmanager
def misbehaving_server(behaviour: Behaviour) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that treats every connection with ``behaviour``, one connection at a
    time (the next is accepted when ``behaviour`` returns); yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    connections: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            behaviour(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for connection in connections:
            connection.close()


def read_head(connection: socket.socket, pending: bytes = b"") -> tuple[bytes, bytes] | None:
    """The request head (up to the blank line) and the bytes after it; None when the client closed."""
    connection.settimeout(5)
    while b"\r\n\r\n" not in pending:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        pending += chunk
    head, _, rest = pending.partition(b"\r\n\r\n")
    return head, rest


def read_request(connection: socket.socket, pending: bytes = b"") -> tuple[bytes, bytes] | None:
    """One whole request (head, body by its Content-Length) and what follows it; None at the end."""
    read = read_head(connection, pending)
    if read is None:
        return None
    head, rest = read
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def ok_head(length: int | None = None, *extra: str, version: str = "HTTP/1.1") -> bytes:
    """A 200 reply's head: ``Content-Length`` when ``length`` is given, then ``extra`` header lines."""
    lines = [f"{version} 200 OK", "Content-Type: text/xml; charset=utf-8"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode()


def wait_for_close(connection: socket.socket, timeout_s: float = 5) -> bool:
    """Read until the client closes the connection: True when it did within ``timeout_s``."""
    connection.settimeout(timeout_s)
    try:
        while connection.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True  # reset by the client: closed too
    return True
