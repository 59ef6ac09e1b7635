"""The compose form over HTTP: files attached to a refused submit are kept for the clerk's session and
used by the next one; the letter file must be a PDF by content; file sizes are bounded; an unmatched
receiver and every compose message are said wholly in the page's language."""

from __future__ import annotations

import html
import re

from ecms_adapters.web.i18n import translate
from ecms_adapters.web.uploads import MB, letter_bytes

from ecms_gateway.runtime.settings import MAIL
from tests.integration.web.live import ORG_B, LiveWeb, csrf_of, message_after, sample

THAI = re.compile(r"[\u0E00-\u0E7F]")
MAIL_ORG = "2199000000"  # the sample directory's organisation reached by saraban mail
Files = list[tuple[str, tuple[str, bytes, str]]]


def _form(csrf: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "csrf": csrf,
        "kind": "external",
        "book_no": "ศธ 0990/88",
        "date": "2026-11-20",
        "subject": "ขอเชิญประชุม",
        "speed": "normal",
        "secrecy": "normal",
        "receiver": ORG_B,
    }
    form.update(changes)
    return form


def _files() -> Files:
    package = sample()
    return [
        ("main_file", (package.main.name, package.main.content, "application/pdf")),
        ("attachments", (package.attachments[0].name, package.attachments[0].content, "application/pdf")),
    ]


def _faults(page: str, field: str) -> str:
    found = re.search(rf'<ul class="faults" id="{field}-faults">(.*?)</ul>', page, re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


def _kept(page: str) -> list[str]:
    return re.findall(r'name="kept" value="([^"]+)"', page)


def _pdf(size: int, mark: bytes = b"") -> bytes:
    head = b"%PDF-1.4\n%" + mark + b"\n"
    return head + b"0" * (size - len(head))


def test_files_of_a_refused_submit_are_kept_and_the_next_submit_sends_them(live: LiveWeb) -> None:
    """The clerk fixes the one fault and presses send again without attaching anything: the letter goes
    with the files attached the first time, and nothing stays kept afterwards."""
    clerk = live.logged_in("clerk")
    first = clerk.post("/compose", data=_form(csrf_of(clerk.get("/compose").text), date=""), files=_files())
    assert first.status_code == 200
    assert _faults(first.text, "date")
    assert not _faults(first.text, "main_file")
    text = html.unescape(first.text)
    assert "แนบแล้ว: letter-001.pdf (" in text
    assert "แนบแล้ว: letter-001-agenda.pdf (" in text
    tokens = _kept(first.text)
    assert len(tokens) == 2
    assert live.store.queue() == []

    again = clerk.post("/compose", data=_form(csrf_of(first.text), kept=tokens), files=[])
    assert again.status_code == 303, _faults(again.text, "main_file")
    letter_id = int(again.headers["location"].rsplit("/", 1)[1])
    package = sample()
    assert [(f.name, f.content) for f in live.store.load_package(letter_id).files] == [
        (f.name, f.content) for f in package.files
    ]
    assert not list((live.root / "data" / "compose-kept").rglob("*.bin"))


def test_another_session_cannot_use_a_clerks_kept_files(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    first = clerk.post("/compose", data=_form(csrf_of(clerk.get("/compose").text), date=""), files=_files())
    tokens = _kept(first.text)
    assert tokens
    other = live.logged_in("admin")
    stolen = other.post("/compose", data=_form(csrf_of(other.get("/compose").text), kept=tokens), files=[])
    assert stolen.status_code == 200
    assert "กรุณาแนบไฟล์หนังสือ" in _faults(stolen.text, "main_file")
    assert _kept(stolen.text) == []
    assert live.store.queue() == []
    mine = clerk.post("/compose", data=_form(csrf_of(first.text), kept=tokens), files=[])
    assert mine.status_code == 303


def test_a_kept_file_can_be_removed_or_replaced(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    first = clerk.post("/compose", data=_form(csrf_of(clerk.get("/compose").text), date=""), files=_files())
    main_token, agenda_token = _kept(first.text)
    removed = clerk.post(
        "/compose",
        data=_form(csrf_of(first.text), kept=[main_token, agenda_token], drop=main_token),
        files=[],
    )
    assert removed.status_code == 200
    assert "กรุณาแนบไฟล์หนังสือ" in _faults(removed.text, "main_file")
    assert _kept(removed.text) == [agenda_token]

    new_main = _pdf(2000, b"replacement")
    replaced = clerk.post(
        "/compose",
        data=_form(csrf_of(removed.text), kept=[agenda_token]),
        files=[("main_file", ("letter-002.pdf", new_main, "application/pdf"))],
    )
    assert replaced.status_code == 303, _faults(replaced.text, "main_file")
    files = live.store.load_package(int(replaced.headers["location"].rsplit("/", 1)[1])).files
    assert [(f.name, f.content) for f in files] == [
        ("letter-002.pdf", new_main),
        ("letter-001-agenda.pdf", sample().attachments[0].content),
    ]


def test_the_letter_file_must_be_a_pdf_by_its_content_whatever_its_name(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    docx = b"PK\x03\x04" + b"\0" * 200  # a word-processor file (a ZIP), named as one
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    answer = clerk.post(
        "/compose",
        data=_form(csrf_of(clerk.get("/compose").text)),
        files=[("main_file", ("letter.docx", docx, word))],
    )
    assert answer.status_code == 200
    assert "ต้องเป็นไฟล์ PDF" in _faults(answer.text, "main_file")
    assert "letter.docx" in _faults(answer.text, "main_file")
    assert live.store.queue() == []

    scan = _pdf(3000, b"scanned")
    sent = clerk.post(
        "/compose",
        data=_form(csrf_of(answer.text)),
        files=[("main_file", ("scan", scan, "application/octet-stream"))],
    )
    assert sent.status_code == 303, _faults(sent.text, "main_file")
    main = live.store.load_package(int(sent.headers["location"].rsplit("/", 1)[1])).main
    assert (main.name, main.mime, main.content) == ("scan.pdf", "application/pdf", scan)


def test_a_file_over_the_limit_is_refused_by_name_and_the_page_says_the_limit(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    page = clerk.get("/compose")
    assert "ไฟล์ละไม่เกิน 25 MB" in page.text
    big = _pdf(25 * MB + 1)
    answer = clerk.post(
        "/compose",
        data=_form(csrf_of(page.text)),
        files=[_files()[0], ("attachments", ("scan-big.pdf", big, "application/pdf"))],
    )
    assert answer.status_code == 200
    said = _faults(answer.text, "attachments")
    assert "scan-big.pdf" in said
    assert "25 MB" in said
    assert live.store.queue() == []
    assert "แนบแล้ว: letter-001.pdf" in html.unescape(answer.text)  # the good file is kept
    assert "scan-big.pdf (" not in html.unescape(answer.text)  # the refused one is not


def test_the_files_of_a_letter_by_mail_must_fit_what_a_mail_can_carry(live: LiveWeb) -> None:
    """By saraban mail the files travel twice, each Base64-encoded: a letter that fits e-CMS can be too
    large for a mail the receiving gateway accepts."""
    limits = letter_bytes(live.services.settings)
    half = limits[MAIL] // 2 + MB
    assert 2 * half < limits["ecms"]
    clerk = live.logged_in("clerk")
    files: Files = [
        ("main_file", ("letter.pdf", _pdf(half), "application/pdf")),
        ("attachments", ("annex.pdf", _pdf(half), "application/pdf")),
    ]
    by_mail = clerk.post(
        "/compose", data=_form(csrf_of(clerk.get("/compose").text), receiver=MAIL_ORG), files=files
    )
    assert by_mail.status_code == 200
    assert "อีเมลสารบรรณ" in _faults(by_mail.text, "attachments")
    assert live.store.queue() == []
    by_ecms = clerk.post("/compose", data=_form(csrf_of(by_mail.text)), files=files)
    assert by_ecms.status_code == 303, _faults(by_ecms.text, "attachments")


def test_a_typed_receiver_that_matches_nothing_is_said_so(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    typed = "กรมที่ไม่มีในทำเนียบ"
    answer = clerk.post(
        "/compose",
        data=_form(csrf_of(clerk.get("/compose").text), receiver="", receiver_query=typed),
        files=_files(),
    )
    said = _faults(answer.text, "receiver")
    assert translate("th", "compose.receiver_none", query=typed) in said
    assert translate("th", "compose.required") not in said
    assert f'data-query="{typed}"' in answer.text
    several = clerk.post(
        "/compose", data=_form(csrf_of(answer.text), receiver="", receiver_query="ตัวอย่าง"), files=_files()
    )
    assert translate("th", "compose.receiver_pick", query="ตัวอย่าง", n=3) in _faults(several.text, "receiver")


def test_compose_messages_are_wholly_english_on_the_english_page(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    clerk.get("/lang", params={"to": "en", "next": "/compose"})
    form = _form(csrf_of(clerk.get("/compose").text), secrecy="secret", subject="", receiver="")
    answer = clerk.post("/compose", data=form, files=[])
    for field in ("secrecy", "subject", "receiver", "main_file"):
        said = _faults(answer.text, field)
        assert said, field
        assert not THAI.search(said), f"{field}: {said}"
    assert "paper" in _faults(answer.text, "secrecy")


def test_compose_messages_are_wholly_thai_on_the_thai_page(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    form = _form(csrf_of(clerk.get("/compose").text), secrecy="secret", subject="", receiver="")
    answer = clerk.post("/compose", data=form, files=[])
    for field in ("secrecy", "subject", "receiver", "main_file"):
        said = _faults(answer.text, field).replace("PDF", "")
        assert said, field
        assert not re.search(r"[A-Za-z]{2,}", said), f"{field}: {said}"


def test_the_sent_note_is_in_the_pages_language_without_the_nodes_address(live: LiveWeb) -> None:
    clerk = live.logged_in("clerk")
    answer = clerk.post("/compose", data=_form(csrf_of(clerk.get("/compose").text)), files=_files())
    note = message_after(clerk, answer, "note")
    assert note is not None
    assert "http" not in note
    assert "สำนักงานศึกษาธิการจังหวัดตัวอย่าง" in note
    assert not re.search(r"[A-Za-z]{2,}", note.replace("e-CMS", "")), note


def test_a_kept_file_let_go_meanwhile_is_asked_for_again_without_saying_it_expired(live: LiveWeb) -> None:
    """Kept files also go when all sessions' room is full (not only after 8 hours): the form asks for
    the file again in words true of both."""
    clerk = live.logged_in("clerk")
    first = clerk.post("/compose", data=_form(csrf_of(clerk.get("/compose").text), date=""), files=_files())
    tokens = _kept(first.text)
    assert len(tokens) == 2
    for kept in (live.root / "data" / "compose-kept").rglob("*"):
        if kept.is_file():
            kept.unlink()  # as the bound of all sessions does to the oldest files
    again = clerk.post("/compose", data=_form(csrf_of(first.text), kept=tokens), files=[])
    assert again.status_code == 200
    faults = _faults(again.text, "attachments") + _faults(again.text, "main_file")
    assert "ไม่ได้เก็บไว้แล้ว" in faults
    assert "หมดอายุ" not in faults
    assert live.store.queue() == []
