"""``Access``: users, API keys and web sessions over the gateway's database.

Changes to users and keys are written to the audit chain (who added, disabled or revoked what);
sign-ins are not, but failures count towards the lock-out.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from ecms_gateway.access import passwords, tokens
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
from ecms_gateway.engine import audit
from ecms_gateway.engine.context import Clock, utc_now
from ecms_gateway.errors import Forbidden, InputError, LockedOut, NotFound, Unauthorized
from ecms_gateway.store.database import Database
from ecms_gateway.store.tables import API_KEY, SESSION, USER

_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_WRONG_LOGIN: Final = "wrong user name or password"
_TOUCH_EVERY_S: Final = 60  # a session's last-seen time is written at most once a minute


class Access:
    """Users with roles, API keys and sessions; every method commits before it returns."""

    def __init__(self, db: Database, *, clock: Clock = utc_now, policy: AccessPolicy | None = None) -> None:
        self._db = db
        self._clock = clock
        self.policy = policy or AccessPolicy()

    # Users.
    def add_user(
        self, name: str, *, role: Role, password: str, display_name: str | None = None, actor: str
    ) -> UserView:
        name = _checked_name(name, "user name")
        passwords.check_password_rules(name, password, min_length=self.policy.min_password_length)
        now = self._clock()
        row = {
            "name": name,
            "display_name": (display_name or "").strip() or name,
            "role": Role(role).value,
            "password_hash": passwords.hash_password(password),
            "disabled": False,
            "failed_logins": 0,
            "created_at": now,
        }
        try:
            with self._db.write() as conn:
                user_id = int(conn.execute(insert(USER).values(**row).returning(USER.c.id)).scalar_one())
                audit.append(conn, at=now, actor=actor, action="access.user_added", detail=_who(name, role))
        except IntegrityError as exc:
            raise InputError(f"there is already a user {name!r}; choose another name") from exc
        return self._user(user_id)

    def list_users(self) -> list[UserView]:
        with self._db.read() as conn:
            return [_user_view(r) for r in conn.execute(select(USER).order_by(USER.c.name)).mappings()]

    def disable_user(self, name: str, *, actor: str) -> None:
        """The user can no longer sign in; their open sessions end now."""
        now = self._clock()
        with self._db.write() as conn:
            user = _user_row(conn, name)
            conn.execute(update(USER).where(USER.c.id == user["id"]).values(disabled=True))
            conn.execute(delete(SESSION).where(SESSION.c.user_id == user["id"]))
            audit.append(conn, at=now, actor=actor, action="access.user_disabled", detail={"name": name})

    def set_password(self, name: str, password: str, *, actor: str) -> None:
        """A new password; it also lifts a lock-out and ends the user's open sessions."""
        passwords.check_password_rules(name, password, min_length=self.policy.min_password_length)
        password_hash = passwords.hash_password(password)
        now = self._clock()
        with self._db.write() as conn:
            user = _user_row(conn, name)
            conn.execute(
                update(USER)
                .where(USER.c.id == user["id"])
                .values(password_hash=password_hash, failed_logins=0, locked_until=None)
            )
            conn.execute(delete(SESSION).where(SESSION.c.user_id == user["id"]))
            audit.append(conn, at=now, actor=actor, action="access.password_set", detail={"name": name})

    # API keys.
    def new_api_key(self, name: str, *, role: Role, actor: str) -> NewApiKey:
        name = _checked_name(name, "key name")
        token, prefix, secret = tokens.new_api_key()
        now = self._clock()
        try:
            with self._db.write() as conn:
                key_id = conn.execute(
                    insert(API_KEY)
                    .values(
                        name=name,
                        role=Role(role).value,
                        prefix=prefix,
                        secret_sha256=tokens.digest(secret),
                        created_at=now,
                        created_by=actor,
                    )
                    .returning(API_KEY.c.id)
                ).scalar_one()
                audit.append(conn, at=now, actor=actor, action="access.key_added", detail=_who(name, role))
                row = conn.execute(select(API_KEY).where(API_KEY.c.id == key_id)).mappings().one()
        except IntegrityError as exc:
            raise InputError(f"there is already an API key named {name!r}; choose another name") from exc
        return NewApiKey(key=_key_view(row), token=token)

    def list_api_keys(self) -> list[ApiKeyView]:
        with self._db.read() as conn:
            return [_key_view(r) for r in conn.execute(select(API_KEY).order_by(API_KEY.c.name)).mappings()]

    def revoke_api_key(self, name: str, *, actor: str) -> None:
        now = self._clock()
        with self._db.write() as conn:
            row = conn.execute(select(API_KEY).where(API_KEY.c.name == name)).mappings().first()
            if row is None:
                raise NotFound(f"there is no API key named {name!r}; `ecms-gateway apikeys list` shows them")
            if row["revoked_at"] is None:
                conn.execute(update(API_KEY).where(API_KEY.c.id == row["id"]).values(revoked_at=now))
                audit.append(conn, at=now, actor=actor, action="access.key_revoked", detail={"name": name})

    def authenticate_api_key(self, token: str) -> Principal:
        parts = tokens.split_api_key(token)
        if parts is None:
            raise Unauthorized("the API key is not valid")
        prefix, secret = parts
        now = self._clock()
        with self._db.read() as conn:
            row = conn.execute(select(API_KEY).where(API_KEY.c.prefix == prefix)).mappings().first()
        if row is None or row["revoked_at"] is not None or not tokens.same(secret, row["secret_sha256"]):
            raise Unauthorized("the API key is not valid (unknown or revoked)")
        last = row["last_used_at"]
        if last is None or (now - last).total_seconds() >= _TOUCH_EVERY_S:
            with self._db.write() as conn:
                conn.execute(update(API_KEY).where(API_KEY.c.id == row["id"]).values(last_used_at=now))
        return Principal(
            kind=PrincipalKind.API_KEY,
            id=int(row["id"]),
            name=row["name"],
            display_name=row["name"],
            role=Role(row["role"]),
        )

    # Sessions.
    def login(self, name: str, password: str, *, remote: str | None = None) -> NewSession:
        """Open a session, or raise ``Unauthorized`` (never saying which part was wrong) / ``LockedOut``."""
        now = self._clock()
        key = name.strip().lower()
        with self._db.read() as conn:
            user = conn.execute(select(USER).where(USER.c.name == key)).mappings().first()
        if user is not None and user["locked_until"] is not None and user["locked_until"] > now:
            raise LockedOut(_locked_message(user["locked_until"]), until=user["locked_until"])
        good = passwords.verify_password(user["password_hash"] if user else None, password)
        if user is None or not good or user["disabled"]:
            if user is not None and not good:
                self._count_failure(int(user["id"]), now)
            raise Unauthorized(_WRONG_LOGIN)
        token, csrf = tokens.new_token(), tokens.new_token()
        expires = now + self.policy.session_idle
        with self._db.write() as conn:
            conn.execute(
                update(USER)
                .where(USER.c.id == user["id"])
                .values(failed_logins=0, locked_until=None, last_login_at=now)
            )
            conn.execute(
                insert(SESSION).values(
                    token_sha256=tokens.digest(token),
                    user_id=user["id"],
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                    remote=remote,
                )
            )
        return NewSession(principal=_user_principal(user), csrf_token=csrf, expires_at=expires, token=token)

    def session(self, token: str) -> SessionInfo:
        """The live session of ``token``; each use moves its idle expiry on (up to the maximum age)."""
        now = self._clock()
        with self._db.read() as conn:
            row = (
                conn.execute(
                    select(
                        SESSION.c.id.label("session_id"),
                        SESSION.c.csrf_token,
                        SESSION.c.created_at,
                        SESSION.c.last_seen_at,
                        SESSION.c.expires_at,
                        USER.c.id,
                        USER.c.name,
                        USER.c.display_name,
                        USER.c.role,
                        USER.c.disabled,
                    )
                    .join(USER, USER.c.id == SESSION.c.user_id)
                    .where(SESSION.c.token_sha256 == tokens.digest(token))
                )
                .mappings()
                .first()
            )
        if row is None or row["disabled"] or row["expires_at"] <= now:
            raise Unauthorized("the session has ended; sign in again")
        expires = row["expires_at"]
        if (now - row["last_seen_at"]).total_seconds() >= _TOUCH_EVERY_S:
            expires = min(now + self.policy.session_idle, row["created_at"] + self.policy.session_max)
            with self._db.write() as conn:
                conn.execute(
                    update(SESSION)
                    .where(SESSION.c.id == row["session_id"])
                    .values(last_seen_at=now, expires_at=expires)
                )
        return SessionInfo(principal=_user_principal(row), csrf_token=row["csrf_token"], expires_at=expires)

    def logout(self, token: str) -> None:
        with self._db.write() as conn:
            conn.execute(delete(SESSION).where(SESSION.c.token_sha256 == tokens.digest(token)))

    def check_csrf(self, info: SessionInfo, submitted: str | None) -> None:
        if not submitted or not tokens.same(submitted, tokens.digest(info.csrf_token)):
            raise Forbidden(
                "the form has expired or did not come from this site; reload the page and try again"
            )

    def _count_failure(self, user_id: int, now: datetime) -> None:
        with self._db.write() as conn:
            failed = int(
                conn.execute(
                    update(USER)
                    .where(USER.c.id == user_id)
                    .values(failed_logins=USER.c.failed_logins + 1)
                    .returning(USER.c.failed_logins)
                ).scalar_one()
            )
            if failed >= self.policy.max_failed_logins:
                conn.execute(
                    update(USER)
                    .where(USER.c.id == user_id)
                    .values(failed_logins=0, locked_until=now + self.policy.lockout)
                )

    def _user(self, user_id: int) -> UserView:
        with self._db.read() as conn:
            return _user_view(conn.execute(select(USER).where(USER.c.id == user_id)).mappings().one())


def _checked_name(name: str, what: str) -> str:
    key = name.strip().lower()
    if not _NAME.match(key):
        raise InputError(
            f"{what} {name!r} is not usable: use 1-64 letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return key


def _who(name: str, role: Role) -> dict[str, Any]:
    return {"name": name, "role": Role(role).value}


def _locked_message(until: datetime) -> str:
    return (
        f"too many failed sign-ins: this account is locked until {until.strftime('%H:%M')} UTC; "
        "try again then, or ask an administrator to set a new password"
    )


def _user_row(conn: Connection, name: str) -> RowMapping:
    row = conn.execute(select(USER).where(USER.c.name == name.strip().lower())).mappings().first()
    if row is None:
        raise NotFound(f"there is no user {name!r}; `ecms-gateway users list` shows them")
    return row


def _user_principal(row: RowMapping) -> Principal:
    return Principal(
        kind=PrincipalKind.USER,
        id=int(row["id"]),
        name=row["name"],
        display_name=row["display_name"],
        role=Role(row["role"]),
    )


def _user_view(row: RowMapping) -> UserView:
    return UserView(
        id=int(row["id"]),
        name=row["name"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        disabled=bool(row["disabled"]),
        locked_until=row["locked_until"],
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
    )


def _key_view(row: RowMapping) -> ApiKeyView:
    return ApiKeyView(
        id=int(row["id"]),
        name=row["name"],
        role=Role(row["role"]),
        prefix=row["prefix"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )
