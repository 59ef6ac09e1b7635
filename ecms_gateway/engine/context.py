"""What every engine service needs: the database, the file store, the clock and the retry policies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ecms_gateway.engine.retry import RetryPolicies
from ecms_gateway.store.database import Database
from ecms_gateway.store.files import FileStore

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Context:
    db: Database
    files: FileStore
    clock: Clock = utc_now
    policies: RetryPolicies = field(default_factory=RetryPolicies)
