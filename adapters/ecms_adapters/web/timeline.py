"""A letter's history (its audit entries) as the steps a clerk reads: queued, sent, received by them,
registered as receive number N, rejected or invalid with their reason, withdrawn, and what a person
answered by mail (their words, and a receive number they gave, which changes nothing by itself)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ecms_adapters.web.failures import Failure, gave_up
from ecms_adapters.web.i18n import CATALOGUE, translate
from ecms_gateway.engine.mail_bounces import NOTIFIER_BOUNCED
from ecms_gateway.engine.mail_replies import MailReply, replies_in
from ecms_gateway.engine.values import HistoryEntry, LetterDetail
from ecms_gateway.mail.reply import MAX_REPLY_CHARS

# Steps worth a clerk's attention; the rest (work taken over, notes) stays in the audit log.
_BAD = {
    "retry_later",
    "give_up",
    "reject_notified",
    "invalid_notified",
    "bounced",
    "reject",
    "mark_invalid",
    "invalid_accept_id",
}
# Steps whose reason a person wrote (theirs or ours) or a mail system gave; other steps' notes are the
# gateway's own (a ProcessID, an error for the operators) and stay in `show` and the audit log.
_REASONED = {
    "reject",
    "mark_invalid",
    "withdraw",
    "invalid_accept_id",
    "reject_notified",
    "invalid_notified",
    "bounced",
}
# What the gateway recorded as a withdrawal's reason when the clerk gave none, before it recorded none.
_OLD_DEFAULT_REASONS = frozenset({"withdrawn after the receiver refused it"})
_THEIR_NUMBER = {"accept_notified", "invalid_accept_id"}  # steps about the receiver's receive number
_GOOD = {"receive_notified", "accept_notified", "register", "sent"}
_FAILED = {"retry_later", "give_up"}  # steps whose reason is a failed try's (engine.retry's words)


@dataclass(frozen=True, kw_only=True)
class Step:
    at: datetime
    text: str
    reason: str | None
    actor: str
    tone: str  # "good", "bad" or "" (CSS class)
    said: str | None = None  # a person's own words (their reply by mail)
    receive_no: str | None = None  # a receive number their words give: for the clerk to check
    said_nothing: bool = False  # a reply with no words of theirs (only the quoted letter)
    said_cut: int = 0  # the characters kept of longer words (0: all): the mailbox has them all
    failure: Failure | None = None  # why a try failed or delivery gave up


def timeline(detail: LetterDetail, lang: str) -> list[Step]:
    letter = detail.letter
    replies = {entry.seq: reply for entry, reply in replies_in(detail.history)}
    steps = []
    for entry in detail.history:
        if entry.seq in replies:
            steps.append(_reply(entry, replies[entry.seq], lang))
            continue
        if entry.action == NOTIFIER_BOUNCED:
            steps.append(_notifier_bounced(entry, lang))
            continue
        if not entry.action.startswith("letter."):
            continue
        event = entry.action.removeprefix("letter.")
        key = f"tl.{event}"
        if f"{key}.{letter.channel}" in CATALOGUE:  # said as the channel did it (by saraban mail)
            key = f"{key}.{letter.channel}"
        if key not in CATALOGUE:
            continue
        number = letter.accept_id if event in _THEIR_NUMBER else letter.registry_no
        tone = "bad" if event in _BAD else "good" if event in _GOOD else ""
        steps.append(
            Step(
                at=entry.at,
                text=translate(lang, key, n=number if number is not None else "?"),
                reason=_reason(event, entry.reason),
                actor=entry.actor,
                tone=tone,
                failure=_failure(event, entry, lang) if event in _FAILED else None,
            )
        )
    return steps


def _failure(event: str, entry: HistoryEntry, lang: str) -> Failure | None:
    """Why the try failed (``retry_later``: which try it was) or why delivery gave up."""
    reason = (entry.reason or "").strip()
    if not reason:
        return None
    if event == "retry_later":
        attempt = _attempt(entry.detail)
        if attempt is None:
            return Failure(why=translate(lang, "tl.why"), said=reason)
        return Failure(why=translate(lang, "tl.why.try", n=attempt), said=reason)
    return gave_up(lang, reason, entry.detail) or Failure(why=translate(lang, "tl.why"), said=reason)


def _attempt(detail: str) -> int | None:
    """The try's number kept in a ``retry_later`` entry's detail (``{"attempt": 2, ...}``)."""
    try:
        found = json.loads(detail or "{}")
    except ValueError:
        return None
    attempt = found.get("attempt") if isinstance(found, dict) else None
    return attempt if isinstance(attempt, int) else None


def _reason(event: str, reason: str | None) -> str | None:
    """The reason a clerk reads: a person's or a mail system's, not the gateway's own default."""
    return reason if event in _REASONED and reason not in _OLD_DEFAULT_REASONS else None


def _notifier_bounced(entry: HistoryEntry, lang: str) -> Step:
    """A notifier we mailed about this letter came back: its sender does not know; the clerk tells them."""
    try:
        found = json.loads(entry.detail or "{}")
    except ValueError:
        found = {}
    what = str(found.get("what", "")).removeprefix("notifier:") if isinstance(found, dict) else ""
    key = f"tl.notifier.{what}"
    named = translate(lang, key) if key in CATALOGUE else ""
    reason = (entry.reason or "").strip()
    return Step(
        at=entry.at,
        text=translate(lang, "tl.notifier_bounced", what=named),
        reason=None,
        actor=entry.actor,
        tone="bad",
        failure=Failure(why=translate(lang, "tl.notifier_bounced.why"), said=reason) if reason else None,
    )


def _reply(entry: HistoryEntry, reply: MailReply, lang: str) -> Step:
    """A person's answer by mail: who, when they wrote, their words; the letter's state is unchanged."""
    return Step(
        at=reply.mail_date or entry.at,
        text=translate(lang, "tl.mail_reply", who=reply.who),
        reason=None,
        actor=entry.actor,
        tone="",
        said=reply.text or None,
        receive_no=reply.receive_no,
        said_nothing=not reply.text.strip(),
        said_cut=MAX_REPLY_CHARS if len(reply.text) >= MAX_REPLY_CHARS and reply.text.endswith("…") else 0,
    )
