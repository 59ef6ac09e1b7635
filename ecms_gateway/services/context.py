"""``Services``: the one object every face of a running gateway (API, web pages, watched folders,
metrics) is handed by the composition root. Each action goes through ``services.clerk`` and the
``Store`` exactly as the CLI's do, and then wakes the gateway's workers so the work starts at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ecms_gateway.access import Access
from ecms_gateway.engine import Store, WrongAcceptIdReport
from ecms_gateway.engine.context import utc_now
from ecms_gateway.engine.events import Origin
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import RuntimeSettings
from ecms_gateway.services import clerk
from ecms_gateway.services.clerk import Submitted


@dataclass(kw_only=True)
class RuntimeStatus:
    """Live facts about the running gateway that only its memory holds, for health and metrics.

    Written by the runtime's tasks (one event loop), read by the faces; nothing here is a record of
    work (that is all in the store), so losing it on restart loses nothing.
    """

    started_at: datetime = field(default_factory=utc_now)
    last_poll_ok_at: dict[str, datetime] = field(default_factory=dict)  # per served organisation
    last_poll_error: dict[str, str] = field(default_factory=dict)
    directory_loaded_at: datetime | None = None
    directory_source: str | None = None

    def directory_loaded(self, source: str, *, at: datetime | None = None) -> None:
        """The routing directory was (re)loaded from ``source``."""
        self.directory_loaded_at = at or utc_now()
        self.directory_source = source

    def polled(self, org: str, error: str | None, *, at: datetime | None = None) -> None:
        """The poller drained ``org``'s queue (``error`` None) or failed to, saying why (poll lag metric)."""
        if error is None:
            self.last_poll_ok_at[org] = at or utc_now()
            self.last_poll_error.pop(org, None)
        else:
            self.last_poll_error[org] = error


def _nothing() -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class Services:
    """The store, the settings and the live routing table of one gateway, and the clerk's actions."""

    store: Store
    settings: RuntimeSettings
    routing: Callable[[], RoutingTable | None]  # the directory's current table; None before the first load
    wake: Callable[[], None] = _nothing  # tell the running gateway there is new work
    status: RuntimeStatus = field(default_factory=RuntimeStatus)

    @property
    def access(self) -> Access:
        return self.store.access

    def routing_table(self) -> RoutingTable:
        """The current table, or a clear error while the directory has not been loaded yet."""
        table = self.routing()
        if table is None:
            raise clerk.DirectoryNotReady(
                "the organisation directory has not been loaded yet; try again in a moment "
                "(see the gateway's log for why it is not loading)"
            )
        return table

    def submit(self, package: LetterPackage, *, actor: str, origin: Origin | None = None) -> Submitted:
        """``origin`` (e.g. an outbox folder, an Idempotency-Key) makes a repeated submit return the
        letter accepted the first time."""
        done = clerk.submit(
            self.store,
            package,
            routing=self.routing_table(),
            secrecy=self.settings.secrecy,
            actor=actor,
            origin=origin,
            served=self.settings.org_ids,
            limits=self.settings.limits,
        )
        self.wake()
        return done

    def register(self, letter_id: int, *, actor: str) -> int:
        number = clerk.register(self.store, letter_id, actor=actor)
        self.wake()
        return number

    def reject(self, letter_id: int, *, reason: str, actor: str) -> None:
        clerk.reject(self.store, letter_id, reason=reason, actor=actor)
        self.wake()

    def mark_invalid(self, letter_id: int, *, reason: str, actor: str) -> None:
        clerk.mark_invalid(self.store, letter_id, reason=reason, actor=actor)
        self.wake()

    def withdraw(self, letter_id: int, *, actor: str, reason: str | None = None) -> None:
        clerk.withdraw(self.store, letter_id, actor=actor, reason=reason)
        self.wake()

    def report_wrong_accept_id(self, letter_id: int, *, reason: str, actor: str) -> WrongAcceptIdReport:
        report = clerk.report_wrong_accept_id(self.store, letter_id, reason=reason, actor=actor)
        self.wake()
        return report

    def resend(
        self,
        letter_id: int,
        *,
        actor: str,
        corrected: LetterPackage | None = None,
        origin: Origin | None = None,
    ) -> Submitted:
        """``origin`` (an Idempotency-Key) makes a repeated resend return the letter made the first time."""
        done = clerk.resend(
            self.store,
            letter_id,
            routing=self.routing_table(),
            secrecy=self.settings.secrecy,
            actor=actor,
            corrected=corrected,
            origin=origin,
            served=self.settings.org_ids,
            limits=self.settings.limits,
        )
        self.wake()
        return done
