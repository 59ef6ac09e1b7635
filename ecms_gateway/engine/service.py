"""``Store``: the one object the runtime, the API and the web UI call to keep letters and their work.

Every method commits before it returns; nothing is acknowledged to a clerk or a channel before that.
The methods are synchronous (SQLAlchemy core); async callers run them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from pathlib import Path

from ecms_gateway.engine import audit, clerk, intake, notifiers, queries, work
from ecms_gateway.engine.context import Clock, Context, utc_now
from ecms_gateway.engine.retry import Decision, RetryPolicies
from ecms_gateway.engine.states import Event, LetterState, WorkKind, WorkState
from ecms_gateway.engine.values import (
    Accepted,
    AuditReport,
    Claim,
    LetterDetail,
    NotifierIn,
    NotifierResult,
    QueueRow,
    RefusedView,
    Transition,
    UnmatchedNotifier,
)
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.store import migrate
from ecms_gateway.store.database import Database, default_data_dir, resolve_url
from ecms_gateway.store.files import FileStore, LocalFileStore

DEFAULT_LEASE = timedelta(minutes=5)


class Store:
    """Letters, their files, the outbox/inbox work queue, notifiers, registry numbers and the audit chain.

    ``Store(data_dir=...)`` uses SQLite in that folder; ``Store(database_url=...)`` PostgreSQL. An empty
    database is migrated on open (``prepare=False`` skips that); an outdated one is refused with
    ``SchemaOutdated`` until ``ecms-gateway db upgrade`` runs.
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
    ) -> None:
        folder = data_dir if data_dir is not None else default_data_dir()
        db = Database(resolve_url(data_dir=folder, database_url=database_url))
        if prepare:
            try:
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

    def close(self) -> None:
        self._ctx.db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # Intake: committed before it is acknowledged.
    def accept_outbound(
        self, package: LetterPackage, *, actor: str, channel: str, resend_of: int | None = None
    ) -> int:
        return intake.accept_outbound(self._ctx, package, actor=actor, channel=channel, resend_of=resend_of)

    def accept_inbound(self, raw: bytes, *, channel: str, process_id: str, actor: str) -> Accepted:
        return intake.accept_inbound(self._ctx, raw, channel=channel, process_id=process_id, actor=actor)

    def record_inbound_letter(
        self, inbox_id: int, package: LetterPackage, *, actor: str, register_as: str | None = None
    ) -> Accepted:
        return intake.record_inbound_letter(
            self._ctx, inbox_id, package, actor=actor, register_as=register_as
        )

    # Workers.
    def claim(
        self, channel: str, worker: str, *, lease: timedelta = DEFAULT_LEASE, kinds: Collection[WorkKind] = ()
    ) -> Claim | None:
        return work.claim(self._ctx, channel=channel, worker=worker, lease=lease, kinds=kinds)

    def complete(self, work_id: int, *, worker: str, note: str | None = None) -> None:
        work.complete(self._ctx, work_id, worker=worker, note=note)

    def fail(self, work_id: int, *, worker: str, error: BaseException) -> Decision:
        return work.fail(self._ctx, work_id, worker=worker, error=error)

    def load_package(self, letter_id: int) -> LetterPackage:
        return queries.load_package(self._ctx, letter_id)

    def load_raw(self, inbox_id: int) -> bytes:
        return queries.load_raw(self._ctx, inbox_id)

    # Letters: clerks and notifiers.
    def apply_event(
        self, letter_id: int, event: Event, *, actor: str, reason: str | None = None
    ) -> Transition:
        return clerk.apply_event(self._ctx, letter_id, event, actor=actor, reason=reason)

    def register_inbound(self, letter_id: int, *, actor: str, reason: str | None = None) -> int:
        return clerk.register_inbound(self._ctx, letter_id, actor=actor, reason=reason)

    def withdraw(self, letter_id: int, *, actor: str, reason: str) -> Transition:
        return clerk.apply_event(self._ctx, letter_id, Event.WITHDRAW, actor=actor, reason=reason)

    def match_notifier(self, notifier: NotifierIn, *, actor: str) -> NotifierResult:
        return notifiers.match_notifier(self._ctx, notifier, actor=actor)

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
        return work.redrive(self._ctx, actor=actor, work_ids=work_ids, channel=channel, reason=reason)

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

    def refused_events(self) -> list[RefusedView]:
        return queries.refused_events(self._ctx)

    def unmatched_notifiers(self) -> list[UnmatchedNotifier]:
        return queries.unmatched_notifiers(self._ctx)

    def verify_audit(self) -> AuditReport:
        with self._ctx.db.read() as conn:
            return audit.verify(conn)
