"""Who may do what: roles, the principal behind a request, and the views of users, keys and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    """What a user or an office system may do; ``admin`` may do everything."""

    CLERK = "clerk"  # letters: send, read, register / reject / invalid, withdraw / resend, registry books
    OPERATOR = "operator"  # queues, redrive, metrics, dashboard, audit, webhooks; reads letters
    ADMIN = "admin"  # everything, including users and API keys


class PrincipalKind(StrEnum):
    """How the caller proved who it is."""

    USER = "user"  # a person signed in to the web pages (session cookie)
    API_KEY = "apikey"  # an office system calling the API (Bearer key)


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The caller of a request, once authenticated."""

    kind: PrincipalKind
    id: int
    name: str
    display_name: str
    role: Role

    def allows(self, *roles: Role) -> bool:
        """True when the caller has one of ``roles``; an admin has them all."""
        return self.role is Role.ADMIN or self.role in roles

    @property
    def actor(self) -> str:
        """How the audit log names this caller, e.g. ``user:somchai``."""
        return f"{self.kind.value}:{self.name}"


@dataclass(frozen=True, kw_only=True)
class UserView:
    id: int
    name: str
    display_name: str
    role: Role
    disabled: bool
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class ApiKeyView:
    id: int
    name: str
    role: Role
    prefix: str  # the public part of the token, to recognise a key in lists and logs
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class NewApiKey:
    """A key just made: ``token`` is shown once and never stored."""

    key: ApiKeyView
    token: str


@dataclass(frozen=True, kw_only=True)
class SessionInfo:
    """A live web session: who, and the CSRF token its forms must carry."""

    principal: Principal
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class NewSession(SessionInfo):
    """A session just opened: ``token`` goes into the cookie and is never stored."""

    token: str


@dataclass(frozen=True, kw_only=True)
class AccessPolicy:
    """Sign-in rules: lock-out after repeated failures, session lifetimes, password length."""

    max_failed_logins: int = 5
    lockout: timedelta = timedelta(minutes=15)
    session_idle: timedelta = timedelta(hours=8)
    session_max: timedelta = timedelta(hours=24)
    min_password_length: int = 10
