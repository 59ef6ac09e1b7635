"""Retry policy as an object: exponential backoff with full jitter, a cap, a maximum number of
attempts and a maximum age; permanent errors go to the dead letters at once, with the reason.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ecms_gateway.durations import age
from ecms_gateway.engine.reasons import describe
from ecms_gateway.errors import InputError, PermanentFailure, PolicyRefused

__all__ = ["Dead", "Decision", "RetryAt", "RetryPolicies", "RetryPolicy", "describe", "is_permanent"]


@dataclass(frozen=True, kw_only=True)
class RetryAt:
    """Try again at ``at``."""

    at: datetime
    reason: str


@dataclass(frozen=True, kw_only=True)
class Dead:
    """Give up: the item becomes a dead letter, ``reason`` says why (shown to operators)."""

    reason: str


Decision = RetryAt | Dead


def is_permanent(error: BaseException) -> bool:
    """Errors retrying cannot fix: the input is wrong, policy forbids it, or the channel said no for good.

    Everything else (timeouts, refused connections, a busy node, unexpected errors) is transient.
    """
    return isinstance(error, PermanentFailure | InputError | PolicyRefused)


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """``decide`` what to do after attempt number ``attempt`` (1 = the first try) failed.

    The wait before retry n is uniform in [0, min(cap, base * 2**(n-1))] ("full jitter"), which
    spreads out workers that failed together.
    """

    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 12
    max_age: timedelta = timedelta(days=3)
    rand: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError("base must be positive and cap at least base")

    def backoff_limit(self, attempt: int) -> timedelta:
        """The largest wait after attempt ``attempt`` (before jitter)."""
        exponent = min(max(attempt - 1, 0), 64)  # in float seconds: timedelta overflows long before 2**64
        seconds = min(self.cap.total_seconds(), self.base.total_seconds() * 2.0**exponent)
        return timedelta(seconds=seconds)

    def decide(
        self,
        error: BaseException,
        attempt: int,
        first_try_at: datetime,
        now: datetime,
        *,
        said: str | None = None,
    ) -> Decision:
        """``said`` is the error in words for the reason (default ``describe(error)``)."""
        what = describe(error) if said is None else said
        if is_permanent(error):
            return Dead(reason=f"permanent failure: {what}")
        if attempt >= self.max_attempts:
            return Dead(reason=f"gave up after {attempt} attempts; last error: {what}")
        if now - first_try_at >= self.max_age:
            return Dead(reason=f"gave up after trying for {age(now - first_try_at)}; last error: {what}")
        wait = self.backoff_limit(attempt) * self.rand()
        return RetryAt(at=now + wait, reason=what)


@dataclass(frozen=True, kw_only=True)
class RetryPolicies:
    """A policy per channel (e-CMS, saraban mail, ...) with a default for the others."""

    default: RetryPolicy = field(default_factory=RetryPolicy)
    per_channel: Mapping[str, RetryPolicy] = field(default_factory=dict)

    def for_channel(self, channel: str) -> RetryPolicy:
        return self.per_channel.get(channel, self.default)
