"""The demo's sign-ins: per agency a clerk, an operator and an admin with fresh passwords, and an API
key for trying the REST API with curl; printed once by ``ecms-gateway demo``, kept nowhere else."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ecms_gateway.access import Role
from ecms_gateway.engine import Store

DEMO_ROLES = (Role.CLERK, Role.OPERATOR, Role.ADMIN)
DEMO_KEY_NAME = "demo-office-system"


@dataclass(frozen=True, kw_only=True)
class DemoLogins:
    passwords: dict[str, str]  # user name (= its role) -> password
    api_key: str  # role clerk


def create_demo_logins(store: Store, *, agency: str) -> DemoLogins:
    """Users named after their roles and one clerk API key, in ``store``."""
    passwords = {}
    for role in DEMO_ROLES:
        password = secrets.token_urlsafe(12)
        store.access.add_user(
            role.value,
            role=role,
            password=password,
            display_name=f"{role.value} ({agency})",
            actor="demo",
        )
        passwords[role.value] = password
    key = store.access.new_api_key(DEMO_KEY_NAME, role=Role.CLERK, actor="demo")
    return DemoLogins(passwords=passwords, api_key=key.token)


def describe(name: str, org_id: str, url: str, logins: DemoLogins) -> list[str]:
    """Lines telling how to reach agency ``name``'s HTTP face and sign in."""
    users = ", ".join(f"{user} / {password}" for user, password in logins.passwords.items())
    return [
        f"  agency {name} ({org_id})  {url}",
        f"    web pages        {url}/   (sign in as clerk, operator or admin)",
        f"    REST API         {url}/api/v1   (documentation {url}/docs, signed in)",
        f"    users            {users}",
        f"    API key (clerk)  {logins.api_key}",
        f'    try              curl -H "Authorization: Bearer {logins.api_key}" {url}/api/v1/letters',
    ]
