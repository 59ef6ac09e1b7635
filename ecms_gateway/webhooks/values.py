"""What the webhook service returns: subscriptions with their delivery health, and their deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ecms_gateway.webhooks.events import EventType


class SubscriptionState(StrEnum):
    """Whether the gateway is delivering to a subscription."""

    ACTIVE = "active"  # delivering (or waiting for the next try after a failure)
    PAUSED = "paused"  # gave up by the retry policy; `ecms-gateway webhooks retry ID` resumes it


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A registered URL and how its deliveries go (the secret is never shown again)."""

    id: int
    url: str
    events: tuple[EventType, ...]
    state: SubscriptionState
    cursor_seq: int  # the last audit entry delivered or skipped
    created_at: datetime
    created_by: str
    attempts: int  # failed tries of the event waiting to be delivered
    failing_since: datetime | None
    next_try_at: datetime
    last_error: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None

    @property
    def failing(self) -> bool:
        return self.failing_since is not None or self.state is SubscriptionState.PAUSED

    @property
    def health(self) -> str:
        """One word for lists: ok, failing or paused."""
        if self.state is SubscriptionState.PAUSED:
            return "paused"
        return "failing" if self.failing_since is not None else "ok"


@dataclass(frozen=True, kw_only=True)
class NewSubscription:
    """A subscription just added, with its secret (shown this once)."""

    subscription: Subscription
    secret: str
    secret_generated: bool


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One POST of one event."""

    id: int
    subscription_id: int
    event_id: str
    event_seq: int
    attempt: int
    at: datetime
    status: int | None
    ok: bool
    error: str | None
    duration_ms: int
