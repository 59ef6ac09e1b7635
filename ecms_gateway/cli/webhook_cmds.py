"""``ecms-gateway webhooks add|list|change|remove|deliveries|retry``: the office systems' webhook URLs and
how their deliveries go. The running gateway (``ecms-gateway run``) does the delivering.
"""

from __future__ import annotations

import argparse
import getpass
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ecms_gateway.cli.arguments import record_id, whole_number
from ecms_gateway.cli.nudge import wake_or_say
from ecms_gateway.cli.settings import add_config_option, config_from_args, has_config, may_create, where_set
from ecms_gateway.cli.store_cmds import format_table
from ecms_gateway.durations import age
from ecms_gateway.errors import Fault, InputError, RequestInvalid
from ecms_gateway.store.location import DATABASE_URL_ENV, default_data_dir
from ecms_gateway.webhooks.events import EventType, parse_types

if TYPE_CHECKING:
    from ecms_gateway.engine import Store
    from ecms_gateway.webhooks import Subscription


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_config_option(common)
    hooks = subparsers.add_parser(
        "webhooks",
        help="URLs that get letter events POSTed (signed), and how their deliveries go",
        description="Office systems register a URL; the running gateway POSTs each new letter event "
        "to it as signed JSON, in order, retrying with backoff. See docs/integration.md.",
    )
    sub = hooks.add_subparsers(title="webhook commands", metavar="ACTION", required=True)
    types = ", ".join(t.value for t in EventType)

    add = sub.add_parser("add", parents=[common], help="register a URL; prints its id (and secret)")
    add.add_argument("url", metavar="URL", help="https://host[:port]/path that accepts the POSTs")
    add.add_argument("--events", metavar="TYPES", help=f"comma-separated, default all: {types}")
    add.add_argument(
        "--secret-file",
        type=Path,
        metavar="F",
        help="file holding the signing secret (16+ characters); default: a new one, printed once",
    )
    add.set_defaults(func=_add)

    listing = sub.add_parser("list", parents=[common], help="every webhook with its delivery health")
    listing.set_defaults(func=_list)

    change = sub.add_parser(
        "change",
        parents=[common],
        help="change a webhook's event types or secret in one step (no event lost in between)",
        description="The event waiting for delivery stays where it is: the new event types apply from it "
        "on, and the new secret signs every POST from then on. The URL cannot be changed: add the new URL, "
        "then remove the old webhook.",
    )
    change.add_argument("id", type=record_id, metavar="ID")
    change.add_argument("--events", metavar="TYPES", help=f"comma-separated, the new set: {types}")
    change.add_argument(
        "--secret-file",
        type=Path,
        metavar="F",
        help="file holding the new signing secret (16+ characters); configure the receiver with it",
    )
    change.set_defaults(func=_change)

    remove = sub.add_parser("remove", parents=[common], help="stop delivering to a webhook and forget it")
    remove.add_argument("id", type=record_id, metavar="ID")
    remove.set_defaults(func=_remove)

    deliveries = sub.add_parser("deliveries", parents=[common], help="a webhook's recent POSTs and errors")
    deliveries.add_argument("id", type=record_id, metavar="ID")
    deliveries.add_argument(
        "--limit",
        type=whole_number(1, 500, what="the limit"),
        default=20,
        help="how many, newest first (1-500, default 20)",
    )
    deliveries.set_defaults(func=_deliveries)

    retry = sub.add_parser("retry", parents=[common], help="try a failing or paused webhook now")
    retry.add_argument("id", type=record_id, metavar="ID")
    retry.set_defaults(func=_retry)


def _open(args: argparse.Namespace, *, create: bool = False) -> Store:
    """The store; ``webhooks add`` may come first on a new data folder, the rest needs one."""
    from ecms_gateway.cli.stores import open_store  # noqa: PLC0415 - the parser imports this module

    if has_config(args):
        config = config_from_args(args)
        return open_store(
            database_url=config.database_url,
            data_dir=config.gateway.data_dir,
            create=create,
            role=args.command,
        )
    return open_store(
        data_dir=default_data_dir(),
        database_url=os.environ.get(DATABASE_URL_ENV),
        create=create and may_create(args),
        role=args.command,
        where_set=where_set(args),
    )


def _actor() -> str:
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):
        return "operator"


def _read_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text; write the secret in it as plain text") from exc


def _checked(args: argparse.Namespace, *, url: str | None = None) -> str | None:
    """The secret of ``--secret-file`` (None when not given) once ``URL``, ``--events`` and the secret are
    right; else ``RequestInvalid`` naming each of them that is wrong, all at once, before the store is
    opened (so a refused ``add`` makes no data folder either)."""
    from ecms_gateway.webhooks import check_secret, check_url  # noqa: PLC0415 - the parser imports this module

    faults: list[Fault] = []
    if url is not None:
        try:
            check_url(url)
        except InputError as exc:
            faults.append(Fault(where="URL", problem=str(exc)))
    if args.events is not None:
        try:
            parse_types(args.events)
        except ValueError as exc:
            faults.append(Fault(where="--events", problem=str(exc)))
    secret = None
    if args.secret_file is not None:
        try:
            secret = check_secret(_read_secret(args.secret_file))
        except InputError as exc:
            faults.append(Fault(where="--secret-file", problem=str(exc)))
    if faults:
        raise RequestInvalid(faults)
    return secret


def _add(args: argparse.Namespace) -> int:
    from ecms_gateway.webhooks import Webhooks  # noqa: PLC0415 - the parser imports this module

    secret = _checked(args, url=args.url)
    events = None if args.events is None else args.events.split(",")
    with _open(args, create=True) as store:
        added = Webhooks(store).add(args.url, actor=_actor(), events=events, secret=secret)
    sub = added.subscription
    print(f"webhook {sub.id} added: {sub.url} ({', '.join(t.value for t in sub.events)})")
    if added.secret_generated:
        print(f"secret: {added.secret}")
        print("(shown only now: give it to the receiving system, which checks X-Ecms-Signature with it)")
    print("events from now on are delivered by the running gateway (`ecms-gateway run`)")
    return 0


def _list(args: argparse.Namespace) -> int:
    from ecms_gateway.webhooks import Webhooks  # noqa: PLC0415 - the parser imports this module

    with _open(args) as store:
        subs = Webhooks(store).all()
        newest = store.last_event_seq()
    if not subs:
        print("no webhooks (add one with `ecms-gateway webhooks add URL`)")
        return 0
    now = datetime.now(UTC)
    headers = ["ID", "URL", "EVENTS", "HEALTH", "TRIES", "FAILING SINCE", "NEXT TRY", "LAST OK", "LAST ERROR"]
    print(format_table(headers, [_row(s, now) for s in subs]))
    behind = [s.id for s in subs if s.cursor_seq < newest and s.failing]
    if behind:
        print(f"\nwebhook(s) {', '.join(map(str, behind))} are behind: `ecms-gateway webhooks deliveries ID`")
    return 0


def _row(sub: Subscription, now: datetime) -> list[str]:
    failing = "" if sub.failing_since is None else f"{age(now - sub.failing_since)} ago"
    if sub.health == "paused":
        next_try = "paused: `webhooks retry`"
    elif sub.failing_since is None:
        next_try = ""
    else:
        next_try = "now" if sub.next_try_at <= now else f"in {age(sub.next_try_at - now)}"
    last_ok = "" if sub.last_success_at is None else f"{age(now - sub.last_success_at)} ago"
    events = "all" if len(sub.events) == len(EventType) else ",".join(t.value for t in sub.events)
    return [
        str(sub.id),
        sub.url,
        events,
        sub.health,
        str(sub.attempts),
        failing,
        next_try,
        last_ok,
        (sub.last_error or "")[:70],
    ]


def _change(args: argparse.Namespace) -> int:
    from ecms_gateway.webhooks import Webhooks  # noqa: PLC0415 - the parser imports this module

    if args.events is None and args.secret_file is None:
        raise InputError(
            f"nothing to change on webhook {args.id}: give --events TYPES, --secret-file F or both"
        )
    secret = _checked(args)
    events = None if args.events is None else args.events.split(",")
    with _open(args) as store:
        sub = Webhooks(store).change(args.id, actor=_actor(), events=events, secret=secret)
    changed = [f"events {', '.join(t.value for t in sub.events)}"] if events is not None else []
    if secret is not None:
        changed.append("a new secret (configure the receiver with it)")
    print(f"webhook {sub.id} changed: {sub.url}: {'; '.join(changed)}")
    print("the event waiting for delivery and every one after it follow the change")
    wake_or_say(data_dir=store.data_dir, database_url=store.db.url, role=args.command, then="delivers")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from ecms_gateway.webhooks import Webhooks  # noqa: PLC0415 - the parser imports this module

    with _open(args) as store:
        Webhooks(store).remove(args.id, actor=_actor())
    print(f"webhook {args.id} removed")
    return 0


def _deliveries(args: argparse.Namespace) -> int:
    from ecms_gateway.webhooks import Webhooks  # noqa: PLC0415 - the parser imports this module

    with _open(args) as store:
        hooks = Webhooks(store)
        sub = hooks.get(args.id)
        rows = hooks.deliveries(args.id, limit=max(1, args.limit))
    print(f"webhook {sub.id}: {sub.url} ({sub.health})")
    if not rows:
        print("no deliveries yet")
        return 0
    table = [
        [
            d.at.isoformat(timespec="seconds"),
            d.event_id,
            str(d.attempt),
            "" if d.status is None else str(d.status),
            "ok" if d.ok else "failed",
            f"{d.duration_ms} ms",
            d.error or "",
        ]
        for d in rows
    ]
    print(format_table(["AT", "EVENT", "TRY", "HTTP", "RESULT", "TIME", "ERROR"], table))
    return 0


def _retry(args: argparse.Namespace) -> int:
    from ecms_gateway.webhooks import Webhooks  # noqa: PLC0415 - the parser imports this module

    with _open(args) as store:
        sub = Webhooks(store).retry_now(args.id, actor=_actor())
    print(f"webhook {sub.id} will be tried now")
    wake_or_say(data_dir=store.data_dir, database_url=store.db.url, role=args.command, then="delivers")
    return 0
