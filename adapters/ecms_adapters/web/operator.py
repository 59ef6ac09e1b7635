"""The operators' pages: the dashboard (queues, 24-hour charts, failing routes, dead letters with
redrive, directory and certificates) and the audit log with its chain check."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from ecms_adapters.web.audit_text import chain_problem, entries
from ecms_adapters.web.context import Page
from ecms_adapters.web.failures import error_cell
from ecms_adapters.web.fault_text import error_text
from ecms_adapters.web.i18n import translate
from ecms_gateway.engine import WorkState
from ecms_gateway.errors import NotFound, StoreError
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.thai import THAI_TIME

# The largest number a database column holds (PostgreSQL BIGINT, SQLite INTEGER): a sequence number
# or work item ID past it is in no store.
_SEQ_MAX: Final = 2**63 - 1


async def dashboard(page: Page) -> Response:
    store, services = page.services.store, page.services
    now = datetime.now(UTC)
    stats = await page.run(store.queue_stats)
    activity = await page.run(store.activity, since=now - timedelta(hours=24))
    failing = await page.run(store.failing_routes)
    dead = await page.run(store.queue, work_state=WorkState.DEAD)
    table = services.routing()
    status = services.status
    certs = sorted(page.web.certificates(), key=lambda c: c.days_left)
    return page.render(
        "dashboard.html",
        now=now,
        stats=stats,
        failing=failing,
        dead=dead,
        chart=json.dumps(_chart_data(activity, page.lang), ensure_ascii=False),
        directory_count=0 if table is None else len(table),
        directory_origin=None if table is None else table.origin,
        # the runtime's English, quoted, only for a table that does not say where it came from as data
        directory_source=status.directory_source or (None if table is None else table.source),
        directory_loaded_at=status.directory_loaded_at,
        polls=_polls(status.last_poll_ok_at, status.last_poll_error),
        certs=certs,
        why=partial(error_cell, page.lang),  # a give-up in the page's words, the error quoted
    )


@dataclass(frozen=True, kw_only=True)
class Poll:
    """One served organisation's last poll of the node: when it last worked, and why it failed if the
    latest failed (the error as the system said it)."""

    org: str
    ok_at: datetime | None
    error: str | None


def _polls(ok_at: Mapping[str, datetime], errors: Mapping[str, str]) -> list[Poll]:
    return [Poll(org=org, ok_at=ok_at.get(org), error=errors.get(org)) for org in sorted({*ok_at, *errors})]


def _chart_data(activity: Any, lang: str) -> dict[str, Any]:
    """The two charts' series; read by static/dashboard.js from a data attribute (no inline script)."""
    hours = [f"{h.hour.astimezone(THAI_TIME):%H:00}" for h in activity]
    return {
        "labels": hours,
        "series": {
            translate(lang, "state.sent"): [h.sent for h in activity],
            translate(lang, "tl.received"): [h.received for h in activity],
            translate(lang, "state.failed"): [h.failed for h in activity],
        },
        "latency": {
            "p50": [h.latency_p50_s for h in activity],
            "p95": [h.latency_p95_s for h in activity],
        },
    }


async def redrive(page: Page) -> Response:
    one = page.field("one")
    chosen = [one] if one else [str(v) for v in page.posted.getlist("selected")]
    try:
        ids = [int(v) for v in chosen]
    except ValueError:
        ids = []
    if not ids:
        return RedirectResponse("/dashboard#dead", status_code=303)
    try:
        beyond = [str(i) for i in ids if abs(i) > _SEQ_MAX]  # no store holds it: not there, as any other
        if beyond:
            items = ", ".join(beyond)
            raise NotFound(
                f"there is no work item {items}",
                fault_code="store.redrive_missing",
                fault_params=fault_params("store.redrive_missing", items=items),
            )
        done = await page.run(
            page.services.store.redrive, ids, actor=page.principal.actor, reason=page.field("reason") or None
        )
    except StoreError as exc:
        return page.redirect("/dashboard#dead", problem=error_text(page.lang, exc))
    page.services.wake()
    note = translate(page.lang, "dash.redriven", n=len(done))
    return page.redirect("/dashboard#dead", note=note)


def _seq(text: str | None) -> int | None:
    """``?before=``: entries before this sequence number; anything else (a mistyped or edited
    address, a number past any the store can hold) is the newest page, not an error."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= _SEQ_MAX else None


async def audit(page: Page) -> Response:
    lines = await page.run(
        page.services.store.audit_lines, before=_seq(page.request.query_params.get("before")), limit=100
    )
    report = None
    if page.request.method == "POST":
        report = await page.run(page.services.store.verify_audit)
    return page.render(
        "audit.html",
        lines=entries(lines, page.lang),
        report=report,
        broken=None if report is None else chain_problem(page.lang, report),
        older=lines[-1].seq if len(lines) == 100 else None,
    )
