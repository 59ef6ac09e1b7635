"""Retry policy as an object: exponential backoff with full jitter, a cap, a maximum number of
attempts and a maximum age; permanent errors go to the dead letters at once, with the reason.

A give-up (``Dead``) carries why as data (``GiveUp``, the number of tries or the time tried, the last
error) beside its English sentence, so that each face words it in its own language; ``given_up`` reads
a sentence stored before (or where only the text is kept, a work item's ``last_error``) back into it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from ecms_gateway.durations import age
from ecms_gateway.engine.reasons import describe
from ecms_gateway.errors import InputError, PermanentFailure, PolicyRefused

__all__ = [
    "Dead",
    "Decision",
    "GiveUp",
    "RetryAt",
    "RetryPolicies",
    "RetryPolicy",
    "describe",
    "given_up",
    "is_permanent",
]


@dataclass(frozen=True, kw_only=True)
class RetryAt:
    """Try again at ``at``."""

    at: datetime
    reason: str


class GiveUp(StrEnum):
    """Why the retry policy gave up."""

    PERMANENT = "permanent"  # the error is one retrying cannot fix
    ATTEMPTS = "attempts"  # the last try the policy allows failed
    TOO_LONG = "too_long"  # the item has been tried for longer than the policy allows


# The English sentences of a give-up (the CLI, the API and the logs show them as they are) and the
# patterns that read one back; ``{said}`` is the last error in words.
_SAID: Final = {
    GiveUp.PERMANENT: "permanent failure: {said}",
    GiveUp.ATTEMPTS: "gave up after {attempts} attempts; last error: {said}",
    GiveUp.TOO_LONG: "gave up after trying for {tried_for}; last error: {said}",
}
_READ: Final = (
    (GiveUp.PERMANENT, re.compile(r"permanent failure: (?P<said>.*)", re.S)),
    (
        GiveUp.ATTEMPTS,
        re.compile(r"gave up after (?P<attempts>\d+) attempts; last error: (?P<said>.*)", re.S),
    ),
    (
        GiveUp.TOO_LONG,
        re.compile(r"gave up after trying for (?P<tried_for>[^;]*); last error: (?P<said>.*)", re.S),
    ),
)


@dataclass(frozen=True, kw_only=True)
class Dead:
    """Give up: the item becomes a dead letter, ``reason`` says why (shown to operators).

    ``why`` is None when the retry policy did not decide it (the letter's state refused the try): then
    ``reason`` is all there is.
    """

    reason: str
    # The same decision as data; ``reason`` is made from it, so two give-ups with one reason are equal.
    why: GiveUp | None = field(default=None, compare=False)
    said: str | None = field(default=None, compare=False)  # the last error in words (``describe``)
    attempts: int | None = field(default=None, compare=False)  # the tries made (GiveUp.ATTEMPTS)
    tried_for: str | None = field(default=None, compare=False)  # how long (GiveUp.TOO_LONG), ``age``'s words

    @classmethod
    def decided(
        cls, why: GiveUp, said: str, *, attempts: int | None = None, tried_for: str | None = None
    ) -> Dead:
        reason = _SAID[why].format(said=said, attempts=attempts, tried_for=tried_for)
        return cls(reason=reason, why=why, said=said, attempts=attempts, tried_for=tried_for)

    def detail(self) -> dict[str, Any]:
        """The decision as data, for the give-up's audit entry (``{"give_up": "attempts", ...}``)."""
        if self.why is None:
            return {}
        found: dict[str, Any] = {"give_up": self.why.value, "said": self.said}
        if self.attempts is not None:
            found["attempts"] = self.attempts
        if self.tried_for is not None:
            found["tried_for"] = self.tried_for
        return found


def given_up(reason: str, detail: Mapping[str, Any] | None = None) -> Dead:
    """A stored give-up read back: from its audit entry's ``detail`` when it has one (``Dead.detail``),
    else from the English sentence (an older gateway's entry, a work item's ``last_error``). A reason
    that is no give-up sentence comes back with ``why`` None."""
    kept = _from_detail(reason, detail or {})
    if kept is not None:
        return kept
    for why, pattern in _READ:
        matched = pattern.fullmatch(reason)
        if matched is not None:
            found = matched.groupdict()
            attempts = int(found["attempts"]) if "attempts" in found else None
            return Dead(
                reason=reason,
                why=why,
                said=found["said"],
                attempts=attempts,
                tried_for=found.get("tried_for"),
            )
    return Dead(reason=reason)


def _from_detail(reason: str, detail: Mapping[str, Any]) -> Dead | None:
    kind = detail.get("give_up")
    if not isinstance(kind, str) or kind not in GiveUp.__members__.values():
        return None
    why = GiveUp(kind)
    said, attempts, tried_for = detail.get("said"), detail.get("attempts"), detail.get("tried_for")
    return Dead(
        reason=reason,
        why=why,
        said=said if isinstance(said, str) else None,
        attempts=attempts if isinstance(attempts, int) else None,
        tried_for=tried_for if isinstance(tried_for, str) else None,
    )


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
            return Dead.decided(GiveUp.PERMANENT, what)
        if attempt >= self.max_attempts:
            return Dead.decided(GiveUp.ATTEMPTS, what, attempts=attempt)
        if now - first_try_at >= self.max_age:
            return Dead.decided(GiveUp.TOO_LONG, what, tried_for=age(now - first_try_at))
        wait = self.backoff_limit(attempt) * self.rand()
        return RetryAt(at=now + wait, reason=what)


@dataclass(frozen=True, kw_only=True)
class RetryPolicies:
    """A policy per channel (e-CMS, saraban mail, ...) with a default for the others."""

    default: RetryPolicy = field(default_factory=RetryPolicy)
    per_channel: Mapping[str, RetryPolicy] = field(default_factory=dict)

    def for_channel(self, channel: str) -> RetryPolicy:
        return self.per_channel.get(channel, self.default)
