"""Who may use the gateway: users with roles for the web pages, API keys for office systems, sessions."""

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
