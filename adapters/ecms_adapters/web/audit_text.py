"""The audit log's entries as an operator reads them: each action by its name in the page's language
(the catalogue's ``act.*``), a give-up or failed try in the page's words, a person's reason as they
wrote it, and the gateway's own words (a ProcessID, a mail server's answer) quoted as the record; and
what broke the chain, when the check finds it broken, in the page's words (``audit.break.*``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from ecms_adapters.web.failures import Failure, gave_up
from ecms_adapters.web.i18n import translate, translate_value
from ecms_gateway.engine.overview import AuditLine
from ecms_gateway.engine.reasons import FAILURE_ACTIONS
from ecms_gateway.engine.values import AuditReport

# Entries whose reason a person typed (a clerk's refusal, an operator's redrive, the receiver's own
# reason): shown as written, in whatever language it was written.
PEOPLES_WORDS: Final = frozenset(
    {
        "letter.reject",
        "letter.mark_invalid",
        "letter.withdraw",
        "letter.invalid_accept_id",
        "letter.reject_notified",
        "letter.invalid_notified",
        "letter.redrive",
        "work.redriven",
        "mail_letter.dismissed",
    }
)


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One line of the audit log: ``name`` in the page's language, ``code`` as stored; the reason is
    either a person's (``reason``) or the system's, quoted (``said``, after ``why`` when the page has
    words for it)."""

    seq: int
    at: datetime
    actor: str
    name: str
    code: str
    letter_id: int | None
    reason: str | None = None
    why: str | None = None
    said: str | None = None


def entries(lines: Iterable[AuditLine], lang: str) -> list[Entry]:
    return [_entry(line, lang) for line in lines]


def chain_problem(lang: str, report: AuditReport) -> str | None:
    """What broke the chain in ``lang``, from the report's kind and the entries it names (a range of one
    entry said as one); the report's English when it has no kind. None when the chain is intact."""
    if report.kind is None:
        return report.problem
    numbers = report.numbers
    key = f"audit.break.{report.kind.value}"
    if "first" in numbers and numbers["first"] == numbers.get("last"):
        key += ".one"
    return translate(lang, key, **numbers)


def action_name(lang: str, action: str) -> str:
    """An audit action by its name in ``lang``; its code when the catalogue has none."""
    return translate_value(lang, "act", action)


def _entry(line: AuditLine, lang: str) -> Entry:
    said = (line.reason or "").strip()
    base = Entry(
        seq=line.seq,
        at=line.at,
        actor=line.actor,
        name=action_name(lang, line.action),
        code=line.action,
        letter_id=line.letter_id,
    )
    if not said:
        return base
    if line.action in PEOPLES_WORDS:
        return replace(base, reason=said)
    failure = _failure(line.action, said, lang)
    return replace(base, why=failure.why, said=failure.said)


def _failure(action: str, said: str, lang: str) -> Failure:
    if action in FAILURE_ACTIONS:
        found = gave_up(lang, said)
        if found is not None:
            return found
        return Failure(why=translate(lang, "tl.why"), said=said)
    return Failure(why=translate(lang, "audit.system_said"), said=said)
