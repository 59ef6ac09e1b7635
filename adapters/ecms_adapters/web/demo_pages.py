"""The demo's web pages: an ``[http]`` section for each agency's gateway and demo logins (a clerk and
an operator per agency, one fresh password per run), and the lines that tell the user where to go."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ecms_adapters.runtime.layout import Layout
from ecms_adapters.runtime.processes import free_port
from ecms_gateway.access import Role
from ecms_gateway.engine import Store

DEMO_USERS = (("clerk", Role.CLERK), ("operator", Role.OPERATOR))


@dataclass(frozen=True, kw_only=True)
class DemoSite:
    name: str
    org_id: str
    url: str
    password: str


def add_pages(layout: Layout, stores: dict[str, Store]) -> list[DemoSite]:
    """Serve each agency's pages on a free port and add its demo users (before the gateways start).

    A is named 127.0.0.1 and B localhost: browsers keep cookies per host name, not per port, so
    both agencies can be open in one browser without logging each other out.
    """
    password = secrets.token_urlsafe(9)
    sites = []
    for index, (name, agency) in enumerate(sorted(layout.agencies.items())):
        port = free_port()
        with agency.config.open("a", encoding="utf-8") as toml:
            toml.write(f"\n# The web pages and the REST API of agency {name}.\n")
            toml.write(f'[http]\nhost = "127.0.0.1"\nport = {port}\n')
        for user, role in DEMO_USERS:
            stores[name].access.add_user(
                user, role=role, password=password, display_name=f"{user} {name}", actor="demo"
            )
        host = "127.0.0.1" if index == 0 else "localhost"
        sites.append(
            DemoSite(name=name, org_id=agency.org_id, url=f"http://{host}:{port}/", password=password)
        )
    return sites


def describe(sites: list[DemoSite]) -> list[str]:
    lines = [f"  web pages {s.name}      {s.url}  ({s.org_id})" for s in sites]
    if sites:
        users = " / ".join(user for user, _ in DEMO_USERS)
        lines.append(f"  demo logins      {users}, password {sites[0].password} (both agencies)")
    return lines
