"""Who may read ``/metrics``: an operator's (or admin's) API key as ``Authorization: Bearer <key>``.

Until the API app's ``require(Role.OPERATOR)`` dependency can guard this route, this checks the key
itself through ``Access.authenticate_api_key``, answering 401 and 403 with a JSON error body.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ecms_adapters.observability.endpoints import Authorize
from ecms_gateway.access import Access, Role
from ecms_gateway.errors import Unauthorized

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ecms-gateway"'}


def bearer_with_role(access: Access, *roles: Role) -> Authorize:
    """Let through an API key whose role is one of ``roles`` (or admin); 401 without a valid key."""

    async def authorize(request: Request) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(
                401,
                "credentials required: send `Authorization: Bearer <API key>` (an administrator makes one "
                "with `ecms-gateway apikeys new NAME --role operator`)",
            )
        try:
            principal = await asyncio.to_thread(access.authenticate_api_key, token.strip())
        except Unauthorized as exc:
            return _error(401, str(exc))
        if not principal.allows(*roles):
            needed = " or ".join(r.value for r in (*roles, Role.ADMIN))
            return _error(403, f"{principal.actor} has role {principal.role.value}; this needs {needed}")
        return None

    return authorize


def _error(status: int, message: str) -> Response:
    headers = _CHALLENGE if status == 401 else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)
