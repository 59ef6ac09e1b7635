"""A clerk's corrections to a person's letter as a form or a JSON body gives them: text as typed.

The REST API and the web pages share this: the date is read as a clerk types it (Buddhist or
Christian Era, Thai or Arabic digits, ``letter/dates.py``), and a value that cannot be read does not
stop the other checks: ``confirm_typed`` answers every fault at once, next to its field, and records
nothing while there is one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from datetime import date
from typing import Final

from ecms_gateway.engine import Store
from ecms_gateway.engine.mail_letters import OPEN_STATES, not_open_error
from ecms_gateway.engine.mail_values import MailLetterFields
from ecms_gateway.errors import Fault, InputError, LetterInvalid
from ecms_gateway.letter.dates import parse_clerk_date
from ecms_gateway.services.mail_letters import ConfirmedMailLetter, confirm_mail_letter, confirmable
from ecms_gateway.services.mail_review import LABELS, letter_of, merged

FIELD_NAMES: Final = tuple(f.name for f in dataclass_fields(MailLetterFields))
"""The correctable fields, by the names faults carry in ``where``."""
REQUIRED: Final = ("book_no", "letter_date", "subject", "sender_org", "receiver_org")
"""Fields a letter cannot be recorded without (speed and secrecy default to normal)."""


def read_typed(typed: Mapping[str, str | None]) -> tuple[MailLetterFields, list[Fault]]:
    """The corrections in ``typed`` (field name -> text; blank or missing keeps the field as read from
    the mail) and the faults of values that cannot be read (an unreadable date)."""
    texts = {name: " ".join((typed.get(name) or "").split()) or None for name in FIELD_NAMES}
    faults: list[Fault] = []
    day: date | None = None
    if texts["letter_date"] is not None:
        try:
            day = parse_clerk_date(texts["letter_date"])
        except InputError as exc:
            faults.append(
                Fault(
                    where="letter_date",
                    problem=f"{LABELS['letter_date']}: {exc}",
                    code=exc.fault_code,
                    params=exc.fault_params,
                )
            )
    corrections = MailLetterFields(
        book_no=texts["book_no"],
        subject=texts["subject"],
        letter_date=day,
        sender_org=texts["sender_org"],
        receiver_org=texts["receiver_org"],
        speed=texts["speed"],
        secrecy=texts["secrecy"],
    )
    return corrections, faults


def blank_required(typed: Mapping[str, str | None]) -> list[Fault]:
    """A fault for each required field left blank (a form shows every field: blank means removed)."""
    return [
        Fault(where=name, problem=f"{LABELS[name]}: จำเป็นต้องกรอก (required)")
        for name in REQUIRED
        if not (typed.get(name) or "").strip()
    ]


def would_fail(
    store: Store, record_id: int, *, corrections: MailLetterFields, served: Collection[str]
) -> list[Fault]:
    """The faults confirming with ``corrections`` would give now, without recording anything.

    ``StoreError`` when the record can no longer be confirmed, ``NotFound`` for an unknown id.
    """
    record = store.mail_letter(record_id)
    if record.state not in OPEN_STATES:
        raise not_open_error(record, "ยืนยัน")
    try:
        letter_of(merged(record.fields, corrections), store.mail_letter_files(record_id), served=served)
    except LetterInvalid as exc:
        return list(exc.faults)
    return []


def confirm_typed(
    store: Store,
    record_id: int,
    *,
    corrections: MailLetterFields,
    early: Sequence[Fault] = (),
    served: Collection[str],
    actor: str,
    allow_repeat: bool = False,
) -> ConfirmedMailLetter:
    """``confirm_mail_letter``, unless ``early`` faults (from ``read_typed`` / ``blank_required``) were
    found: then ``LetterInvalid`` with those and every other fault (one set per field), nothing recorded."""
    if not early:
        return confirm_mail_letter(
            store, record_id, corrections=corrections, served=served, actor=actor, allow_repeat=allow_repeat
        )
    confirmable(store.mail_letter(record_id))  # a record that cannot be confirmed says so first
    said = {f.where for f in early}
    later = would_fail(store, record_id, corrections=corrections, served=served)
    raise LetterInvalid([*early, *(f for f in later if f.where not in said)])
