"""``ecms-gateway demo``: a node and two agencies on loopback, each with its own database and keys,
trusting each other; letter 001 goes from A to B and every step is printed as it happens.

The node and the gateways are child processes (``ecms-gateway node`` / ``ecms-gateway run`` with the
generated configurations); this process plays the clerks (it queues the letter at A and registers it
at B) and watches both stores.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO, TypeVar

from ecms_adapters.runtime.demo_logins import DemoLogins, create_demo_logins, describe
from ecms_adapters.runtime.layout import (
    AgencyOptions,
    Layout,
    LayoutOptions,
    sample_letters,
    write_layout,
)
from ecms_adapters.runtime.processes import Child, free_port, start_gateway, start_node, wait_for_port
from ecms_gateway.config import load_config
from ecms_gateway.engine import Direction, LetterRef, LetterState, Store
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import Letter
from ecms_gateway.runtime.control import wake_gateway
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.services import clerk
from ecms_gateway.services.convert import write_letter

_T = TypeVar("_T")
EXAMPLE_LETTER = "example-letter"  # beside A's gateway.toml: a letter folder to put into its outbox
EXAMPLE_BOOK_NO = "ศธ 0990/1235"
DELIVERED = frozenset({LetterState.DELIVERED, LetterState.ACCEPTED})
SENT = DELIVERED | {LetterState.SENT}


class DemoFailed(Exception):
    """A step did not happen in time; the message says which and where to look."""


@dataclass
class Demo:
    """One run of the demo in ``root`` (a new temporary folder when None)."""

    out: TextIO
    timeout_s: float = 60.0
    root: Path | None = None
    children: list[Child] = field(default_factory=list)
    stores: dict[str, Store] = field(default_factory=dict)
    logins: dict[str, DemoLogins] = field(default_factory=dict)
    _start: float = field(default_factory=time.monotonic)

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self._start:6.2f}s] {text}", file=self.out, flush=True)

    def set_up(self) -> Layout:
        root = self.root or Path(tempfile.mkdtemp(prefix="ecms-demo-"))
        self.root = root
        port = free_port()
        agencies = (
            AgencyOptions(name="A", org_id="2099000000", http_port=free_port()),
            AgencyOptions(name="B", org_id="2099100000", http_port=free_port()),
        )
        layout = write_layout(root, LayoutOptions(node_port=port, agencies=agencies, folders=True))
        self.say(f"folder {root}: directory, node data, agencies A and B (keys, trust, data, gateway.toml)")
        for name, agency in layout.agencies.items():
            config = load_config(agency.config)
            store = Store(data_dir=config.gateway.data_dir, policies=config.retry_policies())
            self.stores[name] = store
            self.logins[name] = create_demo_logins(store, agency=name)
        self.say("users clerk, operator and admin and an API key made at each agency (printed below)")
        write_example_letter(layout["A"].folder / EXAMPLE_LETTER)
        node = start_node(layout)
        self.children.append(node)
        wait_for_port(port, timeout=30, child=node)
        self.say(f"e-CMS node listening at {layout.node_url} (serves A=2099000000 and B=2099100000)")
        for name, agency in layout.agencies.items():
            self.children.append(start_gateway(agency))
            self.say(f"gateway {name} started for {agency.org_id} (log {agency.log})")
        return layout

    def run_letter(self, layout: Layout) -> int:
        """Letter 001 from A to B, through both notifiers; returns the receive number."""
        a, b = self.stores["A"], self.stores["B"]
        package = load_letter_file(sample_letters() / "letter-001.json")
        letter = package.letter
        submitted = clerk.submit(
            a,
            package,
            routing=table_from_file(layout.directory),
            secrecy=load_config(layout["A"].config).secrecy_policy(),
            actor="clerk:demo-A",
        )
        letter_id = submitted.letter_id
        self.say(f"queued at A: letter {letter_id} ({letter.book_no}, {letter.subject}) for B by e-CMS")
        wake_gateway(layout["A"].data_dir)
        sent = self._until("A to send the letter", lambda: self._in_state(a, letter, SENT))
        self.say(f"sent: A signed it and handed it to the node ({self._process_id(a, sent.id)})")
        inbound = self._until("the letter to arrive at B", lambda: find_letter_in(b, letter))
        self.say(f"received at B: letter {inbound.id}, signature verified against A's certificate")
        self._until("the ReceiveLetterNotifier to reach A", lambda: self._in_state(a, letter, DELIVERED))
        self.say("ReceiveLetterNotifier back at A: the letter is delivered")
        number = clerk.register(b, inbound.id, actor="clerk:demo-B")
        self.say(
            f"registered at B with receive number {number} (as `ecms-gateway register {inbound.id} "
            f"--config {layout['B'].config}` would)"
        )
        wake_gateway(layout["B"].data_dir)
        accepted = frozenset({LetterState.ACCEPTED})
        self._until("the AcceptLetterNotifier to reach A", lambda: self._in_state(a, letter, accepted))
        accept_id = a.show(letter_id).letter.accept_id
        self.say(f"AcceptLetterNotifier back at A with receive number {accept_id}: letter {letter_id} done")
        inbox = layout["B"].folder / "inbox"
        exported = self._until(
            "B to write the letter to its inbox folder",
            lambda: next((p for p in inbox.glob(f"{inbound.id}-*") if (p / "letter.json").is_file()), None),
        )
        self.say(f"B's inbox folder has it for an office system: {exported / 'letter.json'} and its files")
        return number

    def where_to_look(self, layout: Layout) -> None:
        a, b = layout["A"], layout["B"]
        lines = [
            "",
            "The node and both gateways keep running. Look around meanwhile:",
            f"  data folders     {a.data_dir}  and  {b.data_dir}",
            f"  logs             {layout.node_log}, {a.log}, {b.log}",
            f"  queues           ecms-gateway queue --state done --config {a.config}",
            f"                   ecms-gateway queue --state done --config {b.config}",
            f"  the letter       ecms-gateway show 1 --config {a.config}",
            f"                   ecms-gateway show 1 --config {b.config}",
            f"  send another     ecms-gateway send LETTER.json --config {a.config}",
            f"  or by folder     cp -r {a.folder / EXAMPLE_LETTER} {a.folder / 'outbox'}/ && "
            f"touch {a.folder / 'outbox' / EXAMPLE_LETTER / '.ready'}",
            f"                   (it arrives in {b.folder / 'inbox'}; the folders: docs/integration.md)",
            "",
            "Each gateway serves HTTP on this machine:",
        ]
        for index, (name, agency) in enumerate(layout.agencies.items()):
            if agency.http_url is not None:
                # Browsers keep cookies per host name, not per port: naming the second agency
                # "localhost" lets one browser stay signed in to both agencies' pages at once.
                url = agency.http_url if index == 0 else agency.http_url.replace("127.0.0.1", "localhost")
                lines += describe(name, agency.org_id, url, self.logins[name])
        lines.append("Ctrl-C stops the node and the gateways.")
        print("\n".join(lines), file=self.out, flush=True)

    def wait_forever(self) -> None:
        """Until Ctrl-C; a child that stops ends the demo with its log."""
        while True:
            for child in self.children:
                if not child.alive():
                    raise DemoFailed(f"{child.name} stopped:\n{child.tail()}")
            time.sleep(0.5)

    def tear_down(self, *, keep: bool) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        for store in self.stores.values():
            store.close()
        self.stores.clear()
        if self.root is not None and not keep:
            shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------ watching

    def _until(self, what: str, probe: Callable[[], _T | None]) -> _T:
        deadline = self._start + self.timeout_s
        while time.monotonic() < deadline:
            for child in self.children:
                if not child.alive():
                    raise DemoFailed(f"{child.name} stopped while waiting for {what}:\n{child.tail()}")
            found = probe()
            if found is not None:
                return found
            time.sleep(0.05)
        logs = "\n".join(f"--- {c.name} ({c.log})\n{c.tail(8)}" for c in self.children)
        raise DemoFailed(f"{what} did not happen within {self.timeout_s:.0f} s of the start\n{logs}")

    def _in_state(self, store: Store, letter: Letter, states: frozenset[LetterState]) -> LetterRef | None:
        found = store.find_letter(direction=Direction.OUT, book_no=letter.book_no, letter_date=letter.date)
        return found if found is not None and found.state in states else None

    def _process_id(self, store: Store, letter_id: int) -> str:
        sent = [h for h in store.show(letter_id).history if h.action == "letter.sent"]
        return sent[-1].reason or "sent" if sent else "sent"


def write_example_letter(folder: Path) -> None:
    """A letter folder for A's outbox: sample letter 001 under another book number (the same one would
    be refused as sent already), its files beside it, no ``.ready`` yet."""
    package = load_letter_file(sample_letters() / "letter-001.json")
    letter = package.letter.model_copy(update={"book_no": EXAMPLE_BOOK_NO})
    write_letter(replace(package, letter=letter), folder / "letter.json")


def find_letter_in(store: Store, letter: Letter) -> LetterRef | None:
    return store.find_letter(direction=Direction.IN, book_no=letter.book_no, letter_date=letter.date)
