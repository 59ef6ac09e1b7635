"""The store out of reach (the PostgreSQL server stopped, restarting or cut off), said once for the
whole process: one line when a task first finds it so, one when it answers again, and waits between
tries that grow to a few seconds instead of a traceback from every worker every ``idle_seconds``.

Nothing is lost meanwhile: what was accepted is in the database, work in hand is completed or failed
when it answers (or taken over after its lease), and the node keeps what was not polled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ecms_gateway.store.database import unreachable

log = logging.getLogger(__name__)

MOST_S = 5.0  # the longest wait between two tries of one task while the database is out of reach


class StoreOutage:
    """Shared by the tasks of one gateway process (workers, webhooks)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, most_s: float = MOST_S) -> None:
        self._clock = clock
        self._most_s = most_s
        self._since: float | None = None
        self._reason = ""
        self._last_failed = 0.0
        self._tries: dict[str, int] = {}

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, who: str, exc: BaseException, *, base_s: float) -> float | None:
        """The wait before ``who`` tries again when ``exc`` says the database is out of reach (said
        once per outage); None for any other error, which the caller reports as before."""
        reason = unreachable(exc)
        if reason is None:
            return None
        self._reason = reason
        self._last_failed = self._clock()
        if self._since is None:
            self._since = self._last_failed
            log.error(
                "the database cannot be reached (%s): work and webhooks wait for it (pages and API "
                "calls fail meanwhile); nothing accepted is lost, and the gateway goes on by itself "
                "when it answers",
                reason,
            )
        tries = self._tries.get(who, 0)
        self._tries[who] = tries + 1
        return float(min(self._most_s, max(base_s, 0.05) * 2**tries))

    def known(self) -> str | None:
        """Why the database is out of reach, when a task of this process found it so lately (within two
        of its longest waits, so some task is still trying it and will call ``answered``); None when
        it is not known out of reach, or nothing tried it lately: then only a query tells."""
        if self._since is None or self._clock() - self._last_failed > 2 * self._most_s:
            return None
        return f"out of reach for {self._clock() - self._since:.0f} s: {self._reason}"

    def answered(self) -> None:
        """A store call of any task succeeded: say so once if the database was out of reach."""
        if self._since is None:
            return
        log.warning(
            "the database answers again (out of reach for %.0f s); the gateway goes on with its work",
            self._clock() - self._since,
        )
        self._since = None
        self._tries.clear()
