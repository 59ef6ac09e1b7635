"""Property: any letter package -> e-CMS XML -> the equal letter with byte-identical files."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecms_gateway.codec import LetterDocument, OutboundRequest, build_document, read_message, to_wire
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.model import FileData, FileRef, Letter, LetterPackage, Party, Reference, Signer
from ecms_gateway.letter.thai import THAI_DIGITS

_THAI = "".join(chr(c) for c in range(0x0E01, 0x0E5C) if chr(c).isprintable())
_TEXT_ALPHABET = _THAI + "abcXYZ019 .,:;/()-_'\"&<>\n\t\r"
_NAME_ALPHABET = _THAI + "abcXYZ019 ._-()"
_MIME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,12}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,20}"

text = st.text(alphabet=_TEXT_ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip() != "")
optional_text = st.none() | st.text(alphabet=_TEXT_ALPHABET, max_size=30)
digits = st.sampled_from(["0123456789", THAI_DIGITS])
book_no = (
    st.builds(
        lambda prefix, d, a, b: f"{prefix} {''.join(d[int(c)] for c in a)}/{''.join(d[int(c)] for c in b)}",
        st.sampled_from(["ศธ", "สธ", "กค", "นร"]),
        digits,
        st.from_regex(r"[0-9]{4}", fullmatch=True),
        st.from_regex(r"[0-9]{1,5}", fullmatch=True),
    )
    | text
)
letter_date = st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31))
org_id = st.from_regex(r"[0-9]{5}", fullmatch=True).map(lambda d: d + "00000")
party = st.builds(
    Party, org_id=org_id, given_name=optional_text, family_name=optional_text, job_title=optional_text
)
file_name = st.text(alphabet=_NAME_ALPHABET, min_size=1, max_size=24).filter(
    lambda s: s.strip() != "" and s not in (".", "..")
)
files = st.builds(
    FileData, name=file_name, mime=st.from_regex(_MIME, fullmatch=True), content=st.binary(max_size=3000)
)


@st.composite
def packages(draw: st.DrawFn) -> LetterPackage:
    main = draw(files)
    attachments = tuple(draw(st.lists(files, max_size=3)))
    letter = Letter(
        kind=draw(st.sampled_from(Kind)),
        book_no=draw(book_no),
        date=draw(letter_date),
        subject=draw(text),
        speed=draw(st.sampled_from(Speed)),
        secrecy=draw(st.sampled_from(Secrecy)),
        sender=draw(party),
        receiver=draw(party),
        references=tuple(
            draw(st.lists(st.builds(Reference, book_no=book_no, date=letter_date, subject=text), max_size=3))
        ),
        enclosures=draw(optional_text),
        description=draw(optional_text),
        main_file=FileRef(path=main.name, mime=main.mime),
        attachments=tuple(FileRef(path=f.name, mime=f.mime) for f in attachments),
        signer=draw(
            st.none()
            | st.builds(Signer, given_name=optional_text, family_name=optional_text, job_title=optional_text)
        ),
    )
    return LetterPackage(letter=letter, main=main, attachments=attachments)


send_times = st.none() | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(  # noqa: DTZ001
    lambda t: t.replace(microsecond=0)
)


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(package=packages(), send_time=send_times)
def test_any_letter_survives_the_wire(package: LetterPackage, send_time: datetime | None) -> None:
    data = to_wire(OutboundRequest(item=LetterDocument(element=build_document(package, send_time=send_time))))
    assert b"&#3" not in data  # Thai is written as UTF-8, never as character references
    read = read_message(data)
    assert isinstance(read.message, OutboundRequest)
    assert isinstance(read.message.item, LetterDocument)
    decoded = read.message.item.decode()
    assert decoded.package.letter == package.letter
    assert [f.content for f in decoded.package.files] == [f.content for f in package.files]
    assert decoded.package == package
    assert decoded.send_time == (None if send_time is None else send_time.isoformat())


@settings(max_examples=25, deadline=None, database=None)
@given(package=packages())
def test_file_paths_become_file_names(package: LetterPackage) -> None:
    """A letter whose files were loaded from sub-folders comes back with the bare file names as paths."""
    letter = package.letter.model_copy(
        update={
            "main_file": FileRef(path=f"files/{package.main.name}", mime=package.main.mime),
            "attachments": tuple(FileRef(path=f"a/b/{f.name}", mime=f.mime) for f in package.attachments),
        }
    )
    moved = LetterPackage(letter=letter, main=package.main, attachments=package.attachments)
    read = read_message(to_wire(OutboundRequest(item=LetterDocument(element=build_document(moved)))))
    assert isinstance(read.message, OutboundRequest)
    assert isinstance(read.message.item, LetterDocument)
    assert read.message.item.decode().package == package
