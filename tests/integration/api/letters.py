"""Letters for the API tests: format-v1 JSON, its files, both request shapes, and letters put into
states through the store the way the runtime would."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

from ecms_gateway.engine import NotifierIn, NotifierKind, SignatureMark, Store, WorkKind
from ecms_gateway.letter.model import FileData, Letter, LetterPackage
from tests.integration.api.server import ORG_A, ORG_B

DAY = date(2026, 11, 20)
MAIN_NAME = "หนังสือเชิญประชุม {i}.pdf"  # Thai names: downloads must give them back exactly
ATTACHMENT_NAME = "ระเบียบวาระ {i}.pdf"


def pdf(i: int, size: int = 0) -> bytes:
    head = f"%PDF-1.4\n% letter {i}\n".encode()
    return head + b"x" * max(0, size - len(head))


def letter_json(i: int = 1, **changes: Any) -> dict[str, Any]:
    letter: dict[str, Any] = {
        "kind": "external",
        "book_no": f"ศธ 0990/{i}",
        "date": DAY.isoformat(),
        "subject": f"ขอเชิญประชุม ครั้งที่ {i}",
        "speed": "urgent",
        "secrecy": "normal",
        "sender": {"org_id": ORG_A, "given_name": "สมชาย"},
        "receiver": {"org_id": ORG_B},
        "main_file": {"path": MAIN_NAME.format(i=i), "mime": "application/pdf"},
        "attachments": [{"path": ATTACHMENT_NAME.format(i=i), "mime": "application/pdf"}],
    }
    letter.update(changes)
    return letter


def files_of(letter: dict[str, Any], i: int = 1, size: int = 0) -> dict[str, bytes]:
    refs = [letter["main_file"], *letter.get("attachments", [])]
    return {ref["path"]: pdf(i * 100 + n, size) for n, ref in enumerate(refs)}


def multipart(letter: dict[str, Any], files: dict[str, bytes]) -> list[tuple[str, Any]]:
    """httpx ``files=``: the part ``letter`` and one part per file, named by its path."""
    parts: list[tuple[str, Any]] = [
        ("letter", ("letter.json", json.dumps(letter, ensure_ascii=False).encode(), "application/json"))
    ]
    parts += [(name, (name, data, "application/pdf")) for name, data in files.items()]
    return parts


def base64_body(letter: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
    return {"letter": letter, "files": {n: base64.b64encode(d).decode() for n, d in files.items()}}


def received(
    store: Store, i: int, *, sender: str = "2199000000", signature: SignatureMark = SignatureMark.VERIFIED
) -> int:
    """An inbound letter ``i`` for us (A), recorded as the inbound processor records one."""
    letter = Letter.model_validate_json(
        json.dumps(letter_json(i, sender={"org_id": sender}, receiver={"org_id": ORG_A}, attachments=[]))
    )
    package = LetterPackage(
        letter=letter, main=FileData(name=letter.main_file.path, mime="application/pdf", content=pdf(i))
    )
    inbox = store.accept_inbound(f"<raw {i}/>".encode(), channel="ecms", process_id=f"p-{i}", actor="ecms")
    return store.record_inbound_letter(inbox.id, package, actor="test", signature=signature).id


def send(store: Store, letter_id: int) -> None:
    """The outbound worker delivers the letter to the node."""
    claim = store.claim("ecms", "test-worker", kinds=[WorkKind.SEND])
    assert claim is not None
    assert claim.letter_id == letter_id
    store.complete(claim.work_id, worker="test-worker")


def notify(store: Store, kind: NotifierKind, i: int, *, accept_id: str | None = None) -> None:
    """A notifier from the receiver about our letter ``i`` (an AcceptLetterNotifier with ``accept_id``)."""
    store.match_notifier(
        NotifierIn(
            kind=kind, sender_dept=ORG_A[:5], book_no=f"ศธ 0990/{i}", letter_date=DAY, accept_id=accept_id
        ),
        actor="ecms",
    )


def withdrawal_done(store: Store) -> None:
    """The node confirms the withdrawal."""
    claim = store.claim("ecms", "test-worker", kinds=[WorkKind.WITHDRAW])
    assert claim is not None
    store.complete(claim.work_id, worker="test-worker")
