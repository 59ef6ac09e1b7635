"""The clerk's commands: ``send`` a letter, ``register`` / ``reject`` / ``invalid`` a received one,
``withdraw`` and ``resend`` a refused one, ``invalid-accept-id`` (our letter's receiver gave a wrong
receive number), and ``poll-now``.

Each commits its action in the store and returns; the running gateway (``ecms-gateway run`` on the same
data folder) delivers what follows, and is woken up at once (SIGUSR1) when it runs on this machine.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ecms_gateway.cli.arguments import record_id
from ecms_gateway.cli.main import EXIT_USAGE
from ecms_gateway.cli.nudge import running_elsewhere, wake_or_say
from ecms_gateway.cli.output import say_missing
from ecms_gateway.cli.settings import WHERE_SET, add_config_option, config_from_args, may_create, where_set
from ecms_gateway.engine.states import Direction, LetterState
from ecms_gateway.errors import IllegalTransition
from ecms_gateway.runtime.channels import ECMS
from ecms_gateway.runtime.control import wake_gateway

if TYPE_CHECKING:
    from ecms_gateway.config import GatewayConfig
    from ecms_gateway.engine import Store
    from ecms_gateway.services.clerk import Submitted


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_config_option(common)
    common.add_argument("--as", dest="actor", metavar="NAME", help="who does it (default: your login)")

    send = subparsers.add_parser(
        "send",
        parents=[common],
        help="queue a letter for sending; prints its id (the running gateway sends it)",
        description="Check that the letter may leave (secrecy, kind), route it by the directory and queue "
        "it. Receivers on e-CMS get it from the running gateway; a receiver without an e-CMS node is "
        "routed to its saraban mailbox, where it waits until the mail channel exists.",
    )
    send.add_argument("letter", type=Path, metavar="LETTER.json", help="letter JSON with its files beside it")
    send.set_defaults(func=_send)

    reg = subparsers.add_parser(
        "register", parents=[common], help="register a received letter: give it its receive number"
    )
    reg.add_argument("letter_id", type=record_id, metavar="ID", help="letter id (from `queue` or `show`)")
    reg.set_defaults(func=_register)

    for name, helptext, func in (
        ("reject", "refuse a received letter; its sender is told why", _reject),
        ("invalid", "mark a received letter wrong or misaddressed; its sender is told why", _invalid),
    ):
        parser = subparsers.add_parser(name, parents=[common], help=helptext)
        parser.add_argument("letter_id", type=record_id, metavar="ID", help="letter id")
        parser.add_argument("--reason", required=True, help="why (sent to the letter's sender)")
        parser.set_defaults(func=func)

    withdraw = subparsers.add_parser(
        "withdraw", parents=[common], help="withdraw our rejected or invalid letter at the node"
    )
    withdraw.add_argument("letter_id", type=record_id, metavar="ID", help="letter id")
    withdraw.add_argument("--reason", help="why (kept in the audit log)")
    withdraw.set_defaults(func=_withdraw)

    resend = subparsers.add_parser(
        "resend", parents=[common], help="send a withdrawn letter again, as is or corrected, as a new letter"
    )
    resend.add_argument("letter_id", type=record_id, metavar="ID", help="the withdrawn letter's id")
    resend.add_argument("--letter", type=Path, metavar="LETTER.json", help="the corrected letter to send")
    resend.set_defaults(func=_resend)

    wrong = subparsers.add_parser(
        "invalid-accept-id",
        parents=[common],
        help="tell the receiver of our letter that the receive number it gave is wrong",
        description="Record the report on our letter and queue an InvalidAcceptIDNotifier with the reason; "
        "the running gateway sends it (by e-CMS, or by mail if the letter went by mail) with retries.",
    )
    wrong.add_argument("letter_id", type=record_id, metavar="ID", help="our (outbound) letter's id")
    wrong.add_argument("--reason", required=True, help="what is wrong with it (sent to the receiver)")
    wrong.set_defaults(func=_invalid_accept_id)

    poll = subparsers.add_parser(
        "poll-now", parents=[common], help="make the running gateway poll the node and look for work now"
    )
    poll.set_defaults(func=_poll_now)


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return f"clerk:{args.actor}"
    try:
        return f"clerk:{getpass.getuser()}"
    except (KeyError, OSError):
        return "clerk"


_DONE: Final = {
    "register": "registered",
    "reject": "rejected",
    "invalid": "marked invalid",
    "withdraw": "withdrawn",
}
_COMMAND: Final = {
    "register": "ecms-gateway register {id}",
    "reject": "ecms-gateway reject {id} --reason TEXT",
    "invalid": "ecms-gateway invalid {id} --reason TEXT",
    "withdraw": "ecms-gateway withdraw {id}",
    "resend": "ecms-gateway resend {id} [--letter LETTER.json]",
    "invalid-accept-id": "ecms-gateway invalid-accept-id {id} --reason TEXT",
}


@contextlib.contextmanager
def _said_as_commands(store: Store, letter_id: int, command: str) -> Iterator[None]:
    """A refusal by the letter's state in the commands' words: which letter, what it is now, and the
    commands that apply to it now (the engine's own sentence speaks of its events)."""
    from ecms_gateway.services.clerk import clerk_actions  # noqa: PLC0415 - the parser imports this module

    try:
        yield
    except IllegalTransition as exc:
        letter = store.show(letter_id).letter
        whose = "a letter we received" if letter.direction is Direction.IN else "a letter we sent"
        done = _DONE.get(command, command)
        said = f"letter {letter_id} cannot be {done}: it is {whose}, now {letter.state.value}"
        allowed = clerk_actions(letter.direction, letter.state, accept_id=letter.accept_id)
        if allowed:
            said += "; what applies to it now: " + "; ".join(
                f"`{_COMMAND[a].format(id=letter_id)}`" for a in allowed
            )
        else:
            said += "; no clerk's command applies to it now (`ecms-gateway show` gives its history)"
        raise IllegalTransition(said, fault_code=exc.fault_code, fault_params=exc.fault_params) from exc


def _store(config: GatewayConfig, role: str, *, create: bool = False, where: str = WHERE_SET) -> Store:
    """The store; only ``send`` may be the first command on a new data folder, the others act on a letter
    that must be there. ``where`` names what chose the folder, for the message when there is no store."""
    from ecms_gateway.cli.stores import open_store  # noqa: PLC0415 - the parser imports this module

    return open_store(
        database_url=config.database_url,
        data_dir=config.gateway.data_dir,
        policies=config.retry_policies(),
        create=create,
        role=role,
        where_set=where,
    )


def _nudge(config: GatewayConfig, role: str) -> None:
    data_dir, url = config.gateway.data_dir, config.database_url
    wake_or_say(data_dir=data_dir, database_url=url, role=role, then="will deliver it")


def _describe(submitted: Submitted, config: GatewayConfig) -> str:
    from ecms_gateway.runtime.routing import MAIL_NOT_YET, MAIL_NOT_YET_HINT  # noqa: PLC0415 - the parser imports this module

    route = submitted.route
    if route.channel == ECMS:
        return f"letter {submitted.letter_id} queued for {route.org_id} by e-CMS ({route.node_url})"
    if config.mail is not None:
        return f"letter {submitted.letter_id} queued for {route.org_id} by saraban mail ({route.why})"
    hint = MAIL_NOT_YET_HINT.format(work="ID")  # its work item's id: `ecms-gateway queue` shows it
    return f"letter {submitted.letter_id} accepted but it waits: {route.why}; {MAIL_NOT_YET}; {hint}"


def _no_letter_file(path: Path) -> int:
    """A letter file that is not there is a usage error naming the path as given (the letter loader
    names files by their name alone, as they sit beside the letter)."""
    say_missing(path, "*.json")
    return EXIT_USAGE


def _send(args: argparse.Namespace) -> int:
    from ecms_gateway.letter.loader import load_letter_file  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.runtime.directory import load_routing  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.runtime.settings import MessageLimits  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.services import clerk  # noqa: PLC0415 - the parser imports this module

    if not args.letter.is_file():
        return _no_letter_file(args.letter)
    config = config_from_args(args)
    package = load_letter_file(args.letter)
    routing = load_routing(config)
    with _store(config, args.command, create=may_create(args), where=where_set(args)) as store:
        submitted = clerk.submit(
            store,
            package,
            routing=routing,
            secrecy=config.secrecy_policy(),
            actor=_actor(args),
            served={org.id for org in config.organizations} or None,
            limits=MessageLimits.of(config),
        )
    print(_describe(submitted, config))
    _nudge(config, args.command)
    return 0


def _register(args: argparse.Namespace) -> int:
    from ecms_gateway.services import clerk  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    with _store(config, args.command) as store, _said_as_commands(store, args.letter_id, "register"):
        before = store.letter_state(args.letter_id)
        number = clerk.register(store, args.letter_id, actor=_actor(args))
    if before is LetterState.REGISTERED:  # registering again gives the same number and queues nothing
        print(f"letter {args.letter_id} was already registered: receive number {number}; nothing new queued")
        return 0
    print(f"letter {args.letter_id} registered: receive number {number}; AcceptLetterNotifier queued")
    _nudge(config, args.command)
    return 0


def _reject(args: argparse.Namespace) -> int:
    from ecms_gateway.services import clerk  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    with _store(config, args.command) as store, _said_as_commands(store, args.letter_id, "reject"):
        clerk.reject(store, args.letter_id, reason=args.reason, actor=_actor(args))
    print(f"letter {args.letter_id} rejected; RejectLetterNotifier queued")
    _nudge(config, args.command)
    return 0


def _invalid(args: argparse.Namespace) -> int:
    from ecms_gateway.services import clerk  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    with _store(config, args.command) as store, _said_as_commands(store, args.letter_id, "invalid"):
        clerk.mark_invalid(store, args.letter_id, reason=args.reason, actor=_actor(args))
    print(f"letter {args.letter_id} marked invalid; InvalidLetterNotifier queued")
    _nudge(config, args.command)
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    from ecms_gateway.services import clerk  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    with _store(config, args.command) as store, _said_as_commands(store, args.letter_id, "withdraw"):
        clerk.withdraw(store, args.letter_id, actor=_actor(args), reason=args.reason)
    print(f"letter {args.letter_id} withdrawn; the withdrawal at the node is queued")
    _nudge(config, args.command)
    return 0


def _resend(args: argparse.Namespace) -> int:
    from ecms_gateway.letter.loader import load_letter_file  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.runtime.directory import load_routing  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.runtime.settings import MessageLimits  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.services import clerk  # noqa: PLC0415 - the parser imports this module

    if args.letter is not None and not args.letter.is_file():
        return _no_letter_file(args.letter)
    config = config_from_args(args)
    corrected = load_letter_file(args.letter) if args.letter else None
    # The store first: a missing database is the mistake to report, not routing.
    with _store(config, args.command) as store:
        routing = load_routing(config)
        submitted = clerk.resend(
            store,
            args.letter_id,
            routing=routing,
            secrecy=config.secrecy_policy(),
            actor=_actor(args),
            corrected=corrected,
            served={org.id for org in config.organizations} or None,
            limits=MessageLimits.of(config),
        )
    print(_describe(submitted, config) + f" (resend of letter {args.letter_id})")
    _nudge(config, args.command)
    return 0


def _invalid_accept_id(args: argparse.Namespace) -> int:
    from ecms_gateway.services import clerk  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    with _store(config, args.command) as store:
        report = clerk.report_wrong_accept_id(store, args.letter_id, reason=args.reason, actor=_actor(args))
    print(
        f"letter {report.letter_id}: receive number {report.accept_id} reported wrong; "
        f"InvalidAcceptIDNotifier queued (work {report.work_id})"
    )
    _nudge(config, args.command)
    return 0


def _poll_now(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    data_dir = config.gateway.data_dir
    pid = wake_gateway(data_dir)
    if pid is None:
        others = running_elsewhere(data_dir=data_dir, database_url=config.database_url, role=args.command)
        # A refusal, as the other commands' are: one line on standard error.
        if others is None:
            said = (
                f"no gateway runs on {data_dir}; start it with `ecms-gateway run`, or check {where_set(args)}"
            )
        else:
            said = (
                f"no gateway runs on {data_dir} on this machine, and poll-now wakes only one here; {others} "
                "poll the node at their next poll (ecms.poll_interval_seconds)"
            )
        print(f"ecms-gateway: {said}", file=sys.stderr)
        return 1
    print(f"asked the gateway (pid {pid}) to poll the node now")
    return 0
