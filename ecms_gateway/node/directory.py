"""The directory a node serves: ministries, organisations with the URL of their node (the routing
table), and the secret, speed and MIME code tables; read from a JSON file such as
``ecms_gateway/samples/directory.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from ecms_gateway.codec import CodeValue, MimeCode, MinistryInfo, OrganizationInfo
from ecms_gateway.errors import ConfigError

_DEFAULT_PORTS = {"http": 80, "https": 443}


def node_key(url: str) -> str:
    """The comparison form of a node URL: scheme and host in lower case, no default port, no trailing
    slash, no query (``?org=`` names an organisation at the node, not another node)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def department_of(code: str) -> str:
    """The 5-digit department of a department code or a 10-digit organisation ID."""
    return code.strip()[:5]


def org_of(department: str) -> str:
    """The 10-digit organisation ID of a department (the code followed by 00000)."""
    return department_of(department) + "00000"


@dataclass(frozen=True, kw_only=True)
class Directory:
    """What ``GetMinistryOrganizationList``, ``GetOrganizationList`` and the code lists answer."""

    ministries: tuple[MinistryInfo, ...]
    organizations: tuple[OrganizationInfo, ...]
    secret_codes: tuple[CodeValue, ...]
    speed_codes: tuple[CodeValue, ...]
    mime_codes: tuple[MimeCode, ...]

    def organization(self, org_id: str) -> OrganizationInfo | None:
        """The entry of an organisation, by its ID or its department code."""
        wanted = org_of(org_id)
        return next((o for o in self.organizations if o.organization_id == wanted), None)

    def served_by(self, node_url: str) -> tuple[OrganizationInfo, ...]:
        """The organisations whose node is ``node_url``."""
        key = node_key(node_url)
        return tuple(o for o in self.organizations if o.ecms_url and node_key(o.ecms_url) == key)

    def node_for(self, url: str) -> str | None:
        """The directory's spelling of the node ``url`` names, or None when no organisation uses it."""
        key = node_key(url)
        return next(
            (o.ecms_url for o in self.organizations if o.ecms_url and node_key(o.ecms_url) == key), None
        )


# ---------------------------------------------------------------- the file

_OrgId = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}00000$")]
_MinistryId = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
_Text = Annotated[str, StringConstraints(min_length=1)]
_Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+/\S*$")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)


class _Ministry(_Model):
    id: _MinistryId
    th_name: _Text


class _Organization(_Model):
    id: _OrgId
    th_name: _Text
    en_name: _Text
    ecms_url: _Url | None = None


class _Code(_Model):
    value: _Text
    description: _Text


class _Mime(_Model):
    extension: _Text
    content_type: _Text


class _DirectoryFile(_Model):
    ministries: tuple[_Ministry, ...]
    organizations: tuple[_Organization, ...]
    secret_codes: tuple[_Code, ...]
    speed_codes: tuple[_Code, ...]
    mime_codes: tuple[_Mime, ...]


def load_directory(path: Path) -> Directory:
    """Read a directory file; ``ConfigError`` names every fault with its place in the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"directory file {path}: cannot read it ({exc.strerror or exc})") from exc
    try:
        parsed = _DirectoryFile.model_validate_json(raw)
    except ValidationError as exc:
        faults = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'top level'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"directory file {path} has faults: {faults}") from exc
    _refuse_repeats(path, parsed.organizations)
    return Directory(
        ministries=tuple(MinistryInfo(th_name=m.th_name, ministry_id=m.id) for m in parsed.ministries),
        organizations=tuple(
            OrganizationInfo(en_name=o.en_name, th_name=o.th_name, ecms_url=o.ecms_url, organization_id=o.id)
            for o in parsed.organizations
        ),
        secret_codes=tuple(CodeValue(value=c.value, description=c.description) for c in parsed.secret_codes),
        speed_codes=tuple(CodeValue(value=c.value, description=c.description) for c in parsed.speed_codes),
        mime_codes=tuple(
            MimeCode(extension=m.extension, content_type=m.content_type) for m in parsed.mime_codes
        ),
    )


def _refuse_repeats(path: Path, organizations: tuple[_Organization, ...]) -> None:
    """One entry per organisation: the first of two was taken for routing and the second shown as well."""
    first: dict[str, int] = {}
    faults = []
    for index, organization in enumerate(organizations):
        seen = first.setdefault(organization.id, index)
        if seen != index:
            faults.append(
                f"organizations.{index}.id: {organization.id} is listed already (organizations.{seen})"
            )
    if faults:
        raise ConfigError(f"directory file {path} has faults: {'; '.join(faults)}; keep one entry each")
