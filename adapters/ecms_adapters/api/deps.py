"""Who is calling: an office system's API key (``Authorization: Bearer``) or a clerk's web session
(the ``ecms_session`` cookie, with ``X-CSRF-Token`` on unsafe methods), and whether its role may.

Routes say what they need with ``Depends(require(Role.CLERK))``; the security test walks every route
and reads that requirement back from ``ROLES_ATTR``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from ecms_gateway.access import Principal, PrincipalKind, Role
from ecms_gateway.errors import Forbidden, Unauthorized
from ecms_gateway.services.context import Services

API_PREFIX = "/api/v1"
SESSION_COOKIE = "ecms_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROLES_ATTR = "ecms_roles"
"""Set on each ``require`` dependency: the roles it admits (admin always may)."""

# auto_error=False: a missing credential is our own 401 with our error body, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="An API key: `ecms-gateway apikeys new NAME --role R`")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The web session cookie set by the login page"
)


def services_of(request: Request) -> Services:
    """The running gateway's services (``create_app`` keeps them on the app)."""
    services: Services = request.app.state.services
    return services


def api_base(request: Request) -> str:
    """The API's base path as the caller sees it (behind a proxy's root path too), for links."""
    root: str = request.scope.get("root_path", "")
    return f"{root}{API_PREFIX}"


async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The caller; ``Unauthorized`` (401) when there is no valid key or session."""
    access = services_of(request).access
    if bearer is not None:
        return await asyncio.to_thread(access.authenticate_api_key, bearer.credentials)
    if request.headers.get("authorization"):
        raise Unauthorized("the Authorization header must be `Bearer <API key>`")
    if session:
        info = await asyncio.to_thread(access.session, session)
        if request.method not in SAFE_METHODS:
            access.check_csrf(info, request.headers.get(CSRF_HEADER))
        return info.principal
    raise Unauthorized(
        "credentials required: send `Authorization: Bearer <API key>` (an administrator makes one with "
        "`ecms-gateway apikeys new NAME --role ROLE`: clerk for letters, operator for the queue, webhooks "
        "and /metrics) or log in to the web pages"
    )


Caller = Annotated[Principal, Depends(authenticate)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting callers with one of ``roles`` (or admin); 403 for a weaker role."""

    async def dependency(principal: Caller) -> Principal:
        if not principal.allows(*roles):
            needed = " or ".join(r.value for r in (*roles, Role.ADMIN))
            raise Forbidden(
                f"{principal.actor} has role {principal.role.value}; this needs {needed}: "
                f"{_how_to_get(principal, roles[0])}"
            )
        return principal

    setattr(dependency, ROLES_ATTR, frozenset(roles) | {Role.ADMIN})
    return dependency


def _how_to_get(principal: Principal, role: Role) -> str:
    """Where a caller of too low a role gets credentials with ``role`` (only an administrator can)."""
    if principal.kind is PrincipalKind.API_KEY:
        return (
            f"use an API key with that role (an administrator makes one on the gateway's machine with "
            f"`ecms-gateway apikeys new NAME --role {role.value}`)"
        )
    return (
        f"sign in as a user with that role (an administrator makes one on the gateway's machine with "
        f"`ecms-gateway users add NAME --role {role.value}`)"
    )


Clerk = Annotated[Principal, Depends(require(Role.CLERK))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Reader = Annotated[Principal, Depends(require(Role.CLERK, Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Anyone = Annotated[Principal, Depends(require(*Role))]
"""Any authenticated caller, whatever its role (the API's documentation)."""
