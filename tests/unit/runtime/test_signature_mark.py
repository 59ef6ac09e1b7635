"""The inbound processor keeps how a letter's sender was established on the letter: verified for a
trusted signature, unsigned_accepted for an unsigned letter a partner's accept-and-flag policy lets in."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from ecms_gateway.codec import LetterDocument, build_document
from ecms_gateway.engine import Direction, SignatureMark
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.signing import PartnerPolicy, UnsignedPolicy

from .support import ORGS, A, B, agencies, gateway, letter, running, until


def test_an_unsigned_letter_kept_by_policy_is_marked_and_a_signed_one_verified(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    flagging = PartnerPolicy(unsigned=UnsignedPolicy.ACCEPT_AND_FLAG, sign_notifiers=True)
    b.signing = replace(b.signing, default_partner=flagging)
    node = MemoryNode(ORGS)
    unsigned, signed = letter(1), letter(2)
    node.enqueue(A, LetterDocument(element=build_document(unsigned)), message_id=None)
    document = build_document(signed)
    a.signer().sign_letter(document)
    node.enqueue(A, LetterDocument(element=document), message_id=None)

    def mark(number: int) -> SignatureMark | None:
        key = letter(number).letter
        found = b.store.find_letter(direction=Direction.IN, book_no=key.book_no, letter_date=key.date)
        return None if found is None else b.store.show(found.id).letter.signature

    async def receive() -> None:
        await until("both letters recorded at B", lambda: mark(1) and mark(2))

    asyncio.run(running([gateway(b, node)], receive))
    assert (mark(1), mark(2)) == (SignatureMark.UNSIGNED_ACCEPTED, SignatureMark.VERIFIED)
