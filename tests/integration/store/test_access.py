"""Users, API keys and web sessions: hashed at rest, generic refusals, lock-out, expiry, CSRF, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from store_support import FakeClock

from ecms_gateway.access import Access, Principal, PrincipalKind, Role
from ecms_gateway.engine import Store
from ecms_gateway.errors import Forbidden, InputError, LockedOut, NotFound, Unauthorized
from ecms_gateway.store.tables import API_KEY, AUDIT, SESSION, USER

PASSWORD = "correct horse battery"


@pytest.fixture
def access(store: Store) -> Access:
    store.access.add_user(
        "Somchai", role=Role.CLERK, password=PASSWORD, display_name="สมชาย", actor="admin:t"
    )
    return store.access


def test_password_is_stored_as_argon2id_never_in_clear(store: Store, access: Access) -> None:
    with store.db.read() as conn:
        stored = conn.execute(select(USER.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_names_are_case_insensitive_and_unique(access: Access) -> None:
    with pytest.raises(InputError, match="already a user 'somchai'"):
        access.add_user("SOMCHAI", role=Role.ADMIN, password=PASSWORD, actor="admin:t")
    assert [u.name for u in access.list_users()] == ["somchai"]


@pytest.mark.parametrize(
    ("name", "password", "problem"),
    [
        ("ok", "short", "too short"),
        ("longusername", "longusername", "must not be the user name"),
        ("bad name!", PASSWORD, "not usable"),
    ],
)
def test_bad_users_are_refused_with_the_reason(
    access: Access, name: str, password: str, problem: str
) -> None:
    with pytest.raises(InputError, match=problem):
        access.add_user(name, role=Role.CLERK, password=password, actor="admin:t")


def test_login_opens_a_session_that_names_the_user(access: Access) -> None:
    opened = access.login("somchai", PASSWORD, remote="127.0.0.1")
    info = access.session(opened.token)
    assert info.principal == opened.principal
    assert info.principal.actor == "user:somchai"
    assert info.principal.display_name == "สมชาย"
    assert info.csrf_token == opened.csrf_token


def test_session_token_is_kept_only_as_a_digest(store: Store, access: Access) -> None:
    opened = access.login("somchai", PASSWORD)
    with store.db.read() as conn:
        row = conn.execute(select(SESSION)).mappings().one()
    assert opened.token not in row.values()


@pytest.mark.parametrize(("name", "password"), [("somchai", "wrong password!"), ("nobody", PASSWORD)])
def test_wrong_name_or_password_get_the_same_answer(access: Access, name: str, password: str) -> None:
    with pytest.raises(Unauthorized) as refused:
        access.login(name, password)
    assert str(refused.value) == "wrong user name or password"
    assert not isinstance(refused.value, LockedOut)


def test_five_failures_lock_the_account_even_for_the_right_password(access: Access, clock: FakeClock) -> None:
    for _ in range(access.policy.max_failed_logins):
        with pytest.raises(Unauthorized):
            access.login("somchai", "wrong password!")
    with pytest.raises(LockedOut) as locked:
        access.login("somchai", PASSWORD)
    assert locked.value.until == clock.now + access.policy.lockout
    assert "locked until" in str(locked.value)
    clock.advance(minutes=15, seconds=1)
    assert access.login("somchai", PASSWORD).principal.name == "somchai"


def test_a_success_resets_the_failure_count(access: Access) -> None:
    for _ in range(access.policy.max_failed_logins - 1):
        with pytest.raises(Unauthorized):
            access.login("somchai", "wrong password!")
    access.login("somchai", PASSWORD)
    for _ in range(access.policy.max_failed_logins - 1):
        with pytest.raises(Unauthorized):
            access.login("somchai", "wrong password!")
    assert access.login("somchai", PASSWORD)


def test_a_new_password_lifts_the_lock_and_ends_sessions(access: Access) -> None:
    old = access.login("somchai", PASSWORD)
    for _ in range(access.policy.max_failed_logins):
        with pytest.raises(Unauthorized):
            access.login("somchai", "wrong password!")
    access.set_password("somchai", "another good one", actor="admin:t")
    with pytest.raises(Unauthorized):
        access.session(old.token)
    assert access.login("somchai", "another good one")


def test_disabled_user_cannot_sign_in_and_loses_open_sessions(access: Access) -> None:
    opened = access.login("somchai", PASSWORD)
    access.disable_user("somchai", actor="admin:t")
    with pytest.raises(Unauthorized):
        access.session(opened.token)
    with pytest.raises(Unauthorized, match="wrong user name or password"):
        access.login("somchai", PASSWORD)
    assert access.list_users()[0].disabled


def test_sessions_expire_when_idle_and_slide_while_used(access: Access, clock: FakeClock) -> None:
    opened = access.login("somchai", PASSWORD)
    clock.advance(hours=7)
    assert access.session(opened.token).expires_at == clock.now + access.policy.session_idle
    clock.advance(hours=7)  # 14 h after sign-in, 7 h idle: still alive because it slid
    access.session(opened.token)
    clock.advance(hours=8, seconds=1)
    with pytest.raises(Unauthorized, match="sign in again"):
        access.session(opened.token)


def test_a_session_never_outlives_its_maximum_age(access: Access, clock: FakeClock) -> None:
    opened = access.login("somchai", PASSWORD)
    for _ in range(3):
        clock.advance(hours=6)
        access.session(opened.token)
    clock.advance(hours=5, minutes=59)
    assert access.session(opened.token).expires_at == opened.expires_at - access.policy.session_idle + (
        access.policy.session_max
    )
    clock.advance(minutes=2)  # 24 h and a minute after sign-in, used a minute ago
    with pytest.raises(Unauthorized):
        access.session(opened.token)


def test_logout_ends_the_session(access: Access) -> None:
    opened = access.login("somchai", PASSWORD)
    access.logout(opened.token)
    with pytest.raises(Unauthorized):
        access.session(opened.token)


def test_csrf_token_must_match_the_session(access: Access) -> None:
    info = access.session(access.login("somchai", PASSWORD).token)
    access.check_csrf(info, info.csrf_token)
    other = access.login("somchai", PASSWORD)
    for bad in (None, "", other.csrf_token):
        with pytest.raises(Forbidden, match="reload the page"):
            access.check_csrf(info, bad)


def test_api_key_authenticates_until_revoked(store: Store, access: Access, clock: FakeClock) -> None:
    made = access.new_api_key("saraban-system", role=Role.CLERK, actor="admin:t")
    principal = access.authenticate_api_key(made.token)
    assert principal == Principal(
        kind=PrincipalKind.API_KEY,
        id=made.key.id,
        name="saraban-system",
        display_name="saraban-system",
        role=Role.CLERK,
    )
    assert principal.actor == "apikey:saraban-system"
    with store.db.read() as conn:
        row = conn.execute(select(API_KEY)).mappings().one()
    assert made.token not in row.values()
    assert row["last_used_at"] == clock.now
    access.revoke_api_key("saraban-system", actor="admin:t")
    with pytest.raises(Unauthorized, match="unknown or revoked"):
        access.authenticate_api_key(made.token)
    assert access.list_api_keys()[0].revoked_at == clock.now


@pytest.mark.parametrize("mangle", ["", "Bearer x", "egw_", "egw_zzzzzzzz_", "other_12345678_secret"])
def test_malformed_api_keys_are_refused(access: Access, mangle: str) -> None:
    with pytest.raises(Unauthorized):
        access.authenticate_api_key(mangle)


def test_a_guessed_secret_with_a_real_prefix_is_refused(access: Access) -> None:
    made = access.new_api_key("system", role=Role.OPERATOR, actor="admin:t")
    with pytest.raises(Unauthorized):
        access.authenticate_api_key(made.token[:-2] + "xx")


def test_revoking_an_unknown_key_says_where_to_look(access: Access) -> None:
    with pytest.raises(NotFound, match="apikeys list"):
        access.revoke_api_key("nope", actor="admin:t")


def test_user_and_key_changes_are_in_the_audit_chain(store: Store, access: Access) -> None:
    access.new_api_key("system", role=Role.CLERK, actor="admin:t")
    access.revoke_api_key("system", actor="admin:t")
    access.disable_user("somchai", actor="admin:t")
    with store.db.read() as conn:
        actions = conn.execute(select(AUDIT.c.action).order_by(AUDIT.c.seq)).scalars().all()
    assert actions == ["access.user_added", "access.key_added", "access.key_revoked", "access.user_disabled"]
    assert store.verify_audit().ok


def test_roles_admin_allows_everything_others_only_their_own() -> None:
    def who(role: Role) -> Principal:
        return Principal(kind=PrincipalKind.USER, id=1, name="x", display_name="x", role=role)

    assert who(Role.ADMIN).allows(Role.CLERK)
    assert who(Role.ADMIN).allows(Role.OPERATOR)
    assert who(Role.CLERK).allows(Role.CLERK)
    assert not who(Role.CLERK).allows(Role.OPERATOR)
    assert who(Role.OPERATOR).allows(Role.OPERATOR, Role.CLERK)
    assert not who(Role.OPERATOR).allows(Role.ADMIN)


def test_session_expiry_is_checked_against_the_clock(access: Access, clock: FakeClock) -> None:
    opened = access.login("somchai", PASSWORD)
    clock.advance(seconds=30)  # within a minute the stored expiry is not rewritten
    assert access.session(opened.token).expires_at == opened.expires_at
    clock.now = opened.expires_at + timedelta(seconds=1)
    with pytest.raises(Unauthorized):
        access.session(opened.token)
