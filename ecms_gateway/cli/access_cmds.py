"""``ecms-gateway users ...`` and ``ecms-gateway apikeys ...``: who may use the web pages and the API.

Passwords never go on the command line (they would stay in the shell history and the process list):
they come from ``--password-file``, ``$ECMS_GATEWAY_PASSWORD`` or a prompt. An API key's token is
printed once, when it is made; only its digest is kept.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ecms_gateway.access.model import Role
from ecms_gateway.cli.settings import add_config_option, config_from_args, may_create, where_set
from ecms_gateway.errors import InputError

if TYPE_CHECKING:
    from ecms_gateway.engine import Store

PASSWORD_ENV = "ECMS_GATEWAY_PASSWORD"  # noqa: S105 - the name of the variable, not a password
_ROLES = [r.value for r in Role]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_config_option(common)
    common.add_argument("--as", dest="actor", metavar="NAME", help="who does it (default: your login)")

    users = subparsers.add_parser("users", help="people who sign in to the web pages (roles, passwords)")
    user_cmds = users.add_subparsers(title="users commands", metavar="ACTION", required=True)
    add = user_cmds.add_parser("add", parents=[common], help="add a user with a role")
    add.add_argument("name", help="sign-in name: letters a-z, digits, '.', '_' or '-'")
    add.add_argument("--role", required=True, choices=_ROLES, help="clerk, operator or admin")
    add.add_argument("--display-name", help="the name shown in the pages (e.g. in Thai)")
    _password_options(add)
    add.set_defaults(func=_user_add)
    listing = user_cmds.add_parser("list", parents=[common], help="list users and their state")
    listing.set_defaults(func=_user_list)
    disable = user_cmds.add_parser("disable", parents=[common], help="stop a user signing in (ends sessions)")
    disable.add_argument("name")
    disable.set_defaults(func=_user_disable)
    password = user_cmds.add_parser(
        "password", parents=[common], help="set a new password (also lifts a lock-out)"
    )
    password.add_argument("name")
    _password_options(password)
    password.set_defaults(func=_user_password)

    keys = subparsers.add_parser("apikeys", help="API keys of office systems (shown once, revocable)")
    key_cmds = keys.add_subparsers(title="apikeys commands", metavar="ACTION", required=True)
    new = key_cmds.add_parser("new", parents=[common], help="make a key; its token is printed once")
    new.add_argument("name", help="which system uses it, e.g. saraban-system")
    new.add_argument("--role", required=True, choices=_ROLES, help="clerk, operator or admin")
    new.set_defaults(func=_key_new)
    klist = key_cmds.add_parser("list", parents=[common], help="list keys (never their tokens)")
    klist.set_defaults(func=_key_list)
    revoke = key_cmds.add_parser("revoke", parents=[common], help="revoke a key at once")
    revoke.add_argument("name")
    revoke.set_defaults(func=_key_revoke)


def _password_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help=f"read the password from FILE (first line); else ${PASSWORD_ENV}, else a prompt",
    )


def _password(args: argparse.Namespace) -> str:
    if args.password_file is not None:
        return _password_from(args.password_file)
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise InputError(f"no password given: use --password-file FILE or set ${PASSWORD_ENV}")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ; nothing was changed")
    return first


def _password_from(path: Path) -> str:
    """The first line of ``path``, or one sentence naming the file and what is wrong with it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"cannot read a password from {path}: {reason}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read a password from {path}: it is not UTF-8 text") from exc
    if not lines or not lines[0]:
        raise InputError(f"no password in {path}: its first line is empty; write the password there")
    return lines[0]


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return f"admin:{args.actor}"
    try:
        return f"admin:{getpass.getuser()}"
    except (KeyError, OSError):
        return "admin"


def _store(args: argparse.Namespace, *, create: bool = False) -> Store:
    """The store; adding a user or a key may come first on a new data folder, the rest needs one."""
    from ecms_gateway.cli.stores import open_store  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    return open_store(
        database_url=config.database_url,
        data_dir=config.gateway.data_dir,
        create=create and may_create(args),
        role=args.command,
        where_set=where_set(args),
    )


def _when(value: object) -> str:
    return "-" if value is None else str(value)[:19]


def _user_add(args: argparse.Namespace) -> int:
    password = _password(args)
    with _store(args, create=True) as store:
        user = store.access.add_user(
            args.name,
            role=Role(args.role),
            password=password,
            display_name=args.display_name,
            actor=_actor(args),
        )
    print(f"user {user.name} added ({user.role.value})")
    return 0


def _user_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        users = store.access.list_users()
    if not users:
        print("no users yet: `ecms-gateway users add NAME --role clerk`")
        return 0
    print(f"{'NAME':<20} {'ROLE':<9} {'STATE':<22} {'LAST SIGN-IN':<19} DISPLAY NAME")
    for user in users:
        state = "disabled" if user.disabled else "active"
        if user.locked_until is not None and not user.disabled:
            state = f"locked to {_when(user.locked_until)[11:16]} UTC"
        print(
            f"{user.name:<20} {user.role.value:<9} {state:<22} {_when(user.last_login_at):<19} "
            f"{user.display_name}"
        )
    return 0


def _user_disable(args: argparse.Namespace) -> int:
    with _store(args) as store:
        store.access.disable_user(args.name, actor=_actor(args))
    print(f"user {args.name} disabled; their sessions have ended")
    return 0


def _user_password(args: argparse.Namespace) -> int:
    password = _password(args)
    with _store(args) as store:
        store.access.set_password(args.name, password, actor=_actor(args))
    print(f"password of {args.name} set; their sessions have ended")
    return 0


def _key_new(args: argparse.Namespace) -> int:
    with _store(args, create=True) as store:
        made = store.access.new_api_key(args.name, role=Role(args.role), actor=_actor(args))
    print(made.token)
    print(
        f"API key {made.key.name} ({made.key.role.value}) made. The line above is its token: it is shown "
        "only now. Send it as `Authorization: Bearer <token>`.",
        file=sys.stderr,
    )
    return 0


def _key_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        keys = store.access.list_api_keys()
    if not keys:
        print("no API keys yet: `ecms-gateway apikeys new NAME --role clerk`")
        return 0
    print(f"{'NAME':<24} {'ROLE':<9} {'PREFIX':<13} {'CREATED':<19} {'LAST USED':<19} STATE")
    for key in keys:
        state = "active" if key.revoked_at is None else f"revoked {_when(key.revoked_at)}"
        print(
            f"{key.name:<24} {key.role.value:<9} egw_{key.prefix:<9} {_when(key.created_at):<19} "
            f"{_when(key.last_used_at):<19} {state}"
        )
    return 0


def _key_revoke(args: argparse.Namespace) -> int:
    with _store(args) as store:
        store.access.revoke_api_key(args.name, actor=_actor(args))
    print(f"API key {args.name} revoked")
    return 0
