"""A node and agencies on loopback, laid out in one folder: the directory (with the node's real URL),
each agency's keys, trust store (trusting every other agency), data folder and gateway configuration.

Used by ``ecms-gateway demo`` and by the end-to-end tests; ``write_layout`` only writes files.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ecms_gateway.node.options import SERVICE_PATH
from ecms_gateway.signing import write_new_key

SAMPLE_NODE_URL = "http://127.0.0.1:8800" + SERVICE_PATH


def sample_directory() -> dict[str, Any]:
    """The sample directory shipped with the package (A = 2099000000, B = 2099100000)."""
    text = resources.files("ecms_gateway").joinpath("samples/directory.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def sample_letters() -> Path:
    return Path(str(resources.files("ecms_gateway").joinpath("samples/letters")))


@dataclass(frozen=True, kw_only=True)
class AgencyOptions:
    name: str  # "A", "B": the folder's name
    org_id: str
    auto_register: bool = False
    http_port: int | None = None  # serve the REST API (and the other HTTP faces) on 127.0.0.1:port


@dataclass(frozen=True, kw_only=True)
class LayoutOptions:
    """The shape of the set-up; ``client_url`` lets gateways reach the node through another address
    (a proxy) while the directory names the node's own URL."""

    node_port: int
    agencies: tuple[AgencyOptions, ...] = (
        AgencyOptions(name="A", org_id="2099000000"),
        AgencyOptions(name="B", org_id="2099100000"),
    )
    client_url: str | None = None
    poll_interval_s: float = 0.5
    idle_s: float = 0.2
    retry_base_s: float = 1.0
    retry_cap_s: float = 30.0
    max_attempts: int = 12
    outbound_workers: int = 4
    inbound_workers: int = 2
    shutdown_grace_s: float = 5.0
    lease_s: float = 300.0
    sign_notifiers: bool = True
    folders: bool = False  # each agency's watched folders: <agency>/outbox and <agency>/inbox
    extra_toml: str = ""

    @property
    def node_url(self) -> str:
        return f"http://127.0.0.1:{self.node_port}{SERVICE_PATH}"


@dataclass(frozen=True, kw_only=True)
class Agency:
    name: str
    org_id: str
    folder: Path
    config: Path
    data_dir: Path
    log: Path
    http_port: int | None = None

    @property
    def http_url(self) -> str | None:
        return None if self.http_port is None else f"http://127.0.0.1:{self.http_port}"


@dataclass(frozen=True, kw_only=True)
class Layout:
    root: Path
    node_url: str
    node_port: int
    directory: Path
    node_data: Path
    node_log: Path
    agencies: dict[str, Agency] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Agency:
        return self.agencies[name]


def write_layout(root: Path, options: LayoutOptions) -> Layout:
    """Write the directory, keys, trust stores and configurations under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    directory = sample_directory()
    for org in directory["organizations"]:
        if org.get("ecms_url") == SAMPLE_NODE_URL:
            org["ecms_url"] = options.node_url
    directory_path = root / "directory.json"
    directory_path.write_text(json.dumps(directory, ensure_ascii=False, indent=1), encoding="utf-8")
    certs = {}
    for agency in options.agencies:
        files = write_new_key(agency.org_id, root / agency.name / "keys")
        certs[agency.org_id] = files.cert
    agencies = {}
    for agency in options.agencies:
        folder = root / agency.name
        for partner, cert in certs.items():
            if partner != agency.org_id:
                pinned = folder / "trust" / "orgs" / partner
                pinned.mkdir(parents=True, exist_ok=True)
                shutil.copy(cert, pinned / cert.name)
        (folder / "trust" / "ca").mkdir(parents=True, exist_ok=True)
        config = folder / "gateway.toml"
        config.write_text(gateway_toml(agency, options), encoding="utf-8")
        agencies[agency.name] = Agency(
            name=agency.name,
            org_id=agency.org_id,
            folder=folder,
            config=config,
            data_dir=folder / "data",
            log=root / f"{agency.name}.log",
            http_port=agency.http_port,
        )
    return Layout(
        root=root,
        node_url=options.node_url,
        node_port=options.node_port,
        directory=directory_path,
        node_data=root / "node",
        node_log=root / "node.log",
        agencies=agencies,
    )


def gateway_toml(agency: AgencyOptions, options: LayoutOptions) -> str:
    client = options.client_url or options.node_url
    org = agency.org_id
    return f"""# Gateway of agency {agency.name} ({org}), written by ecms-gateway demo.
[gateway]
data_dir = "data"

[ecms]
node_url = "{client}"
poll_interval_seconds = {options.poll_interval_s}
connect_timeout_seconds = 5
read_timeout_seconds = 30

[[organizations]]
id = "{org}"
auto_register = {str(agency.auto_register).lower()}
# One node serves both agencies: ?org= says which one is calling.
node_url = "{client}?org={org}"

[signing]
trust_dir = "trust"

[signing.keys.{org}]
key = "keys/{org}.key.pem"
cert = "keys/{org}.cert.pem"

[signing.default_partner]
sign_notifiers = {str(options.sign_notifiers).lower()}

[retry.default]
base_seconds = {options.retry_base_s}
cap_seconds = {options.retry_cap_s}
max_attempts = {options.max_attempts}

[runtime]
outbound_workers = {options.outbound_workers}
inbound_workers = {options.inbound_workers}
idle_seconds = {options.idle_s}
shutdown_grace_seconds = {options.shutdown_grace_s}
lease_seconds = {options.lease_s}
{_http_toml(agency)}{_folders_toml(options)}{options.extra_toml}"""


def _folders_toml(options: LayoutOptions) -> str:
    if not options.folders:
        return ""
    return """
[folders]
outbox = "outbox"
inbox = "inbox"
scan_seconds = 1
"""


def _http_toml(agency: AgencyOptions) -> str:
    if agency.http_port is None:
        return ""
    return f"""
[http]
host = "127.0.0.1"
port = {agency.http_port}
"""
