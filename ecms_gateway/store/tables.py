"""The gateway's tables (SQLModel): letters, their files, the work queue, notifiers, numbers, audit.

Idempotency and uniqueness rules live here as database constraints, so that they hold whichever
process or machine writes: an application check alone would race.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from ecms_gateway.store.types import UtcDateTime

_LIVE_OUTBOUND = "direction = 'out' AND state <> 'withdrawn'"
_INBOUND = "direction = 'in'"


class Letter(SQLModel, table=True):
    """One letter, outbound or inbound; ``state`` follows the engine's transition table."""

    __tablename__ = "letter"
    __table_args__ = (
        # The same outbound letter (sender, book number, date) is live at most once: a resend needs
        # the earlier one withdrawn first.
        Index(
            "uq_letter_outbound_live",
            "sender_dept",
            "book_key",
            "letter_date",
            unique=True,
            sqlite_where=text(_LIVE_OUTBOUND),
            postgresql_where=text(_LIVE_OUTBOUND),
        ),
        # The same inbound letter (key and content) is recorded once, however often it arrives.
        Index(
            "uq_letter_inbound_content",
            "sender_dept",
            "book_key",
            "letter_date",
            "content_digest",
            unique=True,
            sqlite_where=text(_INBOUND),
            postgresql_where=text(_INBOUND),
        ),
        Index("ix_letter_key", "sender_dept", "book_key", "letter_date"),
        # A registry number is given once per organisation, kind (direction) and year.
        UniqueConstraint(
            "direction", "registry_org", "registry_year", "registry_no", name="uq_letter_registry"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(max_length=3)
    state: str = Field(max_length=16)
    channel: str = Field(max_length=32)
    sender_org: str = Field(max_length=10)
    sender_dept: str = Field(max_length=5)
    receiver_org: str = Field(max_length=10)
    book_no: str = Field(max_length=200)
    book_key: str = Field(max_length=200)
    letter_date: date
    subject: str = Field(sa_type=Text)
    # Copied out of letter_json for lists, ordering ("most urgent first") and registry books.
    speed: str = Field(max_length=16, index=True)
    secrecy: str = Field(max_length=16)
    letter_json: str = Field(sa_type=Text)
    content_digest: str = Field(max_length=64)
    registry_org: str | None = Field(default=None, max_length=10)
    registry_year: int | None = None
    registry_no: int | None = None
    registered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    accept_id: str | None = Field(default=None, max_length=100)
    # Inbound letters: how the sender was established (engine.values.SignatureMark); NULL for ours.
    signature_status: str | None = Field(default=None, max_length=32)
    inbox_id: int | None = Field(default=None, foreign_key="inbox_item.id")
    resend_of: int | None = Field(default=None, foreign_key="letter.id")
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class LetterFile(SQLModel, table=True):
    """A file of a letter: its bytes live once in the file store under ``sha256``."""

    __tablename__ = "letter_file"
    __table_args__ = (UniqueConstraint("letter_id", "position", name="uq_letter_file_position"),)

    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letter.id")
    position: int
    name: str = Field(max_length=255)
    mime: str = Field(max_length=127)
    size: int
    sha256: str = Field(max_length=64)


class InboxItem(SQLModel, table=True):
    """One item taken from a channel (queue or mailbox) exactly as received, stored before it is acked."""

    __tablename__ = "inbox_item"
    __table_args__ = (UniqueConstraint("channel", "process_id", name="uq_inbox_process"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    process_id: str = Field(max_length=200)
    raw_sha256: str = Field(max_length=64)
    raw_size: int
    # The bytes themselves when small (see engine/raw_bytes.py, INLINE_RAW_MAX); larger ones are in the
    # file store under raw_sha256. Written once with the row, never updated.
    raw: bytes | None = Field(default=None, sa_type=LargeBinary)
    received_at: datetime = Field(sa_type=UtcDateTime)


class SentItem(SQLModel, table=True):
    """A message we sent (letter, notifier, withdrawal), byte for byte as it was handed to the channel.

    Written before the first try of its work item and sent unchanged by every retry of that run of
    tries (``run_started_at``: the work item's ``first_try_at``). The bytes live in ``raw`` up to 1 MiB,
    else in the file store, as received items. Written once, never updated (SQLite would rewrite the
    bytes with any column): what the channel answered is in ``sent_confirmation``.
    """

    __tablename__ = "sent_item"
    # One message per run of tries of a work item: two workers racing for a taken-over item keep one.
    __table_args__ = (UniqueConstraint("work_id", "run_started_at", name="uq_sent_item_run"),)

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work_item.id")
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    channel: str = Field(max_length=32)
    what: str = Field(max_length=32)  # letter | notifier:<kind> | withdraw (engine.sent_values.SentWhat)
    message_id: str = Field(max_length=255)  # e-CMS wsa:MessageID or the mail's Message-ID
    run_started_at: datetime = Field(sa_type=UtcDateTime)
    raw_sha256: str = Field(max_length=64)
    raw_size: int
    # A mail's SMTP envelope (JSON: mail_from, rcpt_to), which its bytes do not carry; NULL for e-CMS.
    mail_envelope: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UtcDateTime)
    # Last, so that reading the other columns does not walk a large value's overflow pages (SQLite).
    raw: bytes | None = Field(default=None, sa_type=LargeBinary)


class SentConfirmation(SQLModel, table=True):
    """The node's or mail server's answer to a sent message: when it took it and what it said
    (``ProcessID ...``, ``SMTP ...``). Written once, with the completion of the work item that sent it;
    a message without one was never confirmed."""

    __tablename__ = "sent_confirmation"

    sent_id: int = Field(
        sa_column=Column(Integer, ForeignKey("sent_item.id"), primary_key=True, autoincrement=False)
    )
    confirmed_at: datetime = Field(sa_type=UtcDateTime)
    answer: str = Field(sa_type=Text)


class WorkItem(SQLModel, table=True):
    """Something a worker must do on a channel (send, process, notify); claimed under a lease."""

    __tablename__ = "work_item"
    __table_args__ = (Index("ix_work_claim", "channel", "state", "next_try_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    channel: str = Field(max_length=32)
    state: str = Field(max_length=16)
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    inbox_id: int | None = Field(default=None, foreign_key="inbox_item.id")
    attempts: int = 0
    created_at: datetime = Field(sa_type=UtcDateTime)
    first_try_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    next_try_at: datetime = Field(sa_type=UtcDateTime)
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Attempt(SQLModel, table=True):
    """One try at a work item: who, when, and how it ended."""

    __tablename__ = "attempt"

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(foreign_key="work_item.id", index=True)
    number: int
    worker: str = Field(max_length=200)
    started_at: datetime = Field(sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outcome: str | None = Field(default=None, max_length=16)
    error: str | None = Field(default=None, sa_type=Text)


class Notifier(SQLModel, table=True):
    """A notifier received about a letter; ``letter_id`` stays empty while no letter matches it."""

    __tablename__ = "notifier"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    sender_dept: str = Field(max_length=5)
    book_no: str = Field(max_length=200)
    book_key: str = Field(max_length=200)
    letter_date: date
    accept_id: str | None = Field(default=None, max_length=100)
    inbox_id: int | None = Field(default=None, foreign_key="inbox_item.id")
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    outcome: str = Field(max_length=16)
    received_at: datetime = Field(sa_type=UtcDateTime)


class RefusedEvent(SQLModel, table=True):
    """An event that did not fit the letter's state: kept for operators, never applied."""

    __tablename__ = "refused_event"

    id: int | None = Field(default=None, primary_key=True)
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    notifier_id: int | None = Field(default=None, foreign_key="notifier.id")
    event: str = Field(max_length=32)
    state: str = Field(max_length=16)
    actor: str = Field(max_length=200)
    reason: str = Field(sa_type=Text)
    at: datetime = Field(sa_type=UtcDateTime)


class RegistryCounter(SQLModel, table=True):
    """The last registry number given per organisation, kind (out/in) and calendar year."""

    __tablename__ = "registry_counter"

    org: str = Field(max_length=10, primary_key=True)
    kind: str = Field(max_length=3, primary_key=True)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_no: int


class AuditEntry(SQLModel, table=True):
    """One link of the append-only audit chain; ``hash`` covers the entry and ``prev_hash``."""

    __tablename__ = "audit_entry"

    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    at: datetime = Field(sa_type=UtcDateTime)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    letter_id: int | None = Field(default=None, index=True)
    work_id: int | None = None
    reason: str | None = Field(default=None, sa_type=Text)
    detail: str = Field(sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's end (one row): appenders lock it, and it shows when the last entries were cut off."""

    __tablename__ = "audit_head"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_seq: int
    last_hash: str = Field(max_length=64)


# --- Access: people who sign in to the pages, office systems that call the API, web sessions ---


class UserAccount(SQLModel, table=True):
    """A person who signs in to the web pages; ``password_hash`` is argon2id, never the password."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=200)
    disabled: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiKey(SQLModel, table=True):
    """An office system's key: only the SHA-256 of its secret is kept; ``prefix`` identifies it in lists."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    prefix: str = Field(max_length=16, unique=True)
    secret_sha256: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=200)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    remote: str | None = Field(default=None, max_length=200)


# ---------------------------------------------------------------- the saraban mail channel (migration 0003)


class MailLetter(SQLModel, table=True):
    """A letter a person sent by mail, waiting for a clerk: what was read from the mail and what was not.

    ``state`` is pending -> confirming (a clerk's confirmation in progress) -> confirmed (``letter_id``),
    or pending -> dismissed (``reason``). One per inbox item, however often the item is processed.
    """

    __tablename__ = "mail_letter"
    __table_args__ = (UniqueConstraint("inbox_id", name="uq_mail_letter_inbox"),)

    id: int | None = Field(default=None, primary_key=True)
    inbox_id: int = Field(foreign_key="inbox_item.id")
    state: str = Field(max_length=16, index=True)
    message_id: str | None = Field(default=None, sa_type=Text)
    from_address: str = Field(max_length=320)
    from_name: str | None = Field(default=None, sa_type=Text)
    mail_subject: str = Field(sa_type=Text)
    mail_date: datetime | None = Field(default=None, sa_type=UtcDateTime)
    book_no: str | None = Field(default=None, max_length=200)
    subject: str | None = Field(default=None, sa_type=Text)
    letter_date: date | None = None
    sender_org: str | None = Field(default=None, max_length=10)
    receiver_org: str | None = Field(default=None, max_length=10)
    speed: str | None = Field(default=None, max_length=16)
    secrecy: str | None = Field(default=None, max_length=16)
    not_found: str = Field(sa_type=Text)  # JSON list of {"field", "message"}: said to the clerk in Thai
    notes: str = Field(sa_type=Text)  # JSON list of Thai sentences
    forwarded: bool = False
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    reason: str | None = Field(default=None, sa_type=Text)
    acted_by: str | None = Field(default=None, max_length=200)
    acted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class MailLetterFile(SQLModel, table=True):
    """A file of a person's letter (position 0 is the main file); bytes in the file store under ``sha256``."""

    __tablename__ = "mail_letter_file"
    __table_args__ = (UniqueConstraint("mail_letter_id", "position", name="uq_mail_letter_file_position"),)

    id: int | None = Field(default=None, primary_key=True)
    mail_letter_id: int = Field(foreign_key="mail_letter.id")
    position: int
    name: str = Field(max_length=255)
    mime: str = Field(max_length=127)
    size: int
    sha256: str = Field(max_length=64)


class MailSent(SQLModel, table=True):
    """The Message-ID each mailed letter and notifier went out under (a notifier: with the letter it
    is about, one we received): a bounce names our message only by it.

    A resend keeps the letter's Message-ID, so one Message-ID may name several letters: the newest wins.
    """

    __tablename__ = "mail_sent"
    __table_args__ = (UniqueConstraint("message_id", "letter_id", name="uq_mail_sent_letter"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=255, index=True)
    letter_id: int = Field(foreign_key="letter.id")
    recorded_at: datetime = Field(sa_type=UtcDateTime)


# ---------------------------------------------------------------- webhooks and watched folders
# Owned by the integration faces (``ecms_gateway/webhooks``, the folder adapter); migration 0004.


class WebhookSubscription(SQLModel, table=True):
    """An office system's URL that gets letter events POSTed, in order, from its ``cursor_seq`` on.

    ``cursor_seq`` is the last audit entry delivered (or skipped by the filter); it only moves after a
    2xx, so events are delivered at least once and in order. The other columns tell its health.
    """

    __tablename__ = "webhook_subscription"
    # A removed webhook's id is never given to another (SQLite reuses the highest id without it;
    # migration 0009): receivers and integrators keep ids.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=Text)
    secret: str = Field(max_length=200)
    events: str = Field(max_length=200)  # comma-separated event types
    state: str = Field(max_length=16)  # active | paused (gave up; `webhooks retry` resumes)
    cursor_seq: int
    created_at: datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=200)
    attempts: int = 0  # failed tries of the event after the cursor
    failing_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    next_try_at: datetime = Field(sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    lease_owner: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One POST of one event to one subscription: when, the HTTP status or the error."""

    __tablename__ = "webhook_delivery"

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id", index=True)
    event_id: str = Field(max_length=64)
    event_seq: int
    attempt: int
    at: datetime = Field(sa_type=UtcDateTime)
    status: int | None = None
    ok: bool
    error: str | None = Field(default=None, sa_type=Text)
    duration_ms: int


class LetterOrigin(SQLModel, table=True):
    """Where an accepted letter came from (e.g. an outbox folder's name and content digest), written
    in the same transaction as the letter: a retried intake finds its letter instead of making two."""

    __tablename__ = "letter_origin"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_letter_origin"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    key: str = Field(max_length=400)
    letter_id: int = Field(foreign_key="letter.id", index=True)
    created_at: datetime = Field(sa_type=UtcDateTime)


class EventCursor(SQLModel, table=True):
    """A named reader's position in the audit chain (e.g. the inbox folder export)."""

    __tablename__ = "event_cursor"

    name: str = Field(max_length=100, primary_key=True)
    seq: int
    updated_at: datetime = Field(sa_type=UtcDateTime)


# ---------------------------------------------------------------- REST API: idempotent submissions


class IdempotencyKey(SQLModel, table=True):
    """An ``Idempotency-Key`` a caller sent with a submission: the same caller and key always name the
    same letter. The primary key makes two concurrent submissions with one key race-free."""

    __tablename__ = "idempotency_key"

    principal: str = Field(max_length=200, primary_key=True)  # the caller's actor, e.g. apikey:saraban
    key: str = Field(max_length=255, primary_key=True)
    request_digest: str = Field(max_length=64)  # the letter's content digest: a different body is refused
    letter_id: int | None = Field(default=None, foreign_key="letter.id")  # None while being submitted
    created_at: datetime = Field(sa_type=UtcDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


METADATA: MetaData = SQLModel.metadata


def _t(name: str) -> Table:
    return METADATA.tables[name]


LETTER = _t("letter")
LETTER_FILE = _t("letter_file")
INBOX = _t("inbox_item")
WORK = _t("work_item")
SENT = _t("sent_item")
SENT_CONFIRMATION = _t("sent_confirmation")
ATTEMPT = _t("attempt")
NOTIFIER = _t("notifier")
REFUSED = _t("refused_event")
COUNTER = _t("registry_counter")
AUDIT = _t("audit_entry")
AUDIT_HEAD = _t("audit_head")
USER = _t("user_account")
API_KEY = _t("api_key")
SESSION = _t("web_session")
IDEMPOTENCY = _t("idempotency_key")
MAIL_LETTER = _t("mail_letter")
MAIL_LETTER_FILE = _t("mail_letter_file")
MAIL_SENT = _t("mail_sent")
WEBHOOK = _t("webhook_subscription")
WEBHOOK_DELIVERY = _t("webhook_delivery")
LETTER_ORIGIN = _t("letter_origin")
EVENT_CURSOR = _t("event_cursor")

__all__ = [
    "API_KEY",
    "ATTEMPT",
    "AUDIT",
    "AUDIT_HEAD",
    "COUNTER",
    "EVENT_CURSOR",
    "IDEMPOTENCY",
    "INBOX",
    "LETTER",
    "LETTER_FILE",
    "LETTER_ORIGIN",
    "MAIL_LETTER",
    "MAIL_LETTER_FILE",
    "MAIL_SENT",
    "METADATA",
    "NOTIFIER",
    "REFUSED",
    "SENT",
    "SENT_CONFIRMATION",
    "SESSION",
    "USER",
    "WEBHOOK",
    "WEBHOOK_DELIVERY",
    "WORK",
    "ApiKey",
    "Attempt",
    "AuditEntry",
    "AuditHead",
    "EventCursor",
    "IdempotencyKey",
    "InboxItem",
    "Letter",
    "LetterFile",
    "LetterOrigin",
    "MailLetter",
    "MailLetterFile",
    "MailSent",
    "Notifier",
    "RefusedEvent",
    "RegistryCounter",
    "SentConfirmation",
    "SentItem",
    "UserAccount",
    "WebSession",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkItem",
]
