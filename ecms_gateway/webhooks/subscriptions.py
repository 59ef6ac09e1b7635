"""The webhook service the CLI and the REST API call: add, change, list, show, remove a subscription,
its recent deliveries, and retry now. Every change is committed (and audited) before it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine import Store, audit
from ecms_gateway.errors import DuplicateWebhook, Fault, InputError, NotFound, RequestInvalid
from ecms_gateway.store.tables import WEBHOOK, WEBHOOK_DELIVERY
from ecms_gateway.webhooks.events import ALL_TYPES, EventType, parse_types
from ecms_gateway.webhooks.signature import new_secret
from ecms_gateway.webhooks.values import Delivery, NewSubscription, Subscription, SubscriptionState

MIN_SECRET_LENGTH = 16


def check_url(url: str) -> str:
    """The URL as given when it can receive webhooks; ``InputError`` saying what to write otherwise."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url!r} is not a web address: write https://host[:port]/path")
    if parts.username or parts.password:
        raise InputError("put no user name or password in the webhook URL; the signature proves the sender")
    if parts.fragment:
        raise InputError(f"{url!r} has a #fragment, which is never sent; remove it")
    return text


def same_url(url: str) -> str:
    """``url`` as compared for duplicates: scheme and host in lower case, the default port left out."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    default = {"http": 80, "https": 443}.get(scheme)
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def check_secret(secret: str) -> str:
    """The secret as stored when it is long enough and has no spaces; ``InputError`` otherwise."""
    text = secret.strip()
    if len(text) < MIN_SECRET_LENGTH or any(c.isspace() for c in text):
        raise InputError(
            f"the webhook secret must be at least {MIN_SECRET_LENGTH} characters without spaces; "
            "leave it out to have one generated"
        )
    return text


class Webhooks:
    """Webhook subscriptions over the gateway's store (the same database as the letters)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
        url: str,
        *,
        actor: str,
        events: Sequence[str] | None = None,
        secret: str | None = None,
    ) -> NewSubscription:
        """Register ``url`` for ``events`` (default: all types); events from now on are delivered.

        Raises ``RequestInvalid`` with every fault of the URL, event types and secret at once, and
        ``DuplicateWebhook`` when the URL has a webhook already (one URL, one webhook: a second would
        deliver every event twice).
        """
        checked, types, chosen = _checked(url, events, secret)
        now = self.store.clock()
        with self.store.db.write() as conn:
            # Our own audit entry marks "now" in the chain: the subscription starts after it. Appending
            # holds the chain's head until commit, so two adds of one URL cannot both pass the check.
            seq = audit.append(conn, at=now, actor=actor, action="webhook.added", detail={"url": checked})
            _refuse_duplicate(conn, checked)
            stmt = insert(WEBHOOK).values(
                url=checked,
                secret=chosen,
                events=",".join(t.value for t in types),
                state=SubscriptionState.ACTIVE.value,
                cursor_seq=seq,
                created_at=now,
                created_by=actor,
                attempts=0,
                next_try_at=now,
            )
            new_id = int(conn.execute(stmt.returning(WEBHOOK.c.id)).scalar_one())
        return NewSubscription(subscription=self.get(new_id), secret=chosen, secret_generated=secret is None)

    def change(
        self,
        subscription_id: int,
        *,
        actor: str,
        events: Sequence[str] | None = None,
        secret: str | None = None,
    ) -> Subscription:
        """Change the event types a subscription delivers and/or the secret it signs with, in one step:
        no event is lost or delivered twice by the change (the cursor stays), events from the waiting
        one on follow the new types and are signed with the new secret. A delivery under way ends with
        the POST it is making (its lease is taken away); ``None`` keeps what is there.

        Raises ``RequestInvalid`` with every fault of the event types and secret at once (as ``add``),
        ``NotFound`` for an unknown id.
        """
        types, chosen = _checked_change(events, secret)
        values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
        if types is not None:
            values["events"] = ",".join(t.value for t in types)
        if chosen is not None:
            values["secret"] = chosen
        detail: dict[str, Any] = {"id": subscription_id, "secret_changed": chosen is not None}
        if types is not None:
            detail["events"] = [t.value for t in types]
        now = self.store.clock()
        with self.store.db.write() as conn:
            _row(conn, subscription_id)
            conn.execute(update(WEBHOOK).where(WEBHOOK.c.id == subscription_id).values(**values))
            audit.append(conn, at=now, actor=actor, action="webhook.changed", detail=detail)
        return self.get(subscription_id)

    def all(self) -> list[Subscription]:
        with self.store.db.read() as conn:
            rows = conn.execute(select(WEBHOOK).order_by(WEBHOOK.c.id)).mappings().all()
        return [subscription(row) for row in rows]

    def get(self, subscription_id: int) -> Subscription:
        with self.store.db.read() as conn:
            return subscription(_row(conn, subscription_id))

    def remove(self, subscription_id: int, *, actor: str) -> None:
        """Stop delivering to it and forget it with its delivery log."""
        now = self.store.clock()
        with self.store.db.write() as conn:
            row = _row(conn, subscription_id)
            conn.execute(
                delete(WEBHOOK_DELIVERY).where(WEBHOOK_DELIVERY.c.subscription_id == subscription_id)
            )
            conn.execute(delete(WEBHOOK).where(WEBHOOK.c.id == subscription_id))
            audit.append(
                conn,
                at=now,
                actor=actor,
                action="webhook.removed",
                detail={"id": subscription_id, "url": row["url"]},
            )

    def deliveries(self, subscription_id: int, *, limit: int = 50) -> list[Delivery]:
        """The most recent POSTs to it, newest first."""
        with self.store.db.read() as conn:
            _row(conn, subscription_id)
            rows = (
                conn.execute(
                    select(WEBHOOK_DELIVERY)
                    .where(WEBHOOK_DELIVERY.c.subscription_id == subscription_id)
                    .order_by(WEBHOOK_DELIVERY.c.id.desc())
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        return [_delivery(row) for row in rows]

    def retry_now(self, subscription_id: int, *, actor: str) -> Subscription:
        """Try the waiting event at once; a paused subscription becomes active again."""
        now = self.store.clock()
        with self.store.db.write() as conn:
            row = _row(conn, subscription_id)
            values: dict[str, Any] = {"next_try_at": now, "state": SubscriptionState.ACTIVE.value}
            if row["state"] == SubscriptionState.PAUSED.value:
                values["attempts"] = 0  # a fresh round of the retry policy
            conn.execute(update(WEBHOOK).where(WEBHOOK.c.id == subscription_id).values(**values))
            audit.append(conn, at=now, actor=actor, action="webhook.retried", detail={"id": subscription_id})
        return self.get(subscription_id)


def _checked(
    url: str, events: Sequence[str] | None, secret: str | None
) -> tuple[str, tuple[EventType, ...], str]:
    """The URL, event types and secret to store; ``RequestInvalid`` with every fault among them."""
    faults: list[Fault] = []
    checked, types, chosen = url, ALL_TYPES, ""
    try:
        checked = check_url(url)
    except InputError as exc:
        faults.append(Fault(where="url", problem=str(exc)))
    try:
        types = parse_types(events)
    except ValueError as exc:
        faults.append(Fault(where="events", problem=str(exc)))
    try:
        chosen = new_secret() if secret is None else check_secret(secret)
    except InputError as exc:
        faults.append(Fault(where="secret", problem=str(exc)))
    if faults:
        raise RequestInvalid(faults)
    return checked, types, chosen


def _checked_change(
    events: Sequence[str] | None, secret: str | None
) -> tuple[tuple[EventType, ...] | None, str | None]:
    """The event types and secret to store (``None``: keep); ``RequestInvalid`` with every fault."""
    faults: list[Fault] = []
    types: tuple[EventType, ...] | None = None
    chosen: str | None = None
    try:
        types = None if events is None else parse_types(events)
    except ValueError as exc:
        faults.append(Fault(where="events", problem=str(exc)))
    try:
        chosen = None if secret is None else check_secret(secret)
    except InputError as exc:
        faults.append(Fault(where="secret", problem=str(exc)))
    if faults:
        raise RequestInvalid(faults)
    return types, chosen


def _refuse_duplicate(conn: Connection, url: str) -> None:
    key = same_url(url)
    for row in conn.execute(select(WEBHOOK.c.id, WEBHOOK.c.url)).all():
        if same_url(row.url) == key:
            raise DuplicateWebhook(
                f"webhook {row.id} already delivers to {row.url}; one URL has one webhook, or every event "
                "would arrive twice",
                existing_id=int(row.id),
                cli_hint=f"to change its events or secret, `ecms-gateway webhooks change {row.id} "
                "--events TYPES` (or --secret-file F), which loses no event",
            )


def _row(conn: Connection, subscription_id: int) -> RowMapping:
    row = conn.execute(select(WEBHOOK).where(WEBHOOK.c.id == subscription_id)).mappings().first()
    if row is None:
        raise NotFound(
            f"there is no webhook {subscription_id}", cli_hint="`ecms-gateway webhooks list` shows them"
        )
    return row


def subscription(row: RowMapping) -> Subscription:
    return Subscription(
        id=int(row["id"]),
        url=row["url"],
        events=tuple(EventType(name) for name in row["events"].split(",") if name),
        state=SubscriptionState(row["state"]),
        cursor_seq=int(row["cursor_seq"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        attempts=int(row["attempts"]),
        failing_since=row["failing_since"],
        next_try_at=row["next_try_at"],
        last_error=row["last_error"],
        last_attempt_at=row["last_attempt_at"],
        last_success_at=row["last_success_at"],
    )


def _delivery(row: RowMapping) -> Delivery:
    return Delivery(
        id=int(row["id"]),
        subscription_id=int(row["subscription_id"]),
        event_id=row["event_id"],
        event_seq=int(row["event_seq"]),
        attempt=int(row["attempt"]),
        at=row["at"],
        status=row["status"],
        ok=bool(row["ok"]),
        error=row["error"],
        duration_ms=int(row["duration_ms"]),
    )
