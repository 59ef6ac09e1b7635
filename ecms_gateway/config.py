"""The gateway's configuration: one TOML file, typed, validated at start with errors that name the key.

Relative paths are relative to the configuration file's folder. Secrets stay out of the file:
``ECMS_GATEWAY_DATABASE_URL`` overrides ``gateway.database_url`` and key passphrases are read from the
environment variable or file that each key names (never from the command line).
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from ecms_gateway.config_paths import file_problems, resolve_paths
from ecms_gateway.engine.retry import RetryPolicies, RetryPolicy
from ecms_gateway.errors import ConfigError
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.follow_up import DEFAULT_HOURS, FollowUpPolicy
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.logs import LogFormat, LogLevel
from ecms_gateway.mail.settings import (
    DEFAULT_MAX_MESSAGE_BYTES,
    AfterCommit,
    FirstScan,
    ImapSettings,
    MailPartner,
    MailSettings,
    ServerLogin,
    SmtpSettings,
    TlsMode,
)
from ecms_gateway.signing.config import PartnerPolicy, SigningConfig, UnsignedPolicy
from ecms_gateway.signing.keys import KeyRef
from ecms_gateway.store.location import DATABASE_URL_ENV
from ecms_gateway.xml.limits import DEFAULT_MAX_BYTES, XmlLimits


def _org_id(value: str) -> str:
    if len(value) != 10 or not value.isdigit():
        raise PydanticCustomError("org_id", "'{value}' is not a 10-digit organisation ID", {"value": value})
    return value


def _no_top_secret(value: list[Secrecy]) -> list[Secrecy]:
    if Secrecy.TOP_SECRET in value:
        raise PydanticCustomError(
            "top_secret", "top_secret can never be allowed: the regulation forbids sending it electronically"
        )
    return value


RETRY_CHANNELS: Final = ("default", "ecms", "mail", "webhook")
"""The ``[retry.<name>]`` sections a gateway reads: the default and each channel's."""


def _retry_channels(value: dict[str, RetrySection]) -> dict[str, RetrySection]:
    unknown = sorted(set(value) - set(RETRY_CHANNELS))
    if unknown:
        raise PydanticCustomError(
            "retry_channel",
            "[retry.{names}] is not read by the gateway: a retry section is one of {known}",
            {"names": ", ".join(unknown), "known": ", ".join(f"[retry.{c}]" for c in RETRY_CHANNELS)},
        )
    return value


def _node_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value.split("/", 3)) < 4:
        raise PydanticCustomError(
            "node_url",
            "'{value}' is not a node URL: write http(s)://host[:port]/ecms-ws01/service2",
            {"value": value},
        )
    return value


OrgId = Annotated[str, AfterValidator(_org_id)]
NodeUrl = Annotated[str, AfterValidator(_node_url)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GatewaySection(_Section):
    data_dir: Path = Path("var")
    database_url: str | None = None


class XmlSection(_Section):
    max_bytes: PositiveInt = DEFAULT_MAX_BYTES


class PolicySection(_Section):
    electronic_secrecy: Annotated[list[Secrecy], AfterValidator(_no_top_secret)] = Field(
        default_factory=lambda: [Secrecy.NORMAL]
    )


class KeySection(_Section):
    key: Path
    cert: Path
    passphrase_env: str | None = None
    passphrase_file: Path | None = None


class PartnerSection(_Section):
    legacy: bool = False
    unsigned: UnsignedPolicy = UnsignedPolicy.REJECT
    unsigned_notifiers: UnsignedPolicy = UnsignedPolicy.ACCEPT_AND_FLAG
    sign_notifiers: bool = False

    def policy(self) -> PartnerPolicy:
        return PartnerPolicy(
            legacy=self.legacy,
            unsigned=self.unsigned,
            unsigned_notifiers=self.unsigned_notifiers,
            sign_notifiers=self.sign_notifiers,
        )


class SigningSection(_Section):
    trust_dir: Path | None = None
    keys: dict[OrgId, KeySection] = Field(default_factory=dict)
    default_partner: PartnerSection = Field(default_factory=PartnerSection)
    partners: dict[OrgId, PartnerSection] = Field(default_factory=dict)


class RetrySection(_Section):
    base_seconds: PositiveFloat = 10
    cap_seconds: PositiveFloat = 3600
    max_attempts: PositiveInt = 12
    max_age_hours: PositiveInt = 72

    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            base=timedelta(seconds=self.base_seconds),
            cap=timedelta(seconds=self.cap_seconds),
            max_attempts=self.max_attempts,
            max_age=timedelta(hours=self.max_age_hours),
        )


class EcmsSection(_Section):
    """How the gateway reaches its own e-CMS node."""

    node_url: NodeUrl | None = None
    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    connect_timeout_seconds: PositiveFloat = 10
    read_timeout_seconds: PositiveFloat = 60
    # Below the idle timeouts servers commonly use (5 s: uvicorn, Node.js, Apache httpd; 2 s:
    # gunicorn), so an idle connection is dropped before the node closes it under a request.
    keepalive_expiry_seconds: PositiveFloat = 2
    max_connections: PositiveInt = 10
    poll_interval_seconds: PositiveFloat = 30


class OrganizationSection(_Section):
    """One organisation this gateway sends and receives for."""

    id: OrgId
    auto_register: bool = False
    node_url: NodeUrl | None = None


class DirectorySection(_Section):
    """Where the routing table comes from: a file, or the node's GetOrganizationList."""

    file: Path | None = None
    refresh_minutes: PositiveFloat = 60


class FollowUpSection(_Section):
    """Hours a receiver has, by the letter's speed, to register a letter we sent before the clerk is
    told to follow it up (``letter/follow_up.py``)."""

    most_urgent_hours: PositiveFloat = DEFAULT_HOURS[Speed.MOST_URGENT]
    very_urgent_hours: PositiveFloat = DEFAULT_HOURS[Speed.VERY_URGENT]
    urgent_hours: PositiveFloat = DEFAULT_HOURS[Speed.URGENT]
    normal_hours: PositiveFloat = DEFAULT_HOURS[Speed.NORMAL]


class RuntimeSection(_Section):
    """The workers of ``ecms-gateway run``."""

    outbound_workers: PositiveInt = 4
    inbound_workers: PositiveInt = 2
    threads: PositiveInt | None = None
    idle_seconds: PositiveFloat = 1
    lease_seconds: PositiveFloat = 300
    shutdown_grace_seconds: PositiveFloat = 30


class HttpSection(_Section):
    """The HTTP server of ``ecms-gateway run``: the REST API, /docs, health checks (and the faces
    other sections add). Present means served; ``enabled = false`` turns it off without deleting it."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8480
    max_request_mb: PositiveFloat = 64
    access_log: bool = False
    forwarded_allow_ips: str = "127.0.0.1"

    @property
    def max_request_bytes(self) -> int:
        return int(self.max_request_mb * 1024 * 1024)


class MailServerSection(_Section):
    host: str
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    timeout_seconds: PositiveFloat = 60
    allow_insecure: bool = False

    def login(self) -> ServerLogin | None:
        if self.username is None:
            return None
        return ServerLogin(
            username=self.username, password_env=self.password_env, password_file=self.password_file
        )


class MailSmtpSection(MailServerSection):
    """The SMTP (submission) server the gateway sends through."""

    port: PositiveInt = 587
    tls: TlsMode = TlsMode.STARTTLS
    local_hostname: str | None = None


class MailImapSection(MailServerSection):
    """The IMAP mailbox the gateway reads (our central saraban address)."""

    username: str  # required for IMAP
    port: PositiveInt = 993
    tls: TlsMode = TlsMode.IMPLICIT
    mailbox: str = "INBOX"
    after_commit: AfterCommit = AfterCommit.FLAG_SEEN
    processed_folder: str = "Processed"
    use_idle: bool = True
    poll_seconds: PositiveFloat = 60
    batch_size: PositiveInt = 20
    first_scan: FirstScan = FirstScan.ALL
    checkpoint_file: Path | None = None  # default <data_dir>/mail-checkpoint.json


class MailPartnerSection(_Section):
    smime: bool = False


class MailSection(_Section):
    """The saraban mail channel: absent, letters routed to a mailbox wait as dead letters."""

    org_id: OrgId | None = None
    address: str
    display_name: str | None = None
    message_id_domain: str | None = None
    max_message_bytes: PositiveInt = DEFAULT_MAX_MESSAGE_BYTES
    smtp: MailSmtpSection
    imap: MailImapSection | None = None
    smime_key: KeySection | None = None
    default_partner: MailPartnerSection = Field(default_factory=MailPartnerSection)
    partners: dict[OrgId, MailPartnerSection] = Field(default_factory=dict)


class LoggingSection(_Section):
    """How ``ecms-gateway run`` writes its log lines (to standard error)."""

    format: LogFormat = LogFormat.TEXT
    level: LogLevel = LogLevel.INFO


# ---------------------------------------------------------------- webhooks and watched folders


class WebhooksSection(_Section):
    """How ``ecms-gateway run`` POSTs letter events to registered webhooks (retries: [retry.webhook])."""

    timeout_seconds: PositiveFloat = 10
    connect_timeout_seconds: PositiveFloat = 5
    max_connections: PositiveInt = 10
    poll_seconds: PositiveFloat = 1
    ca_file: Path | None = None


class ExportWhen(StrEnum):
    """When a received letter is written to the inbox folder."""

    RECORDED = "recorded"  # as soon as it is recorded (state received)
    REGISTERED = "registered"  # once a clerk registered it (with its receive number)


class InboxStart(StrEnum):
    """Where the inbox folder export starts the first time it runs."""

    NOW = "now"  # only letters received from then on
    BEGINNING = "beginning"  # every received letter in the store


class FoldersSection(_Section):
    """Watched folders for file-based back-office systems (docs/integration.md)."""

    outbox: Path | None = None
    inbox: Path | None = None
    scan_seconds: PositiveFloat = 5
    ready_marker: bool = True
    export_when: ExportWhen = ExportWhen.RECORDED
    inbox_start: InboxStart = InboxStart.NOW


class GatewayConfig(_Section):
    """The whole configuration; every section and key is optional and has a safe default."""

    gateway: GatewaySection = Field(default_factory=GatewaySection)
    xml: XmlSection = Field(default_factory=XmlSection)
    policy: PolicySection = Field(default_factory=PolicySection)
    signing: SigningSection = Field(default_factory=SigningSection)
    retry: Annotated[dict[str, RetrySection], AfterValidator(_retry_channels)] = Field(default_factory=dict)
    ecms: EcmsSection = Field(default_factory=EcmsSection)
    organizations: list[OrganizationSection] = Field(default_factory=list)
    directory: DirectorySection = Field(default_factory=DirectorySection)
    runtime: RuntimeSection = Field(default_factory=RuntimeSection)
    follow_up: FollowUpSection = Field(default_factory=FollowUpSection)
    mail: MailSection | None = None
    http: HttpSection | None = None
    logging: LoggingSection = Field(default_factory=LoggingSection)
    webhooks: WebhooksSection = Field(default_factory=WebhooksSection)
    folders: FoldersSection = Field(default_factory=FoldersSection)

    @model_validator(mode="after")
    def _organizations_once(self) -> GatewayConfig:
        ids = [org.id for org in self.organizations]
        twice = sorted({org for org in ids if ids.count(org) > 1})
        if twice:
            raise PydanticCustomError(
                "duplicate_org",
                "organizations: {orgs} listed more than once; give each organisation one [[organizations]]",
                {"orgs": ", ".join(twice)},
            )
        return self

    def organization(self, org_id: str) -> OrganizationSection | None:
        """The ``[[organizations]]`` entry of ``org_id``, if this gateway serves it."""
        return next((org for org in self.organizations if org.id == org_id), None)

    @property
    def database_url(self) -> str | None:
        return os.environ.get(DATABASE_URL_ENV) or self.gateway.database_url

    def xml_limits(self) -> XmlLimits:
        return XmlLimits(max_bytes=self.xml.max_bytes)

    def follow_up_policy(self) -> FollowUpPolicy:
        section = self.follow_up
        hours = {
            Speed.MOST_URGENT: section.most_urgent_hours,
            Speed.VERY_URGENT: section.very_urgent_hours,
            Speed.URGENT: section.urgent_hours,
            Speed.NORMAL: section.normal_hours,
        }
        return FollowUpPolicy(hours=hours)

    def secrecy_policy(self) -> SecrecyPolicy:
        return SecrecyPolicy(allowed=frozenset(self.policy.electronic_secrecy))

    def retry_policies(self) -> RetryPolicies:
        default = self.retry.get("default", RetrySection()).policy()
        channels = {name: section.policy() for name, section in self.retry.items() if name != "default"}
        return RetryPolicies(default=default, per_channel=channels)

    def mail_settings(self) -> MailSettings | None:
        """The mail channel's settings (checked), or None without a ``[mail]`` section; ``ConfigError``
        naming the key when they cannot work."""
        section = self.mail
        if section is None:
            return None
        org_id = section.org_id
        if org_id is None:
            if len(self.organizations) != 1:
                raise ConfigError(
                    "mail.org_id: name the organisation whose saraban address mail.address is (this "
                    "gateway serves several, or none)"
                )
            org_id = self.organizations[0].id
        smtp = section.smtp
        imap = section.imap
        smime = section.smime_key
        settings = MailSettings(
            org_id=org_id,
            address=section.address,
            smime_key=None
            if smime is None
            else KeyRef(
                org_id=org_id,
                key=smime.key,
                cert=smime.cert,
                passphrase_env=smime.passphrase_env,
                passphrase_file=smime.passphrase_file,
            ),
            default_partner=MailPartner(smime=section.default_partner.smime),
            partners={org: MailPartner(smime=partner.smime) for org, partner in section.partners.items()},
            display_name=section.display_name,
            message_id_domain=section.message_id_domain,
            max_message_bytes=section.max_message_bytes,
            smtp=SmtpSettings(
                host=smtp.host,
                port=smtp.port,
                tls=smtp.tls,
                login=smtp.login(),
                ca_file=smtp.ca_file,
                timeout_seconds=smtp.timeout_seconds,
                local_hostname=smtp.local_hostname,
                allow_insecure=smtp.allow_insecure,
            ),
            imap=None
            if imap is None
            else ImapSettings(
                host=imap.host,
                port=imap.port,
                tls=imap.tls,
                login=ServerLogin(
                    username=imap.username, password_env=imap.password_env, password_file=imap.password_file
                ),
                ca_file=imap.ca_file,
                timeout_seconds=imap.timeout_seconds,
                mailbox=imap.mailbox,
                after_commit=imap.after_commit,
                processed_folder=imap.processed_folder,
                use_idle=imap.use_idle,
                poll_seconds=imap.poll_seconds,
                batch_size=imap.batch_size,
                first_scan=imap.first_scan,
                checkpoint_file=imap.checkpoint_file or self.gateway.data_dir / "mail-checkpoint.json",
                allow_insecure=imap.allow_insecure,
            ),
        )
        settings.check()
        return settings

    def signing_config(self) -> SigningConfig:
        section = self.signing
        keys = {
            org: KeyRef(
                org_id=org,
                key=key.key,
                cert=key.cert,
                passphrase_env=key.passphrase_env,
                passphrase_file=key.passphrase_file,
            )
            for org, key in section.keys.items()
        }
        return SigningConfig(
            keys=keys,
            trust_dir=section.trust_dir,
            partners={org: partner.policy() for org, partner in section.partners.items()},
            default_partner=section.default_partner.policy(),
        )


def load_config(path: Path) -> GatewayConfig:
    """Read, validate and resolve ``path``; ``ConfigError`` lists every problem with its key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text") from exc
    return config_from_mapping(raw, base=path.parent, source=str(path))


def config_from_mapping(
    raw: Mapping[str, Any], *, base: Path, source: str = "configuration"
) -> GatewayConfig:
    """Validate a parsed configuration; relative paths are taken from ``base``."""
    try:
        config = GatewayConfig.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems = [_describe(err) for err in errors]
        problems += _file_problems_besides(raw, [err["loc"] for err in errors], base)
        raise ConfigError(f"{source}: " + "; ".join(problems)) from exc
    config = resolve_paths(config, base)
    problems = file_problems(config)
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return config


def _file_problems_besides(
    raw: Mapping[str, Any], faulty: list[tuple[str | int, ...]], base: Path
) -> list[str]:
    """The files and folders the configuration names that are not there, found with the faulty keys
    left out, so that one run names every problem (a typo'd key and a missing key file together);
    nothing when the configuration is not valid even without them (a required key missing)."""
    pruned = copy.deepcopy(dict(raw))
    for loc in faulty:
        _remove_at(pruned, loc)
    try:
        config = GatewayConfig.model_validate(pruned)
    except ValidationError:
        return []
    return file_problems(resolve_paths(config, base))


def _remove_at(tree: Any, loc: tuple[str | int, ...]) -> None:
    for step in loc[:-1]:
        inside = isinstance(tree, dict) and step in tree
        inside |= isinstance(tree, list) and isinstance(step, int) and 0 <= step < len(tree)
        if not inside:
            return
        tree = tree[step]
    if loc and isinstance(tree, dict):
        tree.pop(loc[-1], None)


def _describe(err: ErrorDetails) -> str:
    key = ".".join(str(part) for part in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"{key}: is not a configuration key (see config/gateway.example.toml)"
    if err["type"] == "missing":
        return f"{key}: is required"
    return f"{key}: {err['msg']}" if key else str(err["msg"])
