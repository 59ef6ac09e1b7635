"""The guards of the migrations' downgrades: a step that would drop a table or column holding rows
refuses, naming how many rows of what, before it changes anything.

The tables of this store hold evidence (received items, what was sent, mailed letters, the clerk's
decisions) or what an office system relies on (webhooks, API keys): a downgrade that dropped them
silently could not be undone by upgrading again. An empty table, or a column whose values the
upgrade derives again from what stays, is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ecms_gateway.errors import DowngradeRefused


def count(bind: sa.Connection, table: str, where: str | None = None) -> int:
    """How many rows of ``table`` (those matching the SQL condition ``where``) a step would lose."""
    query = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")  # noqa: S608 - our own names
    return int(bind.execute(sa.text(query)).scalar_one())


def refuse_losing(below: str, kept: Sequence[tuple[int, str]], *, advice: str) -> None:
    """Refuse the step down from ``below`` when any of ``kept`` (a count and what it counts, e.g.
    ``(2, "webhook subscription(s) (webhook_subscription)")``) is not zero; ``advice`` says what to do."""
    found = [f"{number} {what}" for number, what in kept if number]
    if not found:
        return
    listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
    raise DowngradeRefused(f"downgrading below {below} would lose {listed}. {advice}")


def keep_or_restore(revision: str) -> str:
    """The way out when rows would be lost and no command can move them elsewhere."""
    return (
        f"Keep revision {revision} and run the release that needs it, or restore the backup taken before "
        f'the upgrade to {revision} (docs/operations.md, "Rolling back a release").'
    )
