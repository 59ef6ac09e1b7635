"""Where a letter goes: the receiver's e-CMS node when the directory lists one, its saraban mailbox
otherwise. The directory (``GetOrganizationList`` or a directory file) is the routing table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.errors import InputError
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.model import DEPARTMENT_SUFFIX
from ecms_gateway.runtime.settings import ECMS, MAIL

MAIL_NOT_YET = (
    "no saraban mail channel is configured (the [mail] section of the configuration), so the letter "
    "waits in the store as a dead letter on channel mail"
)
"""Why a mail-routed letter waits: a fact, as stored with its work item (every face reads it)."""
MAIL_NOT_YET_HINT = (
    "configure [mail] and redrive it with `ecms-gateway retry {work}`, or send it on paper or by hand"
)
"""What to do about it, in the command line's words (``{work}``: the work item's id, or ID)."""

_DEPARTMENT_ID = re.compile("[0-9]{5}" + DEPARTMENT_SUFFIX)


def ecms_addressable(org: OrganizationInfo) -> bool:
    """False for an entry a letter cannot reach: on e-CMS (a node URL) under an ID that is not a
    department's (e-CMS carries a party as ministry and department codes only, so the codec refuses to
    build the message). A node's ``GetOrganizationList`` may hold such an entry; a directory file cannot.
    """
    return not org.ecms_url or _DEPARTMENT_ID.fullmatch(org.organization_id) is not None


@dataclass(frozen=True, kw_only=True)
class Route:
    """How to reach one organisation: ``channel`` ecms (``node_url`` set) or mail; ``why`` in words."""

    org_id: str
    channel: str
    node_url: str | None
    why: str


class DirectoryFrom(StrEnum):
    """Which source a routing table was read from."""

    FILE = "file"  # directory.file
    NODE = "node"  # the node's GetOrganizationList, just fetched
    CACHE = "cache"  # the node's answer as kept in the data folder, fetched earlier


@dataclass(frozen=True, kw_only=True)
class DirectoryOrigin:
    """Where a routing table came from, as data: ``RoutingTable.source`` says it in English for logs and
    errors; a face that shows it to a person (the web dashboard) words it in its reader's language."""

    kind: DirectoryFrom
    where: str  # the directory file's path, or the node's address
    fetched_at: datetime | None = None  # a cached copy: when the node gave it


class RoutingTable:
    """The organisations of the directory and their nodes; ``source`` says where it came from, in English,
    and ``origin`` the same as data (None when whoever built the table did not say)."""

    def __init__(
        self,
        organizations: Iterable[OrganizationInfo],
        *,
        source: str,
        origin: DirectoryOrigin | None = None,
    ) -> None:
        self._orgs: Mapping[str, OrganizationInfo] = MappingProxyType(
            {org.organization_id: org for org in organizations}
        )
        self.source = source
        self.origin = origin

    @property
    def organizations(self) -> tuple[OrganizationInfo, ...]:
        return tuple(self._orgs.values())

    def __len__(self) -> int:
        return len(self._orgs)

    def unaddressable(self) -> tuple[OrganizationInfo, ...]:
        """The entries no letter can reach over e-CMS (see ``ecms_addressable``)."""
        return tuple(org for org in self._orgs.values() if not ecms_addressable(org))

    def route(self, org_id: str) -> Route:
        """The route to ``org_id``; ``InputError`` when the directory does not know it."""
        entry = self._orgs.get(org_id)
        if entry is None:
            raise InputError(
                f"receiver {org_id} is not in the organisation directory ({self.source}); check the "
                "receiver's organisation ID (10 digits: department code + 00000) or refresh the directory",
                fault_code="routing.unknown_receiver",
                fault_params=fault_params("routing.unknown_receiver", org_id=org_id),
            )
        if entry.ecms_url:
            return Route(
                org_id=org_id,
                channel=ECMS,
                node_url=entry.ecms_url,
                why=f"{entry.th_name} ({org_id}) is on e-CMS at {entry.ecms_url}",
            )
        return Route(
            org_id=org_id,
            channel=MAIL,
            node_url=None,
            why=f"{entry.th_name} ({org_id}) has no e-CMS node, so it is reached at its saraban mailbox",
        )
