"""Letters people sent by mail, for a clerk to confirm: one function per action, shared by the CLI,
the REST API and the web pages.

The mail processor keeps each person's letter (``keep_mail_letter``) with what it read and what it did
not find. A clerk lists them (``pending_mail_letters``), looks at one with its files (``mail_letter``),
then either confirms it (``confirm_mail_letter``: the completed fields are checked with the letter
model's all-faults loader, and the letter is recorded through the Store's intake as an ordinary
inbound letter, state received, channel mail, unless it repeats a letter already received and the clerk
did not say it is another one, see mail_repeats.py; ``register`` then gives its receive number and the
AcceptLetterNotifier goes back to the person's address by mail) or dismisses it
(``dismiss_mail_letter``: not a letter). A mail the gateway cannot take in at all (quarantined: no
file, a broken file or e-CMS XML, too large, no sender) is kept too (``keep_unreadable_mail``), so a
clerk sees it: with no files it cannot be confirmed (``UnreadableMail``), only read and dismissed.
Every action is committed before it returns.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from ecms_gateway.engine import SignatureMark, Store
from ecms_gateway.engine.mail_letters import OPEN_STATES, not_open_error
from ecms_gateway.engine.mail_values import MailLetterFields, MailLetterState, MailLetterView
from ecms_gateway.errors import GatewayError, StoreError
from ecms_gateway.letter.model import FileData
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.inbound import HumanLetter, Quarantined
from ecms_gateway.mail.parse import parse_mail
from ecms_gateway.services.mail_repeats import RepeatsReceivedLetter, repeated_letter
from ecms_gateway.services.mail_review import draft_of, letter_of, merged, require_reason, unreadable_draft_of


class UnreadableMail(StoreError):
    """Confirming a record kept about a mail that is not a letter the gateway could read."""

    def __init__(self, record: MailLetterView) -> None:
        super().__init__(
            f"อีเมลรายการที่ {record.id} รับเป็นหนังสือไม่ได้: {record.unreadable} "
            "เมื่อจัดการแล้ว (เช่น ขอให้ผู้ส่งส่งใหม่) ให้ปัดตกพร้อมบอกสิ่งที่ทำ "
            f"(mail {record.id} is not a letter the gateway could read; dismiss it once dealt with)"
        )
        self.record = record


@dataclass(frozen=True, kw_only=True)
class KeptMailLetter:
    """The record kept for a clerk; ``created`` is False when the inbox item had been kept before."""

    record: MailLetterView
    created: bool


@dataclass(frozen=True, kw_only=True)
class MailLetterWithFiles:
    """A record and the bytes of its files (the main file first)."""

    record: MailLetterView
    files: tuple[FileData, ...]


@dataclass(frozen=True, kw_only=True)
class ConfirmedMailLetter:
    """A confirmed record and the inbound letter it became.

    ``created`` is False when that letter had been recorded already: the same letter came in another
    mail, or an earlier confirmation of this record was cut off after recording it.
    """

    record: MailLetterView
    letter_id: int
    created: bool


def keep_mail_letter(
    store: Store,
    inbox_id: int,
    found: HumanLetter,
    raw: bytes,
    *,
    served: Collection[str],
    mailbox_org: str | None,
    directory: MailDirectory | None,
    actor: str,
) -> KeptMailLetter:
    """Keep the person's letter ``found`` (from inbox item ``inbox_id``, bytes ``raw``) for a clerk.

    Idempotent: processing the same inbox item again returns the record kept the first time.
    """
    draft = draft_of(inbox_id, found, raw, served=served, mailbox_org=mailbox_org, directory=directory)
    accepted = store.record_mail_letter(draft, actor=actor)
    return KeptMailLetter(record=store.mail_letter(accepted.id), created=accepted.created)


def keep_unreadable_mail(store: Store, inbox_id: int, found: Quarantined, *, actor: str) -> KeptMailLetter:
    """Keep the quarantined mail ``found`` (inbox item ``inbox_id``) for a clerk to read; idempotent."""
    accepted = store.record_mail_letter(unreadable_draft_of(inbox_id, found), actor=actor)
    return KeptMailLetter(record=store.mail_letter(accepted.id), created=accepted.created)


def pending_mail_letters(store: Store) -> list[MailLetterView]:
    """Records waiting for a clerk, oldest first (a confirmation in progress shows as ``confirming``)."""
    return store.open_mail_letters()


def mail_letters_in(
    store: Store, states: Collection[MailLetterState] = (), *, newest_first: bool = False
) -> list[MailLetterView]:
    """Records in ``states`` (``()``: every state), oldest first unless ``newest_first``; at most 1000."""
    return store.mail_letters_in(states, newest_first=newest_first)


def count_waiting(store: Store) -> int:
    """How many records wait for a clerk (what ``pending_mail_letters`` would list)."""
    return store.count_open_mail_letters()


@dataclass(frozen=True, kw_only=True)
class MailText:
    """What a person wrote in the mail (or in a message forwarded inside it), as the clerk reads it."""

    heading: str | None  # None for the mail itself; "From · Subject" of a forwarded message
    text: str


MAX_TEXT: Final = 20_000
"""Characters of a mail's text shown; a longer one is cut (the rest is in the mailbox)."""
MAX_PARSED: Final = 32 * 1024 * 1024
"""A mail larger than this (one kept because it was too large to take in) is not parsed for its text."""


def mail_texts(store: Store, record: MailLetterView) -> list[MailText]:
    """The mail's own text, then each forwarded message's, read again from the stored mail: what the
    person wrote beside the letter (a request, a deadline, "this answers your letter ..."), or what a
    mail the gateway could not take as a letter says. Each cut at ``MAX_TEXT`` characters."""
    try:
        raw = store.load_raw(record.inbox_id)
    except GatewayError:
        return []  # the raw mail is gone or damaged: the fields read at receipt still stand
    if len(raw) > MAX_PARSED:
        return []
    mail = parse_mail(raw)
    found = [MailText(heading=None, text=mail.text)]
    for inner in mail.forwarded:
        who = inner.from_name or inner.from_address or ""
        heading = " · ".join(part for part in (who, inner.subject) if part)
        found.append(MailText(heading=heading, text=inner.text))
    return [
        MailText(heading=t.heading, text=t.text[:MAX_TEXT] + (" …" if len(t.text) > MAX_TEXT else ""))
        for t in found
        if t.text.strip()
    ]


def mail_letter(store: Store, record_id: int) -> MailLetterWithFiles:
    """One record, whatever its state, with the bytes of its files; ``NotFound`` for an unknown id."""
    return MailLetterWithFiles(record=store.mail_letter(record_id), files=store.mail_letter_files(record_id))


def confirm_mail_letter(
    store: Store,
    record_id: int,
    *,
    corrections: MailLetterFields = MailLetterFields(),  # noqa: B008 - frozen, all None
    served: Collection[str],
    actor: str,
    allow_repeat: bool = False,
) -> ConfirmedMailLetter:
    """Record the person's letter as an inbound letter (state received, channel mail); returns its id.

    ``corrections`` complete or correct the fields read from the mail (None keeps a field as read);
    ``served`` are the organisations this gateway receives for (the receiver must be one). Raises
    ``RepeatsReceivedLetter`` (before any other check) when a letter with that book number and date
    was received already, unless ``allow_repeat`` (the clerk says it is another letter);
    ``LetterInvalid`` listing every missing or wrong field in Thai (``fault.where`` is the field name
    of ``MailLetterFields``, or ``files``), ``UnreadableMail`` for a mail that is not a letter,
    ``StoreError`` when the record is already confirmed, was
    dismissed or is being confirmed right now, and ``NotFound`` for an unknown id.
    """
    record = confirmable(store.mail_letter(record_id))
    fields = merged(record.fields, corrections)
    if not allow_repeat and (repeat := repeated_letter(store, record, fields, served=served)) is not None:
        raise RepeatsReceivedLetter(record_id, repeat)
    files = store.mail_letter_files(record_id)
    package = letter_of(fields, files, served=served, description=_description(record))
    taken = store.begin_mail_letter_confirm(record_id, actor=actor)
    try:
        letter_id = (
            store.inbound_letter_of_inbox(record.inbox_id)
            if record.state is not MailLetterState.PENDING
            else None
        )
        created = False
        if letter_id is None:  # the normal case; else an earlier confirmation recorded it and was cut off
            accepted = store.record_inbound_letter(
                taken.inbox_id, package, actor=actor, signature=SignatureMark.BY_PERSON
            )
            letter_id, created = accepted.id, accepted.created
    except BaseException:
        store.release_mail_letter_confirm(record_id)
        raise
    done = store.finish_mail_letter_confirm(record_id, letter_id=letter_id, fields=fields, actor=actor)
    return ConfirmedMailLetter(record=done, letter_id=letter_id, created=created)


def confirmable(record: MailLetterView) -> MailLetterView:
    """``record``, if a clerk may confirm it now: else why not (``StoreError``, ``UnreadableMail``)."""
    if record.state not in OPEN_STATES:
        raise not_open_error(record, "ยืนยัน")
    if record.unreadable is not None:
        raise UnreadableMail(record)
    return record


def dismiss_mail_letter(store: Store, record_id: int, *, reason: str, actor: str) -> MailLetterView:
    """Set aside a mail that is not a letter, with ``reason`` (kept in its history); nothing is sent.

    ``StoreError`` when the record is already confirmed or dismissed, ``InputError`` without a reason.
    """
    text = require_reason(reason)
    record = store.mail_letter(record_id)
    if record.state is not MailLetterState.PENDING:
        raise not_open_error(record, "ปัดตก")
    return store.dismiss_mail_letter(record_id, reason=text, actor=actor)


def _description(record: MailLetterView) -> str:
    sender = f"{record.from_name} <{record.from_address}>" if record.from_name else record.from_address
    return f"รับทางอีเมลจาก {sender}"
