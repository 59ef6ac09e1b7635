"""Who may read ``/metrics``: an operator or admin, by API key (``Authorization: Bearer <key>``, what
Prometheus sends) or by a web session, exactly as the REST API's operator routes decide.

This is the API's ``require(Role.OPERATOR)`` dependency itself, not a copy: a 401 or 403 here is the
API's answer (same JSON error body, ``WWW-Authenticate: Bearer``), and the API's security test reads
the route's roles from it like from any other route.
"""

from __future__ import annotations

from fastapi import Depends, params

from ecms_adapters.api.deps import require
from ecms_gateway.access import Role


def operator_only() -> list[params.Depends]:
    """The guard for ``Observability(guard=...)``: operators and admins."""
    return [Depends(require(Role.OPERATOR))]
