"""Operator commands on the store: ``db upgrade``, ``db downgrade``, ``queue``, ``retry``, ``show``,
``problems``, ``audit verify``, ``audit export`` (written by ``evidence_cmds``), ``audit files``
(``content_cmds``).

Each takes ``--data-dir`` (the file store, and SQLite there) and ``--database-url`` (PostgreSQL instead
of that SQLite), each defaulting to the configuration's, the environment's or ``./var``.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ecms_gateway.cli.arguments import add_channel_option, record_id
from ecms_gateway.cli.content_cmds import add_files, check_files
from ecms_gateway.cli.evidence_cmds import add_export, export
from ecms_gateway.cli.settings import NOTHING_GIVEN, add_store_options, config_from_args, may_create
from ecms_gateway.cli.work_advice import dead_attempts_advice, dead_rows_advice
from ecms_gateway.durations import age
from ecms_gateway.engine.states import LetterState, WorkState
from ecms_gateway.engine.values import SignatureMark
from ecms_gateway.errors import StoreError
from ecms_gateway.runtime.control import running_pid
from ecms_gateway.store.location import DATA_DIR_ENV, DATABASE_URL_ENV

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ecms_gateway.config import GatewayConfig
    from ecms_gateway.engine import Store
    from ecms_gateway.engine.evidence import EvidenceRecords
    from ecms_gateway.engine.values import LetterDetail, LetterSummary, QueueRow
    from ecms_gateway.store.database import Database

DOWNGRADED: Final = "db.downgraded"
"""The audit action of one step of ``db downgrade`` (detail: the revisions it went from and to)."""

_WHERE_SET = f"gateway.data_dir (or --data-dir / {DATA_DIR_ENV})"
_SET_DATABASE = f"give --database-url (or set {DATABASE_URL_ENV} or gateway.database_url)"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    where = argparse.ArgumentParser(add_help=False)
    add_store_options(where)

    db = subparsers.add_parser("db", help="manage the database schema")
    db_sub = db.add_subparsers(title="db commands", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", parents=[where], help="apply the schema migrations")
    upgrade.set_defaults(func=_db_upgrade)
    downgrade = db_sub.add_parser(
        "downgrade",
        parents=[where],
        help="take the schema back to an earlier revision (before installing an older release)",
        description=(
            "Undo the migrations above REVISION, newest first, one transaction each, and record each in "
            "the audit log. A step that would lose rows (received items, sent messages, mailed letters, "
            "webhooks, users...) refuses and says how many of what; the database stays at the revision "
            "it had before that step. Stop every gateway process and back up first."
        ),
    )
    downgrade.add_argument("revision", metavar="REVISION", help="the revision to go to (e.g. 0008)")
    downgrade.add_argument("--reason", help="why (kept in the audit log)")
    downgrade.set_defaults(func=_db_downgrade)

    states = [s.value for s in WorkState] + [s.value for s in LetterState]
    queue = subparsers.add_parser("queue", parents=[where], help="what is where, oldest first")
    queue.add_argument(
        "--state", choices=states, help="a work state (ready, leased, dead, done) or a letter state"
    )
    add_channel_option(queue, "only this channel")
    queue.set_defaults(func=_queue)

    retry = subparsers.add_parser("retry", parents=[where], help="send dead letters again")
    retry.add_argument("ids", nargs="*", type=record_id, metavar="ID", help="work item ids (from `queue`)")
    retry.add_argument("--dead", action="store_true", help="every dead letter (of --channel)")
    add_channel_option(retry, "with --dead: only this channel")
    retry.add_argument("--reason", help="why (kept in the audit log)")
    retry.set_defaults(func=_retry)

    show = subparsers.add_parser("show", parents=[where], help="a letter, its history and attempts")
    show.add_argument("letter_id", type=record_id, metavar="ID", help="letter id")
    show.set_defaults(func=_show)

    problems = subparsers.add_parser(
        "problems", parents=[where], help="refused events and unmatched notifiers"
    )
    problems.set_defaults(func=_problems)

    audit = subparsers.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(title="audit commands", metavar="ACTION", required=True)
    verify = audit_sub.add_parser("verify", parents=[where], help="check the hash chain")
    verify.set_defaults(func=_audit_verify)
    add_export(audit_sub, where, _audit_export)
    add_files(audit_sub, where, _audit_files)


def _url(args: argparse.Namespace, config: GatewayConfig | None = None) -> tuple[str, Path]:
    """The database URL and the data folder: each from its option when given, else from the
    configuration (which the environment overrides), else from the environment or ./var. With
    PostgreSQL the data folder still holds the file store, so ``--database-url`` keeps the configured
    folder and ``--data-dir`` the configured database."""
    from ecms_gateway.store.database import resolve_url  # noqa: PLC0415 - the parser imports this module

    if config is None:
        config = config_from_args(args)
    data_dir: Path = args.data_dir if args.data_dir is not None else config.gateway.data_dir
    url = args.database_url or config.database_url
    return resolve_url(data_dir=data_dir, database_url=url), data_dir


def _where_set(args: argparse.Namespace, config: GatewayConfig) -> str:
    """What chose the SQLite database, for the message of a command that found none there: the URL when
    one was given (``--database-url``, the variable or ``gateway.database_url``), else the data folder;
    nothing at all (a forgotten ``--config``) is said as such."""
    if args.database_url:
        return "--database-url"
    if config.database_url:
        return DATABASE_URL_ENV if os.environ.get(DATABASE_URL_ENV) else "gateway.database_url"
    if args.data_dir is None and not may_create(args):
        return NOTHING_GIVEN
    return _WHERE_SET


def open_given(args: argparse.Namespace) -> Store:
    """The store, which must exist: every command here but ``db upgrade`` reads or redrives what is there
    (and ``letters``): ``--data-dir`` and ``--database-url``, else the configuration's, else the
    environment's."""
    from ecms_gateway.cli.stores import open_store  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    url, data_dir = _url(args, config)
    return open_store(
        data_dir=data_dir,
        database_url=url,
        policies=config.retry_policies(),
        create=False,
        role=args.command,
        where_set=_where_set(args, config),
        set_database=_SET_DATABASE,
    )


_Handler = Callable[[argparse.Namespace], int]


def _db_errors(handler: _Handler) -> _Handler:
    """A database that cannot be reached or opened is one sentence for the operator, not a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 - the parser imports this module

        from ecms_gateway.cli.stores import first_line  # noqa: PLC0415 - the parser imports this module

        try:
            return handler(args)
        except DBAPIError as exc:
            raise StoreError(f"cannot use the database: {first_line(exc.orig or exc)}") from exc

    return run


def _actor() -> str:
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):
        return "operator"


@_db_errors
def _db_upgrade(args: argparse.Namespace) -> int:
    from ecms_gateway.cli.stores import check_database_of_folder, make_folder, mark_database_of_folder  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store import migrate  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store.database import Database, sqlite_file, url_without_secrets  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store.sessions import session_name  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    url, data_dir = _url(args, config)
    check_database_of_folder(data_dir, url, set_database=_SET_DATABASE, mark=False)
    database = sqlite_file(url)
    if database is not None:
        where = _where_set(args, config)
        make_folder(database.parent, where_set=_WHERE_SET if where == NOTHING_GIVEN else where)
    db = Database(url, application_name=session_name(args.command))
    try:
        _refuse_while_running(db, data_dir)
        before, after = migrate.upgrade(db)
    finally:
        db.dispose()
    mark_database_of_folder(data_dir, url)  # once it answered: a server out of reach marks nothing
    shown = url_without_secrets(db.engine.url)
    if before == after:
        print(f"database {shown} is already at revision {after}")
    else:
        print(f"database {shown} upgraded from revision {before or '(empty)'} to {after}")
    return 0


_UPGRADE_WARNING: Final = (
    "before starting the upgraded ones (one left running on the previous version keeps working on the "
    "new schema and does not archive what it sends)"
)
_DOWNGRADE_WARNING: Final = (
    "before starting the older release (one left running on this version goes on using tables and "
    "columns the downgrade took away, and fails)"
)


def _refuse_while_running(
    db: Database, data_dir: Path, *, rerun: str = "db upgrade", warning: str = _UPGRADE_WARNING
) -> None:
    """A gateway left running through a migration keeps working on the changed tables with its code
    (it never looks at the schema again, and sends without archiving): stop it first. ``db upgrade``
    leaves a database already at this version's head alone, so running it again is harmless; ``rerun``
    is the command to run again, ``warning`` what a process left running would do."""
    from ecms_gateway.store import migrate  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store.sessions import describe_all, other_sessions  # noqa: PLC0415 - the parser imports this module

    if rerun == "db upgrade":
        with db.read() as conn:
            if migrate.current_revision(conn) == migrate.head_revision():
                return
    pid = running_pid(data_dir)
    if pid is not None:
        raise StoreError(
            f"a gateway runs on {data_dir} (process {pid}): stop it (`systemctl stop ecms-gateway`), and "
            f"every other gateway process on this database, then run `ecms-gateway {rerun}` again"
        )
    others = other_sessions(db)
    serving = describe_all(session for session in others if session.serving)
    if serving:
        raise StoreError(
            f"gateway processes are connected to this database ({serving}): stop each of them on its "
            f"machine (`systemctl stop ecms-gateway` there), then run `ecms-gateway {rerun}` again"
        )
    if others:
        print(
            f"warning: {len(others)} other session(s) are connected to this database "
            f"({describe_all(others)}); none says it is a running gateway, "
            "but gateways older than this version do not say so: stop every gateway process, on every "
            f"machine, {warning}",
            file=sys.stderr,
        )


@_db_errors
def _db_downgrade(args: argparse.Namespace) -> int:
    """Take the schema down to ``args.revision`` for an older release; each step is an audit entry
    (``db.downgraded``, from and to) in the step's own transaction, so the chain says how far it got.

    No confirmation is asked, as no other store command asks one: a step that would lose rows refuses
    by itself, so what a downgrade drops is empty (or derived again by the upgrade)."""
    from ecms_gateway.cli.stores import check_database_of_folder, require_database  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.engine import audit  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.engine.context import utc_now  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store import migrate  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store.database import Database, sqlite_file, url_without_secrets  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store.sessions import session_name  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    url, data_dir = _url(args, config)
    check_database_of_folder(data_dir, url, set_database=_SET_DATABASE, mark=False)
    database = sqlite_file(url)
    if database is not None:  # a missing file would be made empty, and there is nothing to take down
        where = _where_set(args, config)
        require_database(database, where_set=_WHERE_SET if where == NOTHING_GIVEN else where)
    actor = _actor()

    def record(conn: Connection, upper: str, lower: str) -> None:
        detail = {"from": upper, "to": lower}
        audit.append(conn, at=utc_now(), actor=actor, action=DOWNGRADED, reason=args.reason, detail=detail)

    db = Database(url, application_name=session_name(args.command))
    try:
        with db.read() as conn:
            current = migrate.current_revision(conn)
        steps = migrate.downgrade_steps(current, args.revision)  # a wrong REVISION before anything else
        if steps:
            _refuse_while_running(db, data_dir, rerun="db downgrade", warning=_DOWNGRADE_WARNING)
            before, after = migrate.downgrade(db, args.revision, step=record)
    finally:
        db.dispose()
    shown = url_without_secrets(db.engine.url)
    if not steps:
        print(f"database {shown} is already at revision {args.revision}")
        return 0
    print(
        f"database {shown} downgraded from revision {before} to {after}; this version of the gateway "
        f"does not run on it: install the release that needs {after} (`ecms-gateway db upgrade` takes it "
        "up again)"
    )
    return 0


@_db_errors
def _queue(args: argparse.Namespace) -> int:
    work_state = WorkState(args.state) if args.state in WorkState._value2member_map_ else None
    letter_state = LetterState(args.state) if args.state and work_state is None else None
    with open_given(args) as store:
        rows = store.queue(work_state=work_state, letter_state=letter_state, channel=args.channel)
        refused, unmatched = len(store.refused_events()), len(store.unmatched_notifiers())
    now = datetime.now(UTC)
    table = [
        [
            str(r.work_id),
            r.kind.value,
            r.channel,
            r.state.value,
            str(r.letter_id or ""),
            r.book_no or "",
            r.letter_state.value if r.letter_state else "",
            str(r.attempts),
            age(now - r.created_at),
            _when(r, now),
            _short(r.last_error or ""),
        ]
        for r in rows
    ]
    headers = [
        "ID",
        "KIND",
        "CHANNEL",
        "STATE",
        "LETTER",
        "BOOK NO",
        "LETTER STATE",
        "TRIES",
        "AGE",
        "NEXT",
        "LAST ERROR",
    ]
    print(format_table(headers, table) if table else "nothing in the queue")
    cut = [r for r in rows if r.last_error and _short(r.last_error) != r.last_error]
    if cut:  # the whole reason, which `show` cannot give for an item without a letter
        print("\nlast errors in full:")
        for r in cut:
            print(f"  {r.work_id}: {r.last_error}")
    for line in dead_rows_advice(rows):
        print(f"\n{line}")
    if refused or unmatched:
        print(f"\n{refused} refused event(s), {unmatched} unmatched notifier(s): see `ecms-gateway problems`")
    return 0


def _short(error: str) -> str:
    """The table's LAST ERROR: up to 60 characters, ending in … when cut (printed in full below)."""
    return error if len(error) <= ERROR_WIDTH else error[: ERROR_WIDTH - 1] + "…"


ERROR_WIDTH = 60


def _when(row: QueueRow, now: datetime) -> str:
    if row.state is WorkState.LEASED and row.lease_until is not None:
        return f"lease {row.lease_owner} {age(row.lease_until - now)}"
    if row.state is WorkState.READY:
        return "now" if row.next_try_at <= now else f"in {age(row.next_try_at - now)}"
    return ""


@_db_errors
def _retry(args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.dead):
        print("ecms-gateway retry: give work item IDs or --dead, not both and not neither", file=sys.stderr)
        return 2
    if args.channel and not args.dead:
        print("ecms-gateway retry: --channel goes with --dead", file=sys.stderr)
        return 2
    with open_given(args) as store:
        done = store.redrive(args.ids, actor=_actor(), channel=args.channel, reason=args.reason)
    print(f"redriven {len(done)} work item(s)" + (f": {', '.join(map(str, done))}" if done else ""))
    return 0


@_db_errors
def _show(args: argparse.Namespace) -> int:
    from ecms_gateway.engine.evidence import letter_records  # noqa: PLC0415 - the parser imports this module

    with open_given(args) as store:
        detail = store.show(args.letter_id)
        records = letter_records(store.db, args.letter_id)
    print(render_detail(detail, records))
    return 0


_SIGNATURE_WORDS: Final = {
    SignatureMark.VERIFIED: "verified (signed by a signer trusted for the sender)",
    SignatureMark.UNSIGNED_ACCEPTED: "UNSIGNED: accepted by the partner's accept-and-flag policy; nothing "
    "proves who sent it",
    SignatureMark.BY_PERSON: "none (a person's mailed letter, entered by a clerk)",
    SignatureMark.LEGACY: "not recorded (received before the gateway kept it; see the history)",
}


def _signature_line(letter: LetterSummary) -> list[str]:
    """How the sender of a received letter was established; nothing for ours."""
    if letter.signature is None:
        return []
    return [f"  signature {_SIGNATURE_WORDS[letter.signature]}"]


def render_detail(d: LetterDetail, records: EvidenceRecords) -> str:
    """The letter, then what its evidence export holds (``evidence_show``), attempts, refusals, sent."""
    from ecms_gateway.cli.evidence_show import evidence_lines  # noqa: PLC0415 - the parser imports this module

    letter = d.letter
    registry = (
        f"{letter.registry_no}/{letter.registry_year + 543}"
        if letter.registry_no and letter.registry_year
        else "-"
    )
    lines = [
        f"letter {letter.id} ({letter.direction.value}bound, {letter.channel}): {letter.state.value}",
        f"  book no   {letter.book_no}  of {letter.letter_date.isoformat()}",
        f"  subject   {letter.subject}",
        f"  from      {letter.sender_org}  to {letter.receiver_org}",
        f"  registry  {registry}"
        + (f"  given {_ts(records.letter.numbered_at)}" if records.letter.numbered_at else "")
        + (f"  accepted as {letter.accept_id}" if letter.accept_id else ""),
        *_signature_line(letter),
        "files:",
        *(f"  {name}  {mime}  {size} bytes  sha256 {sha[:16]}…" for name, mime, size, sha in d.files),
        *evidence_lines(records, functools.partial(format_table, indent=2)),
    ]
    if d.attempts:
        lines += [
            "attempts:",
            format_table(
                ["WORK", "KIND", "#", "WORKER", "STARTED", "ENDED", "OUTCOME", "ERROR"],
                [
                    [
                        str(a.work_id),
                        a.kind.value,
                        str(a.number),
                        a.worker,
                        _ts(a.started_at),
                        _ts(a.ended_at) if a.ended_at else "",
                        a.outcome or "",
                        a.error or "",
                    ]
                    for a in d.attempts
                ],
                indent=2,
            ),
            *(f"  {line}" for line in dead_attempts_advice(d.attempts)),
        ]
    if d.refused:
        lines += ["refused events:", *(f"  {_ts(r.at)}  {r.actor}: {r.reason}" for r in d.refused)]
    return "\n".join(lines + _sent(d) + _replies(d))


def _sent(d: LetterDetail) -> list[str]:
    """The messages we sent about the letter, as archived before their first try."""
    if not d.sent:
        return []
    rows = [
        [
            str(m.id),
            _ts(m.created_at),
            m.what.value,
            m.channel,
            m.message_id,
            _ts(m.confirmed_at) if m.confirmed_at else "not confirmed",
            m.confirmation or "",
            f"{m.size} bytes",
        ]
        for m in d.sent
    ]
    return [
        "sent messages (archived byte for byte; `ecms-gateway audit export` writes them out):",
        format_table(
            ["ID", "ARCHIVED", "WHAT", "CHANNEL", "MESSAGE ID", "CONFIRMED", "ANSWER", "SIZE"], rows, indent=2
        ),
    ]


def _replies(d: LetterDetail) -> list[str]:
    """What people answered by mail (noted only: the letter's state is what their system told us)."""
    from ecms_gateway.engine.mail_replies import replies_in  # noqa: PLC0415 - the parser imports this module

    found = replies_in(d.history)
    if not found:
        return []
    lines = ["replies by mail (a person's words; they change nothing):"]
    for entry, reply in found:
        when = _ts(reply.mail_date) if reply.mail_date else _ts(entry.at)
        number = f"  receive number they give: {reply.receive_no}" if reply.receive_no else ""
        lines.append(f"  {when}  {reply.who}  (inbox item {reply.inbox_id}){number}")
        lines += [f"    | {line}" for line in (reply.text or "(no words)").splitlines()]
    return lines


@_db_errors
def _problems(args: argparse.Namespace) -> int:
    with open_given(args) as store:
        refused, unmatched = store.refused_events(), store.unmatched_notifiers()
    print("refused events:" if refused else "no refused events")
    if refused:
        print(
            format_table(
                ["ID", "AT", "LETTER", "EVENT", "STATE", "WHO", "WHY"],
                [
                    [str(r.id), _ts(r.at), str(r.letter_id or ""), r.event, r.state, r.actor, r.reason]
                    for r in refused
                ],
                indent=2,
            )
        )
    print("unmatched notifiers:" if unmatched else "no unmatched notifiers")
    if unmatched:
        print(
            format_table(
                ["ID", "RECEIVED", "KIND", "SENDER DEPT", "BOOK NO", "DATE", "ACCEPT ID"],
                [
                    [
                        str(n.id),
                        _ts(n.received_at),
                        n.kind.value,
                        n.sender_dept,
                        n.book_no,
                        n.letter_date.isoformat(),
                        n.accept_id or "",
                    ]
                    for n in unmatched
                ],
                indent=2,
            )
        )
    return 0


@_db_errors
def _audit_export(args: argparse.Namespace) -> int:
    url, _ = _url(args)
    return export(args, open_store=lambda: open_given(args), database_url=url)


@_db_errors
def _audit_files(args: argparse.Namespace) -> int:
    return check_files(args, open_store=lambda: open_given(args))


@_db_errors
def _audit_verify(args: argparse.Namespace) -> int:
    with open_given(args) as store:
        report = store.verify_audit()
    if report.ok:
        print(f"audit chain intact: {report.checked} entries checked")
        return 0
    print(f"audit chain broken at entry {report.first_bad}: {report.problem}", file=sys.stderr)
    print(
        f"({report.checked} entries before it are intact; from entry {report.first_bad} on the chain proves "
        "nothing.) Keep a copy of this database as it is, then run `ecms-gateway audit verify --data-dir "
        "COPY` on a backup restored to another folder: the last backup whose chain is intact holds the "
        'entries as they were (docs/operations.md, "Proving what happened")',
        file=sys.stderr,
    )
    return 1


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def display_width(text: str) -> int:
    """Terminal columns: Thai vowel and tone marks take none, wide characters two."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, indent: int = 0) -> str:
    """Columns aligned by display width (Thai text included), two spaces apart."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = []
    for row in (headers, *rows):
        cells = [cell + " " * (w - display_width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append(" " * indent + "  ".join(cells).rstrip())
    return "\n".join(lines)
