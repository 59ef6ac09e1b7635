"""``Store``: the one object the runtime, the API and the web UI call to keep letters and their work.

Every method commits before it returns; nothing is acknowledged to a clerk or a channel before that.
The methods are synchronous (SQLAlchemy core); async callers run them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ecms_gateway.engine import (
    accept_id,
    audit,
    clerk,
    content_check,
    events,
    idempotency,
    intake,
    listing,
    lookup,
    mail_bounces,
    mail_letters,
    mail_queries,
    mail_replies,
    notifiers,
    overview,
    queries,
    redrive,
    sent,
    stats,
    work,
)
from ecms_gateway.engine.accept_id import WrongAcceptIdReport
from ecms_gateway.engine.content_check import ContentProblem, ContentReport
from ecms_gateway.engine.context import Clock, Context, utc_now
from ecms_gateway.engine.events import LetterEvent, Origin
from ecms_gateway.engine.idempotency import KeyState
from ecms_gateway.engine.lookup import LetterRef
from ecms_gateway.engine.mail_bounces import MailedNotifier
from ecms_gateway.engine.mail_replies import MailReply
from ecms_gateway.engine.mail_values import (
    MailLetterDraft,
    MailLetterFields,
    MailLetterState,
    MailLetterView,
)
from ecms_gateway.engine.overview import AuditLine, FailingRoute
from ecms_gateway.engine.retry import Decision, RetryPolicies
from ecms_gateway.engine.sent_values import Outgoing, SentDraft
from ecms_gateway.engine.states import Direction, Event, LetterState, WorkKind, WorkState
from ecms_gateway.engine.values import (
    Accepted,
    AuditReport,
    Claim,
    Confirmation,
    HourActivity,
    LetterDetail,
    LetterFacts,
    LetterPage,
    LetterQuery,
    LetterSummary,
    NotifierIn,
    NotifierResult,
    QueueRow,
    QueueStat,
    RefusedView,
    SignatureMark,
    Transition,
    UnmatchedNotifier,
)
from ecms_gateway.letter.model import FileData, Letter, LetterPackage
from ecms_gateway.store import revision
from ecms_gateway.store.database import Database, default_data_dir, resolve_url
from ecms_gateway.store.files import FileStore, LocalFileStore

if TYPE_CHECKING:  # the access package builds on the engine (audit), so it is imported late
    from ecms_gateway.access import Access

DEFAULT_LEASE = timedelta(minutes=5)


class Store:
    """Letters, their files, the outbox/inbox work queue, notifiers, registry numbers and the audit chain.

    ``Store(data_dir=...)`` uses SQLite in that folder; ``Store(database_url=...)`` PostgreSQL. An empty
    database is migrated on open (``prepare=False`` skips that); an outdated one is refused with
    ``SchemaOutdated`` until ``ecms-gateway db upgrade`` runs. ``application_name`` names its
    PostgreSQL sessions (``store.sessions.session_name``): the process that opens the store says what it is.
    """

    def __init__(
        self,
        *,
        database_url: str | None = None,
        data_dir: Path | None = None,
        clock: Clock = utc_now,
        policies: RetryPolicies | None = None,
        file_store: FileStore | None = None,
        prepare: bool = True,
        application_name: str | None = None,
    ) -> None:
        folder = data_dir if data_dir is not None else default_data_dir()
        self.data_dir = folder
        """The gateway's local folder (its SQLite database, if any, and its files)."""
        db = Database(
            resolve_url(data_dir=folder, database_url=database_url), application_name=application_name
        )
        if prepare:
            try:
                if not revision.is_current(
                    db
                ):  # one SELECT; Alembic only for a database to migrate or refuse
                    from ecms_gateway.store import migrate  # noqa: PLC0415 - loads Alembic

                    migrate.prepare(db)
            except BaseException:
                db.dispose()
                raise
        self._ctx = Context(
            db=db,
            files=file_store if file_store is not None else LocalFileStore(folder / "files"),
            clock=clock,
            policies=policies or RetryPolicies(),
        )

    @property
    def db(self) -> Database:
        return self._ctx.db

    @property
    def access(self) -> Access:
        """Users, API keys and web sessions in the same database."""
        from ecms_gateway.access import Access  # noqa: PLC0415 - see the TYPE_CHECKING import

        return Access(self._ctx.db, clock=self._ctx.clock)

    def close(self) -> None:
        self._ctx.db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # Intake: committed before it is acknowledged.
    def accept_outbound(
        self,
        package: LetterPackage,
        *,
        actor: str,
        channel: str,
        resend_of: int | None = None,
        origin: Origin | None = None,
    ) -> int:
        return intake.accept_outbound(
            self._ctx, package, actor=actor, channel=channel, resend_of=resend_of, origin=origin
        )

    def accept_inbound(self, raw: bytes, *, channel: str, process_id: str, actor: str) -> Accepted:
        return intake.accept_inbound(self._ctx, raw, channel=channel, process_id=process_id, actor=actor)

    def record_inbound_letter(
        self,
        inbox_id: int,
        package: LetterPackage,
        *,
        actor: str,
        signature: SignatureMark,
        register_as: str | None = None,
    ) -> Accepted:
        return intake.record_inbound_letter(
            self._ctx, inbox_id, package, actor=actor, signature=signature, register_as=register_as
        )

    # Workers.
    def claim(
        self,
        channel: str,
        worker: str,
        *,
        lease: timedelta = DEFAULT_LEASE,
        kinds: Collection[WorkKind] = (),
        look_first: bool = True,
    ) -> Claim | None:
        return work.claim(
            self._ctx, channel=channel, worker=worker, lease=lease, kinds=kinds, look_first=look_first
        )

    def complete(
        self,
        work_id: int,
        *,
        worker: str,
        note: str | None = None,
        confirmation: Confirmation | None = None,
    ) -> None:
        work.complete(self._ctx, work_id, worker=worker, note=note, confirmation=confirmation)

    def complete_and_claim(
        self,
        work_id: int,
        *,
        worker: str,
        note: str | None = None,
        confirmation: Confirmation | None = None,
        channel: str,
        lease: timedelta = DEFAULT_LEASE,
        kinds: Collection[WorkKind] = (),
    ) -> Claim | None:
        """``complete`` and the next ``claim`` in one transaction (one commit per item for busy workers)."""
        return work.complete_and_claim(
            self._ctx,
            work_id,
            worker=worker,
            note=note,
            confirmation=confirmation,
            channel=channel,
            lease=lease,
            kinds=kinds,
        )

    def fail(self, work_id: int, *, worker: str, error: BaseException) -> Decision:
        return work.fail(self._ctx, work_id, worker=worker, error=error)

    def release(self, work_id: int, *, worker: str, reason: str = "released: the worker stopped") -> None:
        """Give a claimed item back untried: ready now, the attempt not counted (graceful shutdown)."""
        work.release(self._ctx, work_id, worker=worker, reason=reason)

    # The sent-message archive (engine/sent.py): persist, then send; confirmed with the completion.
    def archive_sent(self, draft: SentDraft, *, actor: str) -> Outgoing:
        """Keep a message before its first try (or return the one this run kept already)."""
        return sent.archive(self._ctx, draft, actor=actor)

    def sent_of_run(self, work_id: int, *, run_started_at: datetime) -> Outgoing | None:
        """The message the run of tries of ``work_id`` begun at ``run_started_at`` archived, if any."""
        return sent.of_run(self._ctx, work_id, run_started_at=run_started_at)

    def load_sent(self, sent_id: int) -> bytes:
        """The bytes of an archived message, checked against their SHA-256."""
        return sent.load(self._ctx, sent_id)

    def load_package(self, letter_id: int) -> LetterPackage:
        return queries.load_package(self._ctx, letter_id)

    def load_letter(self, letter_id: int) -> Letter:
        """The letter's JSON (format v1) alone, for readers that do not need its files."""
        return queries.load_letter(self._ctx, letter_id)

    def load_raw(self, inbox_id: int) -> bytes:
        return queries.load_raw(self._ctx, inbox_id)

    def find_letter(
        self,
        *,
        direction: Direction,
        book_no: str,
        letter_date: date,
        sender_orgs: Collection[str] = (),
        receiver_orgs: Collection[str] = (),
    ) -> LetterRef | None:
        """A letter by its e-CMS key (how notifiers name it); see engine/lookup.py."""
        return lookup.find_letter(
            self._ctx,
            direction=direction,
            book_no=book_no,
            letter_date=letter_date,
            sender_orgs=sender_orgs,
            receiver_orgs=receiver_orgs,
        )

    def letter_state(self, letter_id: int) -> LetterState:
        return lookup.letter_state(self._ctx, letter_id)

    def work_done(self, letter_id: int, kind: WorkKind) -> bool:
        """True when a work item of ``kind`` for the letter is done."""
        return lookup.work_done(self._ctx, letter_id, kind)

    def wrong_accept_id_report(self, work_id: int) -> WrongAcceptIdReport:
        """The report of a wrong receive number that work item ``work_id`` sends."""
        return accept_id.report_of_work(self._ctx, work_id)

    # Letters: clerks and notifiers.
    def apply_event(
        self, letter_id: int, event: Event, *, actor: str, reason: str | None = None
    ) -> Transition:
        return clerk.apply_event(self._ctx, letter_id, event, actor=actor, reason=reason)

    def register_inbound(self, letter_id: int, *, actor: str, reason: str | None = None) -> int:
        return clerk.register_inbound(self._ctx, letter_id, actor=actor, reason=reason)

    def withdraw(self, letter_id: int, *, actor: str, reason: str | None = None) -> Transition:
        return clerk.apply_event(self._ctx, letter_id, Event.WITHDRAW, actor=actor, reason=reason)

    def report_wrong_accept_id(self, letter_id: int, *, reason: str, actor: str) -> WrongAcceptIdReport:
        """Record that the receive number our letter's receiver gave is wrong and queue the
        InvalidAcceptIDNotifier with ``reason`` (one commit); see engine/accept_id.py."""
        return accept_id.report(self._ctx, letter_id, reason=reason, actor=actor)

    def match_notifier(self, notifier: NotifierIn, *, actor: str) -> NotifierResult:
        return notifiers.match_notifier(self._ctx, notifier, actor=actor)

    def accept_notifier(
        self, raw: bytes, notifier: NotifierIn, *, channel: str, process_id: str, actor: str, applier: str
    ) -> tuple[Accepted, NotifierResult | None]:
        """Store a decoded, verified notifier and match it in one transaction (no inbound work)."""
        return notifiers.accept_notifier(
            self._ctx, raw, notifier, channel=channel, process_id=process_id, actor=actor, applier=applier
        )

    def record_bounce(self, letter_id: int, *, actor: str, reason: str) -> Transition:
        return notifiers.record_bounce(self._ctx, letter_id, actor=actor, reason=reason)

    # Operators.
    def redrive(
        self,
        work_ids: Sequence[int] = (),
        *,
        actor: str,
        channel: str | None = None,
        reason: str | None = None,
    ) -> tuple[int, ...]:
        return redrive.redrive(self._ctx, actor=actor, work_ids=work_ids, channel=channel, reason=reason)

    def queue(
        self,
        *,
        work_state: WorkState | None = None,
        letter_state: LetterState | None = None,
        channel: str | None = None,
    ) -> list[QueueRow]:
        return queries.queue(self._ctx, work_state=work_state, letter_state=letter_state, channel=channel)

    def show(self, letter_id: int) -> LetterDetail:
        return queries.letter_detail(self._ctx, letter_id)

    def letter_facts(self, letter_id: int) -> LetterFacts:
        """The letter and its history, and whether its ReceiveLetterNotifier has gone (for notifiers)."""
        return queries.letter_facts(self._ctx, letter_id)

    def refused_events(self) -> list[RefusedView]:
        return queries.refused_events(self._ctx)

    def unmatched_notifiers(self) -> list[UnmatchedNotifier]:
        return queries.unmatched_notifiers(self._ctx)

    # Lists, registry books and figures for the API, the web pages and the metrics.
    def letters(self, query: LetterQuery, *, offset: int = 0, limit: int = 50) -> LetterPage:
        return listing.letters(self._ctx, query, offset=offset, limit=limit)

    def registry_book(
        self, direction: Direction, *, org: str, date_from: date, date_to: date
    ) -> list[LetterSummary]:
        return listing.registry_book(self._ctx, direction, org=org, date_from=date_from, date_to=date_to)

    def load_file(self, letter_id: int, position: int) -> FileData:
        return listing.load_file(self._ctx, letter_id, position)

    def queue_stats(self) -> list[QueueStat]:
        return stats.queue_stats(self._ctx)

    def letter_counts(self) -> dict[tuple[Direction, LetterState, str], int]:
        return stats.letter_counts(self._ctx)

    def activity(self, *, since: datetime) -> list[HourActivity]:
        return stats.activity(self._ctx, since=since)

    # Idempotency keys of API submissions (see engine/idempotency.py).
    def reserve_idempotency_key(self, *, principal: str, key: str, digest: str) -> KeyState:
        return idempotency.reserve(self._ctx, principal=principal, key=key, digest=digest)

    def complete_idempotency_key(self, *, principal: str, key: str, letter_id: int) -> None:
        idempotency.complete(self._ctx, principal=principal, key=key, letter_id=letter_id)

    def release_idempotency_key(self, *, principal: str, key: str) -> None:
        idempotency.release(self._ctx, principal=principal, key=key)

    def verify_audit(self) -> AuditReport:
        with self._ctx.db.read() as conn:
            return audit.verify(conn)

    def check_content(
        self, *, on_problem: Callable[[ContentProblem], None], batch: int = content_check.BATCH
    ) -> ContentReport:
        """Every letter file, received item, sent message and letter record against the SHA-256 the
        database recorded for it, ``batch`` rows per read transaction; each problem goes to
        ``on_problem`` as it is found (engine/content_check.py)."""
        return content_check.check(self._ctx, on_problem=on_problem, batch=batch)

    # The saraban mail channel: letters people sent by mail, for a clerk (see services/mail_letters.py),
    # and the Message-IDs of mailed letters, for bounces.
    def record_mail_letter(self, draft: MailLetterDraft, *, actor: str) -> Accepted:
        return mail_letters.record(self._ctx, draft, actor=actor)

    def open_mail_letters(self) -> list[MailLetterView]:
        return mail_letters.open_records(self._ctx)

    def mail_letters_in(
        self, states: Collection[MailLetterState] = (), *, newest_first: bool = False, limit: int = 1000
    ) -> list[MailLetterView]:
        return mail_queries.records(self._ctx, states=states, newest_first=newest_first, limit=limit)

    def count_open_mail_letters(self) -> int:
        return mail_queries.count_open(self._ctx)

    def mail_letter(self, record_id: int) -> MailLetterView:
        return mail_letters.view(self._ctx, record_id)

    def mail_letter_files(self, record_id: int) -> tuple[FileData, ...]:
        return mail_letters.files(self._ctx, record_id)

    def mail_letter_of_letter(self, letter_id: int) -> MailLetterView | None:
        return mail_letters.of_letter(self._ctx, letter_id)

    def begin_mail_letter_confirm(
        self, record_id: int, *, actor: str, stale: timedelta = DEFAULT_LEASE
    ) -> MailLetterView:
        return mail_letters.begin_confirm(self._ctx, record_id, actor=actor, stale=stale)

    def release_mail_letter_confirm(self, record_id: int) -> None:
        mail_letters.release_confirm(self._ctx, record_id)

    def finish_mail_letter_confirm(
        self, record_id: int, *, letter_id: int, fields: MailLetterFields, actor: str
    ) -> MailLetterView:
        return mail_letters.finish_confirm(
            self._ctx, record_id, letter_id=letter_id, fields=fields, actor=actor
        )

    def dismiss_mail_letter(self, record_id: int, *, reason: str, actor: str) -> MailLetterView:
        return mail_letters.dismiss(self._ctx, record_id, reason=reason, actor=actor)

    def inbound_letter_of_inbox(self, inbox_id: int) -> int | None:
        return mail_letters.letter_of_inbox(self._ctx, inbox_id)

    def record_mailed(self, *, message_id: str, letter_id: int) -> None:
        mail_letters.record_mailed(self._ctx, message_id=message_id, letter_id=letter_id)

    def letter_of_mailed(self, message_id: str) -> int | None:
        return mail_letters.letter_of_message(self._ctx, message_id)

    def mailed_message_id(self, letter_id: int) -> str | None:
        return mail_queries.message_id_of_letter(self._ctx, letter_id)

    def notifier_of_mailed(self, message_id: str) -> MailedNotifier | None:
        """The notifier we mailed under ``message_id``, about a letter we received."""
        return mail_bounces.notifier_of_message(self._ctx, message_id)

    def record_notifier_bounce(
        self, notifier: MailedNotifier, *, message_id: str, reason: str, actor: str
    ) -> bool:
        """Note on the letter that its sender was not told (the notifier mail bounced); False if noted."""
        return mail_bounces.record(self._ctx, notifier, message_id=message_id, reason=reason, actor=actor)

    def record_mail_reply(self, letter_id: int, reply: MailReply, *, actor: str) -> bool:
        """Note a person's answer by mail on our letter (its state unchanged); False if noted already."""
        return mail_replies.record(self._ctx, letter_id, reply, actor=actor)

    # Readers that follow the letters' events (webhooks, folder export); see engine/events.py.
    @property
    def clock(self) -> Clock:
        return self._ctx.clock

    def letter_by_origin(self, origin: Origin) -> int | None:
        with self._ctx.db.read() as conn:
            return events.find_origin(conn, origin)

    def letter_events(self, *, after_seq: int, limit: int = 100) -> list[LetterEvent]:
        with self._ctx.db.read() as conn:
            return events.letter_events(conn, after_seq=after_seq, limit=limit)

    def last_event_seq(self) -> int:
        with self._ctx.db.read() as conn:
            return events.last_seq(conn)

    def event_cursor(self, name: str) -> int | None:
        with self._ctx.db.read() as conn:
            return events.cursor(conn, name)

    def move_event_cursor(self, name: str, seq: int) -> None:
        with self._ctx.db.write() as conn:
            events.move_cursor(conn, name, seq, now=self._ctx.clock())

    def event_cursors(self, prefix: str) -> dict[str, int]:
        """Every cursor whose name starts with ``prefix`` (a reader's own records kept as cursors)."""
        with self._ctx.db.read() as conn:
            return events.cursors(conn, prefix)

    def drop_event_cursor(self, name: str) -> None:
        with self._ctx.db.write() as conn:
            events.drop_cursor(conn, name)

    # Operators' dashboard (engine/overview.py).
    def failing_routes(self) -> list[FailingRoute]:
        return overview.failing_routes(self._ctx)

    def audit_lines(self, *, before: int | None = None, limit: int = 100) -> list[AuditLine]:
        return overview.audit_lines(self._ctx, before=before, limit=limit)
