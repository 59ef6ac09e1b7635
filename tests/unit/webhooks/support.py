"""Letters for the webhook and folder tests: outbound ones accepted, inbound ones recorded, in a store."""

from __future__ import annotations

import json
from datetime import date

from ecms_gateway.engine import SignatureMark, Store
from ecms_gateway.letter.model import FileData, Letter, LetterPackage

US, PARTNER = "2099000000", "2099100000"


def package(i: int, *, sender: str = US, receiver: str = PARTNER) -> LetterPackage:
    letter = Letter.model_validate_json(
        json.dumps(
            {
                "kind": "external",
                "book_no": f"ศธ 0990/{i}",
                "date": date(2026, 11, 20).isoformat(),
                "subject": f"เรื่องทดสอบ {i}",
                "speed": "normal",
                "secrecy": "normal",
                "sender": {"org_id": sender},
                "receiver": {"org_id": receiver},
                "main_file": {"path": f"letter-{i}.pdf", "mime": "application/pdf"},
            }
        )
    )
    main = FileData(name=f"letter-{i}.pdf", mime="application/pdf", content=f"%PDF-1.4 letter {i}\n".encode())
    return LetterPackage(letter=letter, main=main)


def receive(store: Store, i: int) -> int:
    """Record inbound letter ``i`` (from the partner to us) as if a channel brought it; its id."""
    inbox = store.accept_inbound(f"raw {i}".encode(), channel="ecms", process_id=f"p{i}", actor="test")
    return store.record_inbound_letter(
        inbox.id, package(i, sender=PARTNER, receiver=US), actor="test", signature=SignatureMark.VERIFIED
    ).id


def submit(store: Store, i: int) -> int:
    """Accept outbound letter ``i`` into the outbox; its id."""
    return store.accept_outbound(package(i), actor="test", channel="ecms")
