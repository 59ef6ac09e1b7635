"""The receiver picker's data: the directory's organisations, searched by Thai or English name or code.

The compose page lists every organisation in a ``<select>`` (works without JavaScript); the script
turns it into a search box that asks ``/orgs?q=`` as the clerk types.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response

from ecms_adapters.web.context import Page
from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.letter.thai import to_arabic_digits
from ecms_gateway.runtime.routing import RoutingTable, ecms_addressable

MAX_RESULTS = 20
_INDEX: weakref.WeakKeyDictionary[RoutingTable, dict[str, OrganizationInfo]] = weakref.WeakKeyDictionary()


def lookup(table: RoutingTable | None, org_id: str) -> OrganizationInfo | None:
    """One organisation of the directory by id (indexed once per loaded table)."""
    if table is None:
        return None
    index = _INDEX.get(table)
    if index is None:
        index = {org.organization_id: org for org in table.organizations}
        _INDEX[table] = index
    return index.get(org_id)


@dataclass(frozen=True, kw_only=True)
class OrgChoice:
    org_id: str
    th_name: str
    en_name: str
    channel: str  # "ecms" or "mail": how a letter would travel

    @property
    def label(self) -> str:
        return (
            f"{self.th_name} ({self.en_name}) {self.org_id}"
            if self.en_name
            else f"{self.th_name} {self.org_id}"
        )


def choices(table: RoutingTable | None) -> list[OrgChoice]:
    if table is None:
        return []
    out = [
        OrgChoice(
            org_id=org.organization_id,
            th_name=org.th_name,
            en_name=org.en_name,
            channel="ecms" if org.ecms_url else "mail",
        )
        for org in table.organizations
        if ecms_addressable(org)  # letters to it are refused at submission
    ]
    return sorted(out, key=lambda c: (c.th_name, c.org_id))


def search(items: list[OrgChoice], query: str) -> list[OrgChoice]:
    """Every word of ``query`` in the Thai name, the English name or the code (Thai digits allowed)."""
    words = to_arabic_digits(query).casefold().split()
    if not words:
        return items[:MAX_RESULTS]
    found = []
    for item in items:
        haystack = f"{item.th_name} {item.en_name} {item.org_id}".casefold()
        if all(word in haystack for word in words):
            found.append(item)
            if len(found) == MAX_RESULTS:
                break
    return found


async def orgs(page: Page) -> Response:
    items = search(choices(page.services.routing()), page.request.query_params.get("q", ""))
    return JSONResponse(
        [{"id": c.org_id, "label": c.label, "channel": c.channel} for c in items],
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
