"""What the gateway runtime is told to do: the organisations it serves, its workers and their timing.

Built from the ``[ecms]``, ``[[organizations]]``, ``[directory]`` and ``[runtime]`` sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecms_gateway.config import GatewayConfig
from ecms_gateway.errors import ConfigError
from ecms_gateway.letter.model import DEPARTMENT_SUFFIX
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.mail.settings import DEFAULT_MAX_MESSAGE_BYTES
from ecms_gateway.xml.parser import DEFAULT_MAX_BYTES

ECMS = "ecms"
"""The channel of the e-CMS exchange (work items, inbox items, retry policy)."""
MAIL = "mail"
"""The channel of the saraban mailbox (e-mail), for receivers without an e-CMS node."""


@dataclass(frozen=True, kw_only=True)
class ServedOrg:
    """An organisation this gateway sends and receives for, and how it reaches its node."""

    org_id: str
    node_url: str
    auto_register: bool = False  # give the receive number as soon as a letter is recorded

    @property
    def department_id(self) -> str:
        return self.org_id[:5]


@dataclass(frozen=True, kw_only=True)
class RuntimeSettings:
    """The workers' shape and timing; times are in seconds."""

    orgs: tuple[ServedOrg, ...]
    outbound_workers: int = 4
    inbound_workers: int = 2
    idle_s: float = 1.0
    poll_interval_s: float = 30.0
    lease_s: float = 300.0
    shutdown_grace_s: float = 30.0
    directory_refresh_s: float = 3600.0
    secrecy: SecrecyPolicy = field(default_factory=SecrecyPolicy)
    xml_max_bytes: int = DEFAULT_MAX_BYTES
    """The largest e-CMS message the gateway reads or builds (``xml.max_bytes``)."""
    mail_max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    """The largest mail it sends or reads (``mail.max_message_bytes``)."""

    def served(self, org_id: str) -> ServedOrg | None:
        return next((org for org in self.orgs if org.org_id == org_id), None)

    @property
    def org_ids(self) -> frozenset[str]:
        return frozenset(org.org_id for org in self.orgs)


def runtime_settings(config: GatewayConfig) -> RuntimeSettings:
    """The runtime's settings; ``ConfigError`` when the configuration cannot run a gateway."""
    problems = []
    if not config.organizations:
        problems.append(
            "organizations: no organisation is configured; add an [[organizations]] section with the "
            "10-digit id of each organisation this gateway serves"
        )
    orgs = []
    for index, org in enumerate(config.organizations):
        if not org.id.endswith(DEPARTMENT_SUFFIX):
            problems.append(
                f"organizations[{index}].id: {org.id} is not a department's ID; e-CMS carries departments "
                f"only (the 5-digit department code followed by 00000): use {org.id[:5]}{DEPARTMENT_SUFFIX}"
            )
        url = org.node_url or config.ecms.node_url
        if url is None:
            problems.append(
                f"organizations[{index}].node_url: organisation {org.id} has no node URL; set ecms.node_url "
                "(the service URL of the agency's e-CMS node) or node_url in its section"
            )
            continue
        orgs.append(ServedOrg(org_id=org.id, node_url=url, auto_register=org.auto_register))
    for org in config.organizations:
        if org.id not in config.signing.keys:
            problems.append(
                f"signing.keys.{org.id}: organisation {org.id} sends letters and needs a signing key "
                f"(key and cert); `ecms-gateway keys new --org {org.id}` makes one for trials"
            )
    if problems:
        raise ConfigError("the gateway cannot start: " + "; ".join(problems))
    runtime = config.runtime
    return RuntimeSettings(
        orgs=tuple(orgs),
        outbound_workers=runtime.outbound_workers,
        inbound_workers=runtime.inbound_workers,
        idle_s=runtime.idle_seconds,
        poll_interval_s=config.ecms.poll_interval_seconds,
        lease_s=runtime.lease_seconds,
        shutdown_grace_s=runtime.shutdown_grace_seconds,
        directory_refresh_s=config.directory.refresh_minutes * 60,
        secrecy=config.secrecy_policy(),
        xml_max_bytes=config.xml.max_bytes,
        mail_max_bytes=DEFAULT_MAX_MESSAGE_BYTES if config.mail is None else config.mail.max_message_bytes,
    )
