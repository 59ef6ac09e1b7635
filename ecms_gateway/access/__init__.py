"""Who may use the gateway: users with roles for the web pages, API keys for office systems, sessions."""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.access.model import (
        AccessPolicy,
        ApiKeyView,
        NewApiKey,
        NewSession,
        Principal,
        PrincipalKind,
        Role,
        SessionInfo,
        UserView,
    )
    from ecms_gateway.access.service import Access

__all__ = [
    "Access",
    "AccessPolicy",
    "ApiKeyView",
    "NewApiKey",
    "NewSession",
    "Principal",
    "PrincipalKind",
    "Role",
    "SessionInfo",
    "UserView",
]

# Each name loads its module when first used: the package's light modules stay light.
__getattr__ = exports(
    __name__,
    {
        "AccessPolicy": "model",
        "ApiKeyView": "model",
        "NewApiKey": "model",
        "NewSession": "model",
        "Principal": "model",
        "PrincipalKind": "model",
        "Role": "model",
        "SessionInfo": "model",
        "UserView": "model",
        "Access": "service",
    },
)
