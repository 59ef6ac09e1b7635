"""Delivering letter events to webhook subscriptions: each subscription follows the audit chain with
its own cursor, one event per POST, in order; the cursor moves only after a 2xx (at least once).

A failed POST is retried with the ``webhook`` channel's retry policy (``[retry.webhook]``); when the
policy gives up the subscription is paused (nothing is dropped: the events stay in the chain) until
an operator runs ``ecms-gateway webhooks retry ID``. A lease on the subscription row keeps two gateway
processes from delivering to the same subscription at once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, or_, select, update

from ecms_gateway import __version__
from ecms_gateway.engine import Dead, RetryPolicy, Store
from ecms_gateway.engine.events import LetterEvent
from ecms_gateway.errors import TransientFailure
from ecms_gateway.store.tables import WEBHOOK, WEBHOOK_DELIVERY
from ecms_gateway.webhooks.events import EventType, encode, event_id, event_type
from ecms_gateway.webhooks.ports import PostResult, WebhookPoster
from ecms_gateway.webhooks.signature import SIGNATURE_HEADER, sign
from ecms_gateway.webhooks.values import SubscriptionState

log = logging.getLogger(__name__)

KEEP_DELIVERIES = 200  # per subscription, newest; older rows are pruned


@dataclass(frozen=True, kw_only=True)
class Held:
    """A subscription this deliverer holds under a lease."""

    id: int
    url: str
    secret: str
    types: frozenset[EventType]
    cursor_seq: int
    attempts: int
    failing_since: datetime | None


class WebhookFailed(TransientFailure):
    """A POST that did not get a 2xx (the text is what operators see as the last error)."""


@dataclass(frozen=True, kw_only=True)
class Deliverer:
    """Delivers what is due: ``run_once`` serves every due subscription (they run side by side, each
    strictly in order) and returns the number of POSTs made."""

    store: Store
    poster: WebhookPoster
    policy: RetryPolicy
    owner: str
    lease: timedelta = timedelta(minutes=5)
    batch: int = 100

    async def run_once(self) -> int:
        due = await asyncio.to_thread(self._due)
        counts = await asyncio.gather(*(self.serve(sub_id) for sub_id in due))
        return sum(counts)

    async def serve(self, sub_id: int) -> int:
        """Deliver subscription ``sub_id``'s waiting events until it is caught up or a POST fails."""
        held = await asyncio.to_thread(self._claim, sub_id)
        if held is None:
            return 0
        posts = 0
        try:
            cursor = held.cursor_seq
            while True:
                events = await asyncio.to_thread(self.store.letter_events, after_seq=cursor, limit=self.batch)
                if not events:
                    return posts
                for event in events:
                    if event_type(event) in held.types:
                        posts += 1
                        if not await self._post(held, event):
                            return posts
                        held = replace(held, cursor_seq=event.seq, attempts=0, failing_since=None)
                    cursor = event.seq
                if cursor > held.cursor_seq:  # the batch ended with events the filter skips
                    if not await asyncio.to_thread(self._skip, held.id, cursor):
                        return posts  # removed or changed meanwhile: its filter may not skip them
                    held = replace(held, cursor_seq=cursor)
        finally:
            await asyncio.to_thread(self._release, sub_id)

    async def _post(self, held: Held, event: LetterEvent) -> bool:
        body = encode(event)
        now = self.store.clock()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"ecms-gateway/{__version__}",
            SIGNATURE_HEADER: sign(held.secret, body, timestamp=int(now.timestamp())),
            "X-Ecms-Event-Id": event_id(event.seq),
            "X-Ecms-Event-Type": event_type(event).value,
            "X-Ecms-Webhook-Id": str(held.id),
        }
        result = await self.poster.post(held.url, body, headers)
        if result.ok:
            # False when the lease was lost meanwhile (the webhook removed, or another gateway took
            # over): nothing more is POSTed under it.
            return await asyncio.to_thread(self._delivered, held, event, result)
        await asyncio.to_thread(self._failed, held, event, result)
        return False

    # Bookkeeping: each a short transaction; the lease owner check drops the result of a lost lease.
    def _due(self) -> list[int]:
        now = self.store.clock()
        with self.store.db.read() as conn:
            rows = conn.execute(
                select(WEBHOOK.c.id)
                .where(
                    WEBHOOK.c.state == SubscriptionState.ACTIVE.value,
                    WEBHOOK.c.next_try_at <= now,
                    _free(now),
                )
                .order_by(WEBHOOK.c.id)
            ).scalars()
            return [int(r) for r in rows]

    def _claim(self, sub_id: int) -> Held | None:
        now = self.store.clock()
        with self.store.db.write() as conn:
            taken = conn.execute(
                update(WEBHOOK)
                .where(
                    WEBHOOK.c.id == sub_id,
                    WEBHOOK.c.state == SubscriptionState.ACTIVE.value,
                    WEBHOOK.c.next_try_at <= now,
                    _free(now),
                )
                .values(lease_owner=self.owner, lease_until=now + self.lease)
            ).rowcount
            if not taken:
                return None
            row = conn.execute(select(WEBHOOK).where(WEBHOOK.c.id == sub_id)).mappings().one()
        return Held(
            id=sub_id,
            url=row["url"],
            secret=row["secret"],
            types=frozenset(EventType(name) for name in row["events"].split(",") if name),
            cursor_seq=int(row["cursor_seq"]),
            attempts=int(row["attempts"]),
            failing_since=row["failing_since"],
        )

    def _delivered(self, held: Held, event: LetterEvent, result: PostResult) -> bool:
        """Record the 2xx; False (nothing recorded) when the subscription is no longer ours."""
        now = self.store.clock()
        with self.store.db.write() as conn:
            still_held = self._update(
                conn,
                held.id,
                cursor_seq=event.seq,
                attempts=0,
                failing_since=None,
                last_error=None,
                last_attempt_at=now,
                last_success_at=now,
                lease_until=now + self.lease,
            )
            if still_held:  # a removed subscription's delivery log went with it
                self._log(conn, held, event, result, now)
        return still_held

    def _failed(self, held: Held, event: LetterEvent, result: PostResult) -> None:
        now = self.store.clock()
        attempt = held.attempts + 1
        error = WebhookFailed(f"{event_id(event.seq)}: {result.error or f'HTTP {result.status}'}")
        # The reason in words an operator reads (a paused webhook's last_error), not the class's name.
        decision = self.policy.decide(error, attempt, held.failing_since or now, now, said=str(error))
        values: dict[str, Any] = {
            "attempts": attempt,
            "failing_since": held.failing_since or now,
            "last_error": str(error),
            "last_attempt_at": now,
        }
        if isinstance(decision, Dead):
            values |= {"state": SubscriptionState.PAUSED.value, "last_error": decision.reason}
            log.error("webhook %d paused: %s", held.id, decision.reason)
        else:
            values["next_try_at"] = decision.at
            log.warning(
                "webhook %d: %s (attempt %d), next try at %s",
                held.id,
                error,
                attempt,
                decision.at.isoformat(timespec="seconds"),
            )
        with self.store.db.write() as conn:
            if self._update(conn, held.id, **values):
                self._log(conn, held, event, result, now)

    def _skip(self, sub_id: int, seq: int) -> bool:
        """Move the cursor over events the filter skips; False when the subscription is no longer ours."""
        with self.store.db.write() as conn:
            return self._update(conn, sub_id, cursor_seq=seq)

    def _release(self, sub_id: int) -> None:
        with self.store.db.write() as conn:
            self._update(conn, sub_id, lease_owner=None, lease_until=None)

    def _update(self, conn: Connection, sub_id: int, **values: Any) -> bool:
        """Change the subscription while we hold its lease; False when it is gone or not ours."""
        changed = conn.execute(
            update(WEBHOOK)
            .where(WEBHOOK.c.id == sub_id, WEBHOOK.c.lease_owner == self.owner)
            .values(**values)
        ).rowcount
        return bool(changed)

    def _log(
        self, conn: Connection, held: Held, event: LetterEvent, result: PostResult, now: datetime
    ) -> None:
        conn.execute(
            insert(WEBHOOK_DELIVERY).values(
                subscription_id=held.id,
                event_id=event_id(event.seq),
                event_seq=event.seq,
                attempt=held.attempts + 1,
                at=now,
                status=result.status,
                ok=result.ok,
                error=result.error,
                duration_ms=result.duration_ms,
            )
        )
        oldest_kept = conn.execute(
            select(WEBHOOK_DELIVERY.c.id)
            .where(WEBHOOK_DELIVERY.c.subscription_id == held.id)
            .order_by(WEBHOOK_DELIVERY.c.id.desc())
            .offset(KEEP_DELIVERIES - 1)
            .limit(1)
        ).scalar()
        if oldest_kept is not None:
            conn.execute(
                delete(WEBHOOK_DELIVERY).where(
                    WEBHOOK_DELIVERY.c.subscription_id == held.id, WEBHOOK_DELIVERY.c.id < oldest_kept
                )
            )


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(WEBHOOK.c.lease_until.is_(None), WEBHOOK.c.lease_until <= now)
