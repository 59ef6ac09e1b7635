"""The registry book as PDF, read back with pypdf: Thai lines break between words (each line of a long
subject ends where a word ends; the text is the text given, no hidden marks), and the table goes on
over pages with its heading at the top of each, every row once, in order, none below the margin."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from ecms_adapters.web import registry_pdf
from ecms_adapters.web.registry_pdf import BOTTOM_MARGIN, COLUMN_WIDTHS, FONTS, _fitted, book_pdf
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader

from tests.unit.web.test_thai_words import FOLLOWING, SUBJECT_WORDS

HEADINGS = ["เลขทะเบียน", "วันที่ลงทะเบียน", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ"]
SENDER_WORDS = ["กรม", "ส่งเสริม", "การเรียนรู้"]


def _texts(pdf: bytes, page: int = 0) -> list[tuple[float, float, str]]:
    """(x, y from the page's foot, text) of every piece of text on ``page``, in millimetres."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, _cm: object, tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            found.append((tm[4] * 25.4 / 72, tm[5] * 25.4 / 72, text.strip()))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def _columns(pdf: bytes, page: int = 0) -> dict[int, list[str]]:
    """The lines of text in each column of the table, top to bottom, by column index."""
    starts = [10 + sum(COLUMN_WIDTHS[:i]) for i in range(len(COLUMN_WIDTHS))]
    found = _texts(pdf, page)
    columns: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for x, y, text in found:
        for index, start in enumerate(starts):
            if abs(x - (start + 1)) < 0.05:  # a cell's text begins 1 mm (fpdf2's cell margin) inside it
                columns[index].append((-y, text))
    return {index: [text for _, text in sorted(lines)] for index, lines in columns.items()}


def _ends(words: list[str]) -> set[int]:
    ends, at = set(), 0
    for word in words:
        at += len(word)
        ends.add(at)
    return ends


def test_long_thai_cells_break_between_words() -> None:
    subject = "".join(SUBJECT_WORDS)
    sender = "".join(SENDER_WORDS) * 2
    row = ("1", "21 พ.ย. 2569", "ศธ 0990/1234", "20 พ.ย. 2569", sender, "ครู", subject, "")
    pdf = book_pdf(title="ทะเบียนหนังสือรับ", period="พ.ศ. 2569", headings=HEADINGS, rows=[row])
    columns = _columns(pdf)
    for index, words in ((6, SUBJECT_WORDS), (4, SENDER_WORDS * 2)):
        lines = columns[index][1:]  # below the column's heading
        assert "".join(lines) == "".join(words), lines  # nothing added, nothing lost
        assert len(lines) > 1, lines  # too long for one line in its column
        breaks, at = set(), 0
        for line in lines[:-1]:
            at += len(line)
            breaks.add(at)
        assert breaks <= _ends(words), lines
        assert not any(line[0] in FOLLOWING for line in lines), lines


def test_a_heading_wider_than_its_column_breaks_between_character_clusters() -> None:
    """One dictionary word wider than its column (ประชาสัมพันธ์, 21 mm in a 20 mm column) breaks where
    Thai allows; the book's own headings each fit a line."""
    pdf = book_pdf(title="ทะเบียนหนังสือรับ", period="พ.ศ. 2569", headings=HEADINGS, rows=[])
    assert _columns(pdf)[0] == ["เลขทะเบียน"]  # whole: the column is wide enough for it
    wide = ["ประชาสัมพันธ์", *HEADINGS[1:]]
    lines = _columns(book_pdf(title="ทะเบียนหนังสือรับ", period="พ.ศ. 2569", headings=wide, rows=[]))[0]
    assert "".join(lines) == "ประชาสัมพันธ์"
    assert len(lines) > 1
    assert not any(line[0] in FOLLOWING or line[-1] in "เแโใไ" for line in lines), lines


def test_cells_with_spaces_break_at_them_and_keep_every_word() -> None:
    receiver = "กรมส่งเสริมการเรียนรู้ (Department of Learning Encouragement) กรุงเทพมหานคร 10300"
    row = ("2", "21 พ.ย. 2569", "ศธ 0990/1235", "20 พ.ย. 2569", "ครู", receiver, "ขอเชิญประชุม", "")
    lines = _columns(book_pdf(title="ทะเบียน", period="2569", headings=HEADINGS, rows=[row]))[5][1:]
    assert len(lines) > 2, lines
    assert "".join(lines).replace(" ", "") == receiver.replace(" ", "")
    assert all(line == line.strip() for line in lines), lines
    assert "Learning" in " ".join(lines)
    assert not any(line[0] in FOLLOWING for line in lines), lines


def test_a_book_number_wider_than_its_column_wraps_inside_it() -> None:
    """A long run of digits or Latin letters has no word boundary: it breaks between its characters
    rather than running over the next columns and off the page."""
    book_no = "ศธ 0990/" + "1234567890" * 20
    code = "X" * 120
    row = ("11", "21 พ.ย. 2569", book_no, "20 พ.ย. 2569", "ครู", "กรม", code, "")
    columns = _columns(book_pdf(title="ทะเบียน", period="2569", headings=HEADINGS, rows=[row]))
    lines, subject = columns[2][1:], columns[6][1:]
    assert "".join(lines).replace(" ", "") == book_no.replace(" ", "")
    assert "".join(subject) == code
    assert len(lines) > 10
    assert len(subject) > 2
    with TTFont(FONTS / "sarabun-400.ttf") as font:  # advance widths at 10 pt, in millimetres
        glyphs, advances, per_em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        width = {char: advances[glyphs[ord(char)]][0] / per_em * 10 * 25.4 / 72 for char in book_no + code}
    for text, room in [(line, COLUMN_WIDTHS[2]) for line in lines] + [(s, COLUMN_WIDTHS[6]) for s in subject]:
        assert sum(width[char] for char in text) <= room - 2, text


class _Kerned:
    """Text 1 mm a character, and 5 mm more once it is longer than 10: a line measured whole is wider
    than its pieces added up, as kerning across them can make it."""

    def get_string_width(self, text: str) -> float:
        return len(text) + (5 if len(text) > 10 else 0)


def test_a_line_wider_than_its_pieces_added_up_hands_its_last_pieces_on() -> None:
    text, rest = _fitted(_Kerned(), ["abcd", " ", "efgh", " ", "ij", " "], 12)  # type: ignore[arg-type]
    assert (text, rest) == ("abcd efgh", ["ij"])
    assert _fitted(_Kerned(), ["abcd", " ", "ef", " "], 12) == ("abcd ef", [])  # type: ignore[arg-type]
    assert _fitted(_Kerned(), ["abcdefghijklmnop"], 5) == ("abcdefghijklmnop", [])  # type: ignore[arg-type]


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_a_long_book_goes_on_over_pages_with_the_heading_on_each() -> None:
    rows = [(str(n), "21 พ.ย. 2569", f"ศธ 0990/{n}", "20 พ.ย. 2569", "ครู", "กรม", "".join(SUBJECT_WORDS), "")
            for n in range(1, 61)]  # fmt: skip
    pdf = book_pdf(title="ทะเบียนหนังสือรับ", period="2569", headings=HEADINGS, rows=rows)
    pages = _pages(pdf)
    assert pages > 2
    numbers: list[str] = []
    for page in range(pages):
        first = _columns(pdf, page)[0]
        assert first[0] == "เลขทะเบียน", (page, first)  # the heading opens every page
        numbers += first[1:]
        lowest = min(y for _, y, _ in _texts(pdf, page))
        assert lowest >= BOTTOM_MARGIN - 1, (page, lowest)  # nothing in the margin at the foot
    assert numbers == [str(n) for n in range(1, 61)]  # every row once, in order


def test_a_row_taller_than_a_page_goes_on_over_the_next() -> None:
    note = "\n".join(f"บรรทัดที่ {n}" for n in range(1, 71))
    row = ("1", "21 พ.ย. 2569", "ศธ 0990/1", "20 พ.ย. 2569", "ครู", "กรม", "ขอเชิญประชุม", note)
    pdf = book_pdf(title="ทะเบียนหนังสือรับ", period="2569", headings=HEADINGS, rows=[row])
    pages = _pages(pdf)
    assert pages >= 2
    lines = [line for page in range(pages) for line in _columns(pdf, page)[7][1:]]
    assert lines == [f"บรรทัดที่ {n}" for n in range(1, 71)]
    assert all(_columns(pdf, page)[0][0] == "เลขทะเบียน" for page in range(pages))


SARA_AM_WORDS = ("สำนักงาน", "น้ำท่วม", "ค่ำคืน", "กำหนด", "ประจำปี", "นำ่")  # the last: tone mark typed after ำ


def _sara_am_book() -> bytes:
    row = (
        "1",
        "21 พ.ย. 2569",
        "ศธ 0990/1234",
        "20 พ.ย. 2569",
        SARA_AM_WORDS[0],
        "ครู",
        " ".join(SARA_AM_WORDS),
        "",
    )
    return book_pdf(title="ทะเบียนหนังสือรับ สำนักงาน", period="ประจำปี 2569", headings=HEADINGS, rows=[row])


def test_text_with_sara_am_reads_back_as_written() -> None:
    """ำ is drawn as two glyphs; the PDF's text still has the word as typed (copy, search), with no
    glyph code in it as a character (it was "สำ\\x11นักงาน")."""
    text = PdfReader(io.BytesIO(_sara_am_book())).pages[0].extract_text()
    assert "ทะเบียนหนังสือรับ สำนักงาน" in text
    assert "ประจำปี 2569" in text
    for word in SARA_AM_WORDS:
        assert word in text, (word, text)
    assert not [c for c in text if ord(c) < 0x20 and c != "\n"], repr(text)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils' pdftotext is not installed")
def test_text_with_sara_am_reads_back_without_a_gap_in_poppler(tmp_path: Path) -> None:
    """Poppler places text where glyphs advance: with ำ given to the mark of no width it read
    "สำ นักงาน", a word split in two."""
    book = tmp_path / "book.pdf"
    book.write_bytes(_sara_am_book())
    text = subprocess.run(["pdftotext", str(book), "-"], capture_output=True, text=True, check=True).stdout
    for word in ("สำนักงาน", "ประจำปี", *SARA_AM_WORDS[1:-1]):
        assert word in text, (word, text)


def test_the_book_is_byte_for_byte_what_fpdf2_draws_with_its_bidirectional_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The book skips fpdf2's bidirectional algorithm for left-to-right text (``_BookPdf``): the PDF must
    not change by it, for Thai, Latin letters, digits and punctuation, a subject cut over lines, and a
    cell with Arabic and Hebrew (which still goes through the algorithm)."""
    rows = [
        [
            "1",
            "12 พ.ย. 2569 10:05",
            "ศธ 0990/1234",
            "10 พ.ย. 2569",
            "สำนักงานเลขาธิการคุรุสภา",
            "กรม",
            "".join(SUBJECT_WORDS) * 3,
            "ลงทะเบียนรับแล้ว",
        ],
        [
            "2",
            "12 พ.ย. 2569 10:06",
            "MOE 0206/77 (rev. 2)",
            "-",
            "Office of the Teachers' Council",
            "ถึง: กรม",
            "Re: budget 2027 — ok?",
            "",
        ],
        [
            "3",
            "12 พ.ย. 2569 10:07",
            "ที่ 5/2569",
            "-",
            "سفارة مملكة تايلاند",
            "שגרירות",
            "เรื่อง ขอบคุณ (شكرا) 123",
            "ส่งต่อ",
        ],
    ]
    fixed = "22 พ.ย. 2569 08:00"
    monkeypatch.setattr(registry_pdf, "be_datetime", lambda _when, lang="th": fixed)

    def drawn() -> bytes:
        pdf = book_pdf(title="ทะเบียนหนังสือรับ", period="พ.ศ. 2569", headings=HEADINGS, rows=rows)
        return re.sub(rb"/CreationDate \(D:[0-9Z']+\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", pdf)

    ours = drawn()
    monkeypatch.setattr(registry_pdf, "_BookPdf", FPDF)
    assert ours == drawn()


@pytest.mark.parametrize(
    ("lang", "closing"),
    [
        ("th", r"1 รายการ · พิมพ์เมื่อ .+ \(เวลาประเทศไทย\)"),
        ("en", r"entries: 1 · printed .+ BE .+ \(Thailand time\)"),
    ],
)
def test_the_closing_line_is_in_the_books_language(lang: str, closing: str) -> None:
    """How many entries and when printed, in the language the book was asked in (as its headings)."""
    pdf = book_pdf(title="Register", period="2569", headings=HEADINGS, rows=[["1"] * 8], lang=lang)
    text = " ".join(piece for _, _, piece in _texts(pdf))
    assert re.search(closing, text), text
