"""What the gateway runtime is told to do: the organisations it serves, its workers and their timing.

Built from the ``[ecms]``, ``[[organizations]]``, ``[directory]`` and ``[runtime]`` sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from ecms_gateway.config import GatewayConfig
from ecms_gateway.errors import ConfigError
from ecms_gateway.letter.follow_up import FollowUpPolicy
from ecms_gateway.letter.model import DEPARTMENT_SUFFIX
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.mail.settings import DEFAULT_MAX_MESSAGE_BYTES
from ecms_gateway.runtime.channels import ECMS, MAIL
from ecms_gateway.xml.parser import DEFAULT_MAX_BYTES

# ECMS and MAIL too, where the runtime's modules have always found them.
__all__ = [
    "ECMS",
    "ENVELOPE_BYTES",
    "MAIL",
    "MB",
    "MessageLimits",
    "RuntimeSettings",
    "ServedOrg",
    "runtime_settings",
]


@dataclass(frozen=True, kw_only=True)
class ServedOrg:
    """An organisation this gateway sends and receives for, and how it reaches its node."""

    org_id: str
    node_url: str
    auto_register: bool = False  # give the receive number as soon as a letter is recorded

    @property
    def department_id(self) -> str:
        return self.org_id[:5]


MB: Final = 1024 * 1024
ENVELOPE_BYTES: Final = 1 * MB
"""What a message holds besides the files: the letter's XML, its signature, the SOAP or mail envelope."""


@dataclass(frozen=True, kw_only=True)
class MessageLimits:
    """The largest message each channel carries: ``xml.max_bytes`` (e-CMS) and
    ``mail.max_message_bytes`` (saraban mail)."""

    xml_max_bytes: int = DEFAULT_MAX_BYTES
    mail_max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES

    @classmethod
    def of(cls, config: GatewayConfig) -> MessageLimits:
        mail = DEFAULT_MAX_MESSAGE_BYTES if config.mail is None else config.mail.max_message_bytes
        return cls(xml_max_bytes=config.xml.max_bytes, mail_max_bytes=mail)

    def files_room(self, channel: str) -> int:
        """The bytes all files of one letter may have together on ``channel`` (whole megabytes): on
        e-CMS they travel Base64-encoded in the letter's XML (4/3); by mail twice, as attachments and
        inside the attached XML, each Base64-encoded by MIME once more (4/3 + 16/9 = 28/9)."""
        if channel == MAIL:
            return max(0, self.mail_max_bytes - ENVELOPE_BYTES) * 9 // 28 // MB * MB
        return max(0, self.xml_max_bytes - ENVELOPE_BYTES) * 3 // 4 // MB * MB


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
    limits: MessageLimits = field(default_factory=MessageLimits)
    follow_up: FollowUpPolicy = field(default_factory=FollowUpPolicy)

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
        follow_up=config.follow_up_policy(),
        limits=MessageLimits.of(config),
    )
