"""A node process relaying to two nodes, one of which takes connections and never answers: letters for
the other keep flowing meanwhile (each destination's relay jobs progress on their own)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from pathlib import Path

import pytest
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig

from ecms_gateway.codec import LetterDocument, build_document
from ecms_gateway.letter.model import Party
from tests.integration.ecms.conftest import ORG_A, ORG_B, ORG_C, NodeFactory
from tests.integration.ecms.nodes import free_port, node_url, write_directory
from tests.integration.ecms.sockets import misbehaving_server, read_request
from tests.unit.codec.helpers import make_package

pytestmark = pytest.mark.anyio

DEADLINE_S = 30.0  # a guard against a hanging test, well under the relay's 60 s read timeout
BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def letter_to(receiver: str) -> LetterDocument:
    package = make_package(sender_org=ORG_A)
    package = dataclasses.replace(
        package, letter=package.letter.model_copy(update={"receiver": Party(org_id=receiver)})
    )
    return LetterDocument(element=build_document(package))


@dataclasses.dataclass
class Stalled:
    """A node that answers its first request 503 (so that the relay worker, not the request, owns the
    job), then takes each request and never answers until ``release``."""

    seen: int = 0
    hanging: threading.Event = dataclasses.field(default_factory=threading.Event)
    gave_up: threading.Event = dataclasses.field(default_factory=threading.Event)  # the relay closed
    release: threading.Event = dataclasses.field(default_factory=threading.Event)

    def __call__(self, connection: socket.socket) -> None:
        if read_request(connection) is None:
            return
        self.seen += 1
        if self.seen == 1:
            connection.sendall(BUSY)
            return
        self.hanging.set()
        connection.settimeout(0.1)
        while not self.release.is_set():
            try:
                if not connection.recv(65536):
                    self.gave_up.set()
                    return
            except TimeoutError:
                continue
            except OSError:
                self.gave_up.set()
                return


async def _wait(done: threading.Event) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not done.is_set():
        assert time.monotonic() < deadline, "the stalled node never got the letter"
        await asyncio.sleep(0.05)


async def test_a_node_that_never_answers_does_not_hold_up_letters_for_another_node(
    tmp_path: Path, make_node: NodeFactory
) -> None:
    stalled = Stalled()
    with misbehaving_server(stalled) as stalled_port:
        try:
            port_1, port_2 = free_port(), free_port()
            nodes = {ORG_A: node_url(port_1), ORG_B: node_url(stalled_port), ORG_C: node_url(port_2)}
            directory = write_directory(tmp_path / "directory.json", nodes)
            node_1 = make_node("node-1", directory, port_1).start()
            node_2 = make_node("node-2", directory, port_2)  # down when C's letter is sent
            async with EcmsSoapClient(SoapClientConfig(url=node_1.url)) as a:
                await a.send(letter_to(ORG_B), to=nodes[ORG_B])  # 503: the relay worker retries it
                await _wait(stalled.hanging)  # the relay worker's try is now held by the stalled node
                await a.send(letter_to(ORG_C), to=node_2.url)  # refused: node 2 is not up
                node_2.start()
                async with EcmsSoapClient(SoapClientConfig(url=node_2.url)) as c:
                    deadline = time.monotonic() + DEADLINE_S
                    while (received := await c.poll()) is None:
                        assert time.monotonic() < deadline, "C's letter waited for the stalled node"
                        await asyncio.sleep(0.2)
                assert received.item == letter_to(ORG_C)
                # Still held: C's letter did not wait for the relay to give up on the stalled node.
                assert not stalled.gave_up.is_set()
                statuses = [s.process_status for s in await a.outbound_status()]
                assert statuses[0] == "relaying"
            node_1.stop()  # with the stalled node's try still in hand: a clean stop all the same
            assert node_1.process is not None
            assert node_1.process.returncode == 0
        finally:
            stalled.release.set()
