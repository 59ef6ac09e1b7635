"""The JSON shapes of the webhook routes: a subscription with its delivery health (never its secret),
the secret once when the gateway made it, what a change may change, and the delivery log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from ecms_adapters.api.deps import API_PREFIX
from ecms_gateway.errors import InputError
from ecms_gateway.webhooks import (
    Delivery,
    EventType,
    Subscription,
    SubscriptionState,
    check_secret,
    check_url,
)

Health = Literal["ok", "failing", "paused"]


class WebhookIn(BaseModel):
    """A URL to POST letter events to. The core's checks of the URL and the secret run here too, so
    that one 422 lists their faults with every other fault of the body."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is said, not dropped

    url: str = Field(min_length=1, max_length=2000, description="https://host[:port]/path")
    events: list[EventType] | None = Field(
        default=None, min_length=1, description="the event types to deliver; leave out for all of them"
    )
    secret: str | None = Field(
        default=None,
        max_length=200,
        description="the signing secret (16+ characters, no spaces); leave out to have one generated "
        "and shown once in the answer",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        return _checked(check_url, url)

    @field_validator("secret")
    @classmethod
    def _secret(cls, secret: str | None) -> str | None:
        return None if secret is None else _checked(check_secret, secret)


def _not_nullable(schema: JsonDict) -> None:
    """A field left out keeps what is there and null is refused: the document offers the value only."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        if len(kept) == 1 and isinstance(kept[0], dict):
            del schema["anyOf"]
            schema.update(kept[0])


class WebhookChangeIn(BaseModel):
    """What to change of a webhook: its event types, its secret, or both; a field left out stays."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is said, not dropped

    events: list[EventType] | None = Field(
        default=None,
        min_length=1,
        description="the event types to deliver from the waiting event on",
        json_schema_extra=_not_nullable,
    )
    secret: str | None = Field(
        default=None,
        max_length=200,
        description="a new signing secret of your choice (16+ characters, no spaces); never echoed",
        json_schema_extra=_not_nullable,
    )
    # Not in the document: a URL is another receiver, said as a fault in words instead of "not a field".
    url: SkipJsonSchema[str | None] = None

    @field_validator("events", "secret", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("is null: give a value, or leave the field out to keep what is there")
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, secret: str | None) -> str | None:
        return None if secret is None else _checked(check_secret, secret)

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, _url: object) -> None:
        raise ValueError(
            "a webhook's URL cannot be changed (another URL is another receiver): register the new URL "
            f"with POST {API_PREFIX}/webhooks, then DELETE this webhook"
        )

    @model_validator(mode="after")
    def _changes_something(self) -> WebhookChangeIn:
        if not self.model_fields_set & {"events", "secret"}:
            raise ValueError("changes nothing: give events, secret or both")
        return self


def _checked(check: Callable[[str], str], value: str) -> str:
    try:
        check(value)
    except InputError as exc:
        raise ValueError(str(exc)) from exc  # pydantic adds it to the body's faults
    return value  # as given: the service stores what it checks itself


class WebhookOut(BaseModel):
    """A subscription and how its deliveries go."""

    id: int
    url: str
    events: list[EventType]
    health: Health = Field(description="ok; failing (retrying with backoff); paused (gave up: retry it)")
    state: SubscriptionState
    attempts: int = Field(description="failed tries of the event waiting to be delivered")
    failing_since: datetime | None
    next_try_at: datetime | None = Field(description="when the waiting event is tried again (failing only)")
    last_error: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    created_at: datetime
    created_by: str
    href: str

    @classmethod
    def of(cls, s: Subscription, prefix: str) -> WebhookOut:
        health = cast(Health, s.health)  # the core's one word; pydantic checks it against Health
        return cls(
            id=s.id,
            url=s.url,
            events=list(s.events),
            health=health,
            state=s.state,
            attempts=s.attempts,
            failing_since=s.failing_since,
            next_try_at=s.next_try_at if health == "failing" else None,
            last_error=s.last_error,
            last_attempt_at=s.last_attempt_at,
            last_success_at=s.last_success_at,
            created_at=s.created_at,
            created_by=s.created_by,
            href=f"{prefix}/webhooks/{s.id}",
        )


class WebhookCreatedOut(BaseModel):
    webhook: WebhookOut
    secret: str | None = Field(
        description="the generated signing secret, shown only in this answer (null when you gave one)"
    )


class DeliveryOut(BaseModel):
    """One POST of one event."""

    id: int
    event_id: str = Field(description="the event's id (the same on every retry): dedupe on it")
    attempt: int
    at: datetime
    status: int | None = Field(description="the receiver's HTTP status; null when it could not be reached")
    ok: bool
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(
            id=d.id,
            event_id=d.event_id,
            attempt=d.attempt,
            at=d.at,
            status=d.status,
            ok=d.ok,
            error=d.error,
            duration_ms=d.duration_ms,
        )
