"""A node and two gateways (A = 2099000000, B = 2099100000) as child processes, with the test process
playing the clerks through the store and the clerk services, and watching both stores."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from ecms_adapters.runtime.layout import LayoutOptions, sample_letters, write_layout
from ecms_adapters.runtime.processes import Child, spawn, start_gateway, start_node, wait_for_port

from ecms_gateway.config import load_config
from ecms_gateway.engine import Direction, LetterRef, LetterState, Store
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import Letter, LetterPackage, Party
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.control import wake_gateway
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.services import clerk

T = TypeVar("T")
ORG = {"A": "2099000000", "B": "2099100000"}
PREFIX = {"A": "ศธ 0990/", "B": "ศธ 0991/"}


def letter(
    number: int, *, sender: str = "A", receiver: str | None = None, subject: str | None = None
) -> LetterPackage:
    """Sample letter 001 with its own book number, from ``sender`` to the other agency."""
    base = load_letter_file(sample_letters() / "letter-001.json")
    to = receiver or ("B" if sender == "A" else "A")
    changed = base.letter.model_copy(
        update={
            "book_no": f"{PREFIX[sender]}{number}",
            "sender": Party(org_id=ORG[sender], given_name="สมชาย", family_name="ใจดี"),
            "receiver": Party(org_id=ORG[to]),
            "subject": subject or f"{base.letter.subject} ({number})",
        }
    )
    return replace(base, letter=changed)


class Cluster:
    def __init__(self, root: Path, options: LayoutOptions) -> None:
        self.options = options
        self.layout = write_layout(root, options)
        self.stores: dict[str, Store] = {}
        for name, agency in self.layout.agencies.items():
            config = load_config(agency.config)
            self.stores[name] = Store(data_dir=config.gateway.data_dir, policies=config.retry_policies())
        self.node: Child | None = None
        self.gateways: dict[str, Child] = {}
        self.routing = table_from_file(self.layout.directory)

    # ------------------------------------------------------------ processes

    def start(self) -> Cluster:
        """The node, then every gateway; returns once each gateway has fetched the directory."""
        self.start_node()
        for name in self.layout.agencies:
            self.start_gateway(name)
        for name, agency in self.layout.agencies.items():
            self.wait(f"gateway {name} to start", (agency.data_dir / "directory-cache.json").is_file)
        return self

    def start_node(self) -> None:
        self.node = start_node(self.layout)
        wait_for_port(self.layout.node_port, timeout=30, child=self.node)

    def stop_node(self) -> None:
        if self.node is not None:
            self.node.stop()

    def start_gateway(
        self, name: str, *, command: list[str] | None = None, env: dict[str, str] | None = None
    ) -> Child:
        agency = self.layout[name]
        child = (
            spawn(f"gateway {name}", command, agency.log, env=env)
            if command
            else start_gateway(agency, env=env)
        )
        self.gateways[name] = child
        return child

    def close(self) -> None:
        for child in [*self.gateways.values(), *([self.node] if self.node else [])]:
            if child.alive():
                child.stop(timeout=10)
        for store in self.stores.values():
            store.close()

    def logs(self) -> str:
        children = [*self.gateways.values(), *([self.node] if self.node else [])]
        return "\n".join(f"--- {c.name}\n{c.tail(15)}" for c in children)

    # ------------------------------------------------------------ clerks

    def submit(self, name: str, package: LetterPackage) -> int:
        submitted = clerk.submit(
            self.stores[name], package, routing=self.routing, secrecy=self._secrecy(name), actor="clerk:test"
        )
        self.wake(name)
        return submitted.letter_id

    def wake(self, name: str) -> None:
        wake_gateway(self.layout[name].data_dir)

    def _secrecy(self, name: str) -> SecrecyPolicy:
        return load_config(self.layout[name].config).secrecy_policy()

    # ------------------------------------------------------------ watching

    def sent(self, name: str, letter: Letter) -> LetterRef | None:
        return self.stores[name].find_letter(
            direction=Direction.OUT, book_no=letter.book_no, letter_date=letter.date
        )

    def received(self, name: str, letter: Letter) -> LetterRef | None:
        return self.stores[name].find_letter(
            direction=Direction.IN, book_no=letter.book_no, letter_date=letter.date
        )

    def accept_id(self, sender: str, letter: Letter) -> int:
        """The receive number the receiver gave our letter (AcceptID of its AcceptLetterNotifier)."""
        ref = self.sent(sender, letter)
        assert ref is not None, letter.book_no
        accept_id = self.stores[sender].show(ref.id).letter.accept_id
        assert accept_id is not None, letter.book_no
        return int(accept_id)

    def receive_number(self, receiver: str, letter: Letter) -> int:
        """The registry number the receiver gave the letter in its own store."""
        ref = self.received(receiver, letter)
        assert ref is not None, letter.book_no
        number = self.stores[receiver].show(ref.id).letter.registry_no
        assert number is not None, letter.book_no
        return number

    def wait(self, what: str, probe: Callable[[], T | None], *, timeout: float = 60.0) -> T:
        """Poll ``probe`` until it gives something; fails with the logs after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = probe()
            if found:  # None, False and an empty list mean "not yet"
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {timeout} s\n{self.logs()}")
            time.sleep(0.1)

    def wait_state(
        self, name: str, letter: Letter, state: LetterState, *, timeout: float = 60.0
    ) -> LetterRef:
        def probe() -> LetterRef | None:
            ref = self.sent(name, letter)
            return ref if ref is not None and ref.state is state else None

        return self.wait(f"{name}'s letter {letter.book_no} to be {state.value}", probe, timeout=timeout)

    def wait_received(self, name: str, letter: Letter, *, timeout: float = 60.0) -> LetterRef:
        return self.wait(
            f"letter {letter.book_no} to arrive at {name}",
            lambda: self.received(name, letter),
            timeout=timeout,
        )
