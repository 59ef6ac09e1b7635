"""Two agencies (A = 2099000000, B = 2099100000) over one in-memory node, each with its own store and
keys, trusting each other: the runtime's parts, without sockets."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.engine import RetryPolicies, RetryPolicy, Store
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import LetterPackage, Party
from ecms_gateway.runtime.directory import DirectoryKeeper
from ecms_gateway.runtime.gateway import Gateway, GatewayParts
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.signing import KeyRef, OutboundSigner, PartnerPolicy, SigningConfig, Verifier, write_new_key
from tests.conftest import SAMPLES

T = TypeVar("T")
A, B, C = "2099000000", "2099100000", "2199000000"
NODE_URL = "http://127.0.0.1:8800/ecms-ws01/service2"
ORGS = (
    OrganizationInfo(en_name="Agency A", th_name="หน่วยงาน ก", ecms_url=NODE_URL, organization_id=A),
    OrganizationInfo(en_name="Agency B", th_name="หน่วยงาน ข", ecms_url=NODE_URL, organization_id=B),
    OrganizationInfo(en_name="Agency C", th_name="หน่วยงาน ค", ecms_url=None, organization_id=C),
)
FAST = RetryPolicies(default=RetryPolicy(base=timedelta(milliseconds=10), max_attempts=20))


def routing() -> RoutingTable:
    return RoutingTable(ORGS, source="test directory")


def letter(number: int = 1, *, sender: str = A, receiver: str = B, **changes: object) -> LetterPackage:
    base = load_letter_file(SAMPLES / "letters" / "letter-001.json")
    prefix = "ศธ 0990/" if sender == A else "ศธ 0991/"
    changed = base.letter.model_copy(
        update={
            "book_no": f"{prefix}{number}",
            "sender": Party(org_id=sender),
            "receiver": Party(org_id=receiver),
            **changes,
        }
    )
    return replace(base, letter=changed)


@dataclass
class Agency:
    org_id: str
    store: Store
    signing: SigningConfig
    folder: Path

    def signer(self) -> OutboundSigner:
        return OutboundSigner(self.signing)

    def verifier(self) -> Verifier:
        return Verifier(self.signing.trust_store(), self.signing.partner)


def agencies(tmp_path: Path, *, sign_notifiers: bool = True) -> dict[str, Agency]:
    """A and B with keys, each trusting the other's certificate."""
    certs = {org: write_new_key(org, tmp_path / org / "keys").cert for org in (A, B)}
    made = {}
    for org in (A, B):
        trust = tmp_path / org / "trust"
        for partner, cert in certs.items():
            if partner != org:
                (trust / "orgs" / partner).mkdir(parents=True)
                shutil.copy(cert, trust / "orgs" / partner / cert.name)
        signing = SigningConfig(
            keys={org: KeyRef(org_id=org, key=tmp_path / org / "keys" / f"{org}.key.pem", cert=certs[org])},
            trust_dir=trust,
            default_partner=PartnerPolicy(sign_notifiers=sign_notifiers),
        )
        store = Store(data_dir=tmp_path / org / "data", policies=FAST)
        made[org] = Agency(org_id=org, store=store, signing=signing, folder=tmp_path / org)
    return made


def gateway(agency: Agency, node: MemoryNode, *, auto_register: bool = False, **settings: object) -> Gateway:
    client = node.client(agency.org_id)
    options: dict[str, object] = {"idle_s": 0.02, "poll_interval_s": 0.02, "shutdown_grace_s": 2.0}
    options.update(settings)
    parts = GatewayParts(
        store=agency.store,
        nodes={agency.org_id: client},
        signer=agency.signer(),
        verifier=agency.verifier(),
        directory=DirectoryKeeper(data_dir=agency.folder / "data", node=client, node_url=NODE_URL),
        settings=RuntimeSettings(
            orgs=(ServedOrg(org_id=agency.org_id, node_url=NODE_URL, auto_register=auto_register),),
            **options,  # type: ignore[arg-type]
        ),
    )
    return Gateway(parts)


async def until(what: str, probe: Callable[[], T | None], *, timeout: float = 20.0) -> T:
    """Poll ``probe`` (in a thread: it may read a store) until it gives something."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await asyncio.to_thread(probe)
        if found:  # None, False and an empty list mean "not yet"
            return found
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.02)


async def running(gateways: list[Gateway], body: Callable[[], Awaitable[T]]) -> T:
    """Run ``body`` while the gateways run; stop them and wait for them afterwards."""
    tasks = [asyncio.create_task(g.run()) for g in gateways]
    try:
        return await body()
    finally:
        for g in gateways:
            g.stop()
        await asyncio.gather(*tasks)
