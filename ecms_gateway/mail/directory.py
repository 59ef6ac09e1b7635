"""Who has which saraban address: the directory's ``email`` per organisation, looked up both ways.

Read from the same JSON as the node's directory (``ecms_gateway/samples/directory.json``); only the
fields mail needs are read, and an organisation without an address simply cannot be written to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from ecms_gateway.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class MailContact:
    """One organisation as mail sees it."""

    org_id: str
    th_name: str
    email: str | None
    en_name: str | None = None


def normalize_address(address: str) -> str:
    """The comparison form of an address: the bare ``local@domain`` of ``Name <local@domain>``, the
    domain in lower case (local parts are compared as written, except that case is folded too: the
    government mail services treat them case-insensitively)."""
    bare = parseaddr(address)[1] or address
    return bare.strip().strip("<>").lower()


class MailDirectory:
    """Organisations by ID and by address; immutable once built."""

    def __init__(self, contacts: Iterable[MailContact]) -> None:
        self._by_org = {c.org_id: c for c in contacts}
        self._by_address = {normalize_address(c.email): c for c in self._by_org.values() if c.email}

    @property
    def contacts(self) -> tuple[MailContact, ...]:
        return tuple(self._by_org.values())

    def contact(self, org_id: str) -> MailContact | None:
        """The organisation ``org_id`` (10 digits) or the one whose department code it is (5 digits)."""
        wanted = org_id.strip()
        if len(wanted) == 5:
            wanted += "00000"
        return self._by_org.get(wanted)

    def address_of(self, org_id: str) -> str:
        """The central saraban address of ``org_id``; ``ConfigError`` when the directory has none."""
        contact = self.contact(org_id)
        if contact is None:
            raise ConfigError(
                f"organisation {org_id} is not in the directory; add it with its e-mail address"
            )
        if not contact.email:
            raise ConfigError(
                f"organisation {org_id} ({contact.th_name}) has no e-mail address in the directory; "
                "add its central saraban address (saraban@<agency>.go.th or <code>@saraban.mail.go.th)"
            )
        return contact.email

    def by_address(self, address: str) -> MailContact | None:
        """The organisation whose central address ``address`` is (any display name, any case)."""
        return self._by_address.get(normalize_address(address))


def directory_from_json(data: bytes | str, *, source: str = "directory") -> MailDirectory:
    """Read the ``organizations`` of a directory JSON document."""
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source} is not valid JSON: {exc}") from exc
    organizations = raw.get("organizations") if isinstance(raw, dict) else None
    if not isinstance(organizations, list):
        raise ConfigError(f"{source}: expected an object with an 'organizations' list")
    return MailDirectory(_contact(entry, index, source) for index, entry in enumerate(organizations))


def load_mail_directory(path: Path) -> MailDirectory:
    """Read a directory JSON file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the directory {path}: {exc.strerror}") from exc
    return directory_from_json(data, source=str(path))


def _contact(entry: Any, index: int, source: str) -> MailContact:
    where = f"{source}: organizations[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be an object")
    org_id, th_name, email = entry.get("id"), entry.get("th_name"), entry.get("email")
    if not isinstance(org_id, str) or len(org_id) != 10 or not org_id.isdigit():
        raise ConfigError(f"{where}.id must be a 10-digit organisation ID")
    if not isinstance(th_name, str) or not th_name.strip():
        raise ConfigError(f"{where}.th_name must be the organisation's Thai name")
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise ConfigError(f"{where}.email must be an e-mail address or null")
    en_name = entry.get("en_name")
    return MailContact(
        org_id=org_id, th_name=th_name, email=email, en_name=en_name if isinstance(en_name, str) else None
    )
