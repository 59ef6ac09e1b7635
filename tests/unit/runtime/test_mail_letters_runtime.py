"""The runtime with in-memory mail ports: a letter a person mails in waits for a clerk; once confirmed
and registered, the receipt and the receive number go back by mail to the address the person wrote
from, as replies to their mail. A gateway letter addressed to an organisation not served here is
marked invalid and the sender is told by mail."""

from __future__ import annotations

import asyncio
import email
from dataclasses import replace
from email.header import decode_header, make_header
from pathlib import Path

from ecms_gateway.engine import Direction, LetterState
from ecms_gateway.engine.mail_values import MailLetterFields
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.mail import MailContact, MailDirectory
from ecms_gateway.runtime.gateway import Gateway
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk
from ecms_gateway.services.mail_letters import confirm_mail_letter, pending_mail_letters
from tests.unit.mail import corpus

from .support import ORGS, A, B, C, agencies, letter, routing, running, until
from .test_mail_channel import ADDRESS, PostOffice, mail_gateway


def _subject(raw: bytes) -> str:
    return str(make_header(decode_header(email.message_from_bytes(raw)["Subject"])))


def test_a_persons_letter_is_confirmed_registered_and_the_reply_goes_to_the_persons_address(
    tmp_path: Path,
) -> None:
    b = agencies(tmp_path)[B]
    office = PostOffice()
    person = corpus.gmail_letter()  # from somchai.peo@gmail.com, not in the directory
    office.boxes[ADDRESS[B]].append(person)

    async def exchange() -> None:
        [waiting] = await until("kept for a clerk", lambda: pending_mail_letters(b.store))
        assert waiting.fields.receiver_org == B  # the mailbox's organisation
        assert [m.field for m in waiting.not_found] == ["sender_org"]
        done = confirm_mail_letter(
            b.store, waiting.id, corrections=MailLetterFields(sender_org=A), served=(B,), actor="clerk:b"
        )
        number = clerk.register(b.store, done.letter_id, actor="clerk:b")
        assert number == 1
        await until("both replies mailed", lambda: len(office.sent) == 2 or None)

    asyncio.run(running([mail_gateway(b, MemoryNode(ORGS), office)], exchange))
    receipt, accepted = office.sent
    for reply in (receipt, accepted):
        assert reply.recipients == (corpus.STRANGER,)  # not the directory's address of A
        parsed = email.message_from_bytes(reply.data)
        assert parsed["In-Reply-To"] == "<CAJx=9kQ2m+Vw1uZt7e0fA@mail.gmail.com>"
    assert "เลขรับ 1" in _subject(accepted.data)
    assert office.boxes[ADDRESS[A]] == []


def test_a_mailed_letter_for_an_organisation_not_served_here_is_marked_invalid_and_the_sender_told(
    tmp_path: Path,
) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    office = PostOffice()
    # The directory gives C the address of B's mailbox: a letter for C lands at B.
    wrong = MailDirectory(
        [
            MailContact(org_id=A, th_name="หน่วยงาน ก", email=ADDRESS[A]),
            MailContact(org_id=B, th_name="หน่วยงาน ข", email=ADDRESS[B]),
            MailContact(org_id=C, th_name="หน่วยงาน ค", email=ADDRESS[B]),
        ]
    )

    def with_directory(gateway: Gateway) -> Gateway:
        assert gateway.parts.mail is not None
        return Gateway(replace(gateway.parts, mail=replace(gateway.parts.mail, directory=wrong)))

    package = letter(1, receiver=C)
    submitted = clerk.submit(a.store, package, routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:a")
    assert submitted.route.channel == "mail"

    def received_at_b() -> LetterState | None:
        found = b.store.find_letter(
            direction=Direction.IN, book_no=package.letter.book_no, letter_date=package.letter.date
        )
        return None if found is None else found.state

    async def exchange() -> None:
        await until("marked invalid at B", lambda: received_at_b() is LetterState.INVALID or None)
        await until("the InvalidLetterNotifier mailed", lambda: len(office.sent) >= 3 or None)

    node = MemoryNode(ORGS)
    gateways = [with_directory(mail_gateway(a, node, office)), with_directory(mail_gateway(b, node, office))]
    asyncio.run(running(gateways, exchange))
    letter_mail, *replies = office.sent
    assert letter_mail.recipients == (ADDRESS[B],)
    invalid = [r for r in replies if "ไม่ถูกต้อง" in _subject(r.data) or "ส่งผิด" in _subject(r.data)]
    assert [r.recipients for r in invalid] == [(ADDRESS[A],)]
    body = email.message_from_bytes(invalid[0].data)
    assert body["In-Reply-To"] == letter_mail.message_id
