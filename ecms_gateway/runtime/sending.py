"""Persist, then send: what every outbound job does with the message it hands to a channel.

The first try of a work item's run builds, signs and encodes the message and archives it
(``Store.archive_sent``) before sending; a retry of the run (``claim.attempt > 1``: the reply was
lost, the node or server failed, the worker died) sends the archived bytes again, neither rebuilt
nor signed again, so the node's answer to a repeated MessageID and the archive agree. The job
returns ``Done`` with the channel's answer, which confirms the message with the work's completion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.parser import BytesHeaderParser
from email.policy import default
from typing import Final

from ecms_gateway.engine import Claim, Store
from ecms_gateway.engine.sent_values import SENT_BY_WORK, Outgoing, SentDraft
from ecms_gateway.engine.values import Confirmation, Done
from ecms_gateway.errors import StoreError
from ecms_gateway.mail import OutgoingMail

_HEAD_END: Final = re.compile(rb"\r?\n\r?\n")


def message_of(store: Store, claim: Claim, build: Callable[[], SentDraft]) -> Outgoing:
    """The message of this run of tries: archived by an earlier try, else ``build()`` archived now.

    Blocking (store and, on a first try, the build): call it in a worker thread."""
    found = kept(store, claim)
    return found if found is not None else store.archive_sent(build(), actor=claim.worker)


def kept(store: Store, claim: Claim) -> Outgoing | None:
    """The message an earlier try of this run archived; None on a first try (its run began with this
    claim, so nothing is looked up). Blocking."""
    if claim.attempt <= 1:
        return None
    return store.sent_of_run(claim.work_id, run_started_at=claim.first_try_at)


def draft(
    claim: Claim,
    *,
    message_id: str,
    raw: bytes,
    mail_from: str | None = None,
    rcpt_to: tuple[str, ...] = (),
) -> SentDraft:
    """The archive's draft of the message ``claim``'s work sends (what it is follows from the work)."""
    return SentDraft(
        work_id=claim.work_id,
        run_started_at=claim.first_try_at,
        letter_id=claim.letter_id,
        channel=claim.channel,
        what=SENT_BY_WORK[claim.kind],
        message_id=message_id,
        raw=raw,
        mail_from=mail_from,
        rcpt_to=rcpt_to,
    )


def done(note: str, message: Outgoing, *, answer: str) -> Done:
    """The job's result: ``note`` for the audit log, ``answer`` confirming ``message``."""
    return Done(note=note, confirmation=Confirmation(sent_id=message.sent.id, answer=answer))


def mail_draft(claim: Claim, mail: OutgoingMail) -> SentDraft:
    """The archive's draft of a composed mail: its bytes and the SMTP envelope they go under."""
    return draft(
        claim,
        message_id=mail.message_id,
        raw=mail.data,
        mail_from=mail.envelope_from,
        rcpt_to=mail.recipients,
    )


def archived_mail(message: Outgoing) -> OutgoingMail:
    """The mail to hand to the server: the archived bytes (so the same Message-ID and signature on
    every try) under the SMTP envelope archived with them."""
    sent = message.sent
    if sent.mail_from is None:
        raise StoreError(f"sent message {sent.id} is not a mail: it has no SMTP envelope")
    head = _HEAD_END.split(message.raw, maxsplit=1)[0]
    subject = BytesHeaderParser(policy=default).parsebytes(head + b"\r\n\r\n").get("Subject", "")
    return OutgoingMail(
        message_id=sent.message_id,
        envelope_from=sent.mail_from,
        recipients=sent.rcpt_to,
        subject=str(subject),
        data=message.raw,
    )
