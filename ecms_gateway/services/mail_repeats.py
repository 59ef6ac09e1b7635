"""One rule, for the CLI, the REST API and the web pages: a mail letter that repeats a letter already
received (the same book number and date, from its sender when known, to one of our organisations) is
not confirmed again unless the clerk says it is another letter; the same letter mailed again, or
forwarded by colleagues, would otherwise become a second received letter, registered twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from ecms_gateway.engine import Direction, Store
from ecms_gateway.engine.lookup import LetterRef
from ecms_gateway.engine.mail_letters import OPEN_STATES
from ecms_gateway.engine.mail_values import MailLetterFields, MailLetterView
from ecms_gateway.errors import StoreError
from ecms_gateway.letter.thai import format_thai_date

REPEATS_RECEIVED_LETTER = "mail_letter.repeats_received_letter"
"""The ``fault_code`` of ``RepeatsReceivedLetter``; ``fault_params`` name the letter and the record."""


@dataclass(frozen=True, kw_only=True)
class Repeat:
    """A received letter a mail letter may repeat, and the book number and date that found it."""

    letter: LetterRef
    book_no: str
    letter_date: date


class RepeatsReceivedLetter(StoreError):
    """Confirming would record a letter already received (``repeat``); the caller may say it is another
    letter (``allow_repeat=True``: the API's ``allow_repeat``, the command line's ``--allow-repeat``)."""

    def __init__(self, record_id: int, repeat: Repeat) -> None:
        self.record_id = record_id
        self.repeat = repeat
        letter_id = repeat.letter.id
        day = format_thai_date(repeat.letter_date)
        super().__init__(
            f"ยังไม่ได้ยืนยันหนังสือทางอีเมลรายการที่ {record_id} เพราะได้รับหนังสือที่ {repeat.book_no} "
            f"ลงวันที่ {day} ไว้แล้วเป็นหนังสือเลขที่ {letter_id} (mail letter {record_id} repeats received "
            f"letter {letter_id}, {repeat.book_no} of {repeat.letter_date.isoformat()}: confirm it again "
            "saying it is another letter, or dismiss it)",
            fault_code=REPEATS_RECEIVED_LETTER,
            fault_params={
                "record_id": str(record_id),
                "letter_id": str(letter_id),
                "book_no": repeat.book_no,
                "letter_date": repeat.letter_date.isoformat(),
            },
            cli_hint=(
                f"ดูหนังสือที่ได้รับไว้ด้วย `ecms-gateway show {letter_id}`; หากเป็นหนังสือคนละฉบับ ยืนยันด้วย "
                f"`ecms-gateway mail confirm {record_id} --allow-repeat`, หากซ้ำ ปัดตกด้วย "
                f"`ecms-gateway mail dismiss {record_id} --reason ...`"
            ),
        )


def repeated_letter(
    store: Store, record: MailLetterView, fields: MailLetterFields, *, served: Collection[str]
) -> Repeat | None:
    """The received letter ``record`` (with ``fields`` as the clerk would confirm them) repeats, or None.

    Only an open record can repeat one; the letter a cut-off confirmation of this very record recorded
    (from the same inbox item) is not a repeat.
    """
    if record.state not in OPEN_STATES or not fields.book_no or fields.letter_date is None:
        return None
    found = store.find_letter(
        direction=Direction.IN,
        book_no=fields.book_no,
        letter_date=fields.letter_date,
        sender_orgs=[fields.sender_org] if fields.sender_org else (),
        receiver_orgs=[receiver]
        if (receiver := fields.receiver_org) in served and receiver
        else tuple(served),
    )
    if found is None or found.id == store.inbound_letter_of_inbox(record.inbox_id):
        return None
    return Repeat(letter=found, book_no=fields.book_no, letter_date=fields.letter_date)
