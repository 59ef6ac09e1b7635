"""Why sending failed or gave up, in the page's language: the page's own words for the retry policy's
decision (``engine.retry.given_up``: from the audit entry's detail, or from the English sentence an
older gateway stored), then the error as the system said it, quoted."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ecms_adapters.web.i18n import translate
from ecms_gateway.engine.reasons import shown
from ecms_gateway.engine.retry import GiveUp, given_up

_KEYS: Final = {
    GiveUp.PERMANENT: "tl.why.permanent",
    GiveUp.ATTEMPTS: "tl.why.attempts",
    GiveUp.TOO_LONG: "tl.why.too_long",
}


@dataclass(frozen=True, kw_only=True)
class Failure:
    """Why a try failed: ``why`` in the page's language (None: the error says it all), then ``said``,
    the error as it was stored (often the node's or the mail server's English), shown quoted."""

    why: str | None
    said: str


def gave_up(lang: str, reason: str, detail: Mapping[str, Any] | str | None = None) -> Failure | None:
    """A give-up in ``lang`` when ``reason`` (with its audit ``detail``) is one, else None."""
    dead = given_up(reason, _mapping(detail))
    if dead.why is None:
        return None
    values = {"n": dead.attempts} if dead.why is GiveUp.ATTEMPTS else {}
    said = shown(dead.said) or reason  # the detail keeps the words as said: without a class name in front
    return Failure(why=translate(lang, _KEYS[dead.why], **values), said=said)


def error_cell(lang: str, reason: str | None) -> Failure | None:
    """A work item's last error for a table's cell: a give-up in the page's words, any other error
    (a try that will be retried) as it was said."""
    if not reason:
        return None
    return gave_up(lang, reason) or Failure(why=None, said=reason)


def _mapping(detail: Mapping[str, Any] | str | None) -> Mapping[str, Any] | None:
    """An audit entry's detail, kept as JSON text; anything unreadable counts as none."""
    if detail is None or isinstance(detail, Mapping):
        return detail
    try:
        found = json.loads(detail or "{}")
    except ValueError:
        return None
    return found if isinstance(found, dict) else None
