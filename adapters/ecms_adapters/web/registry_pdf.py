"""A registry book as a PDF: A4 landscape, the bundled Sarabun font, Thai shaped by HarfBuzz (vowels and
tone marks stacked and placed as Thai readers expect, which fpdf2 alone does not do) and broken into
lines between words (``thai_words``), not inside them.

The table is drawn here, cell by cell with its lines already broken, rather than with fpdf2's
``table()``: that breaks every cell's lines again itself, measuring by shaping the line so far at every
character, and took three times as long (1,000 rows of varied Thai subjects: 12.3 s against 4.2).
The heading row is repeated at the top of every page. ``_BookPdf`` skips fpdf2's bidirectional pass
over left-to-right text (a third less CPU a row, the same PDF).

Copying or searching the PDF's text finds the text that was drawn: ``_text_of_sara_am`` mends the one
place where fpdf2's glyph-to-text map (ToUnicode) would not give it back."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.enums import TextDirection
from fpdf.fonts import Glyph, TTFFont
from fpdf.line_break import Fragment

from ecms_adapters.web.i18n import translate
from ecms_adapters.web.render import be_datetime
from ecms_adapters.web.thai_words import ZWSP, word_breaks

FONTS: Final = Path(__file__).parent / "static" / "vendor" / "sarabun"
COLUMN_WIDTHS: Final = (20, 24, 30, 22, 44, 44, 64, 29)  # millimetres, 277 in all (A4 landscape less margins)
LINE_HEIGHT: Final = 5.5
BOTTOM_MARGIN: Final = 12  # millimetres kept free at the foot of every page
_BREAKS: Final = re.compile(f"({ZWSP}| )")  # where a line may break: kept apart as pieces
SARA_AM: Final = 0x0E33  # ำ
# Bidirectional classes that can make a paragraph anything but one left-to-right run.
_NOT_LEFT_TO_RIGHT: Final = frozenset(
    {"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"}
)


class _BookPdf(FPDF):
    """fpdf2 runs the Unicode bidirectional algorithm over the text of every cell it draws or measures,
    before shaping it; a registry book's Thai, Latin letters and digits come out of it as one
    left-to-right run, and it was about 40% of the book's CPU. Text that holds a right-to-left or an
    embedding character still goes through it. This overrides a private method of fpdf2 (pinned in
    pyproject.toml); ``tests/unit/web/test_registry_pdf.py`` checks the PDF is byte for byte the one
    fpdf2 draws without it."""

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Sequence[Fragment]:
        if not self.text_shaping or markdown or not _left_to_right(text):
            return super()._preload_bidirectional_text(text, markdown)
        self.text_shaping["paragraph_direction"] = TextDirection.LTR
        self.text_shaping["fragment_direction"] = TextDirection.LTR
        emphasis = ("B" in self.font_style, "I" in self.font_style, self.strikethrough, self.underline)
        return tuple(self._preload_font_styles(text, markdown, _initial_emphasis=emphasis))


def _left_to_right(text: str) -> bool:
    return not any(_moves(char) for char in text)


@cache
def _moves(char: str) -> bool:
    return unicodedata.bidirectional(char) in _NOT_LEFT_TO_RIGHT


def book_pdf(
    *, title: str, period: str, headings: Sequence[str], rows: Sequence[Sequence[str]], lang: str = "th"
) -> bytes:
    """The book's PDF; its closing line (how many entries, when printed) in ``lang``, as the page."""
    pdf = _BookPdf(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=False)  # the rows below keep to the page themselves
    pdf.add_font("Sarabun", style="", fname=str(FONTS / "sarabun-400.ttf"))
    pdf.add_font("Sarabun", style="B", fname=str(FONTS / "sarabun-700.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
    pdf.set_title(title)
    pdf.set_creator("ecms-gateway")
    printed = be_datetime(datetime.now(UTC), lang=lang)
    pdf.add_page()
    pdf.set_font("Sarabun", style="B", size=16)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Sarabun", size=12)
    pdf.cell(0, 7, period, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(2)
    pdf.set_font("Sarabun", style="B", size=10)
    heading = [_lines(pdf, str(v), w, {}) for v, w in zip(headings, COLUMN_WIDTHS, strict=True)]
    _draw_heading(pdf, heading)
    widths: dict[str, float] = {}  # of the pieces of text, in the rows' font
    for values in rows:
        cells = [_lines(pdf, str(v), w, widths) for v, w in zip(values, COLUMN_WIDTHS, strict=True)]
        _draw_row(pdf, cells, heading)
    pdf.ln(3)
    if pdf.get_y() + 5 > pdf.h - BOTTOM_MARGIN:
        pdf.add_page()
    pdf.set_font("Sarabun", size=9)
    pdf.cell(0, 5, translate(lang, "registry.printed", n=len(rows), at=printed), align="R")
    _text_of_sara_am(pdf)
    return bytes(pdf.output())


class _NoText(tuple[int, ...]):
    """A glyph's text when it stands for nothing by itself: fpdf2 writes a glyph's map entry from the
    code points it iterates over, and leaves out entries whose text is empty (``len`` 0) altogether;
    this one has a length but no code points, so the entry is written and maps to no text."""

    def __len__(self) -> int:
        return 1


def _text_of_sara_am(pdf: FPDF) -> None:
    """HarfBuzz draws sara am (ำ) as two glyphs, a nikhahit (on its own or joined with a tone mark
    above the consonant) and a sara aa, and fpdf2 gives the text ำ to the first, a mark of no width,
    and no text to the second. Readers then copied "สำนักงาน" as "สำ\\x11นักงาน" (the glyph's code as
    a character) or, placing text by where glyphs advance, "สำ นักงาน". Here the sara aa, which has the
    width, carries the ำ, the mark keeps the rest of its text (the tone mark) or none, and any other
    glyph without text maps to none. fpdf2 is pinned (pyproject.toml); the tests read the PDF back."""
    for font in pdf.fonts.values():
        if not isinstance(font, TTFFont):
            continue
        subset = font.subset
        sara_aa = font.glyph_ids.get(0x0E32)
        glyphs: list[Glyph] = [g for g, _ in subset.items() if g is not None]
        decomposed = any(g.glyph_id == sara_aa and g.unicode == () for g in glyphs)
        for glyph in glyphs:
            text = glyph.unicode if isinstance(glyph.unicode, tuple) else (glyph.unicode,)
            if decomposed and glyph.glyph_id == sara_aa and text == ():
                glyph.unicode = (SARA_AM,)
            elif decomposed and SARA_AM in text and glyph.glyph_id != font.glyph_ids.get(SARA_AM):
                last = len(text) - 1 - text[::-1].index(SARA_AM)
                rest = text[:last] + text[last + 1 :]
                glyph.unicode = rest or _NoText()
            elif text == ():
                glyph.unicode = _NoText()


def _draw_row(pdf: FPDF, cells: list[list[str]], heading: list[list[str]]) -> None:
    """One row of the table: on this page if it fits, else on the next one under the heading again; a
    row taller than a whole page goes on over as many pages as it needs."""
    while True:
        fits = int((pdf.h - BOTTOM_MARGIN - pdf.get_y() + 0.01) // LINE_HEIGHT)
        tall = max(len(lines) for lines in cells)
        if tall > fits:
            page = int((pdf.h - BOTTOM_MARGIN - _below_heading(pdf, heading) + 0.01) // LINE_HEIGHT)
            if tall <= page or fits < 1:
                pdf.add_page()
                _draw_heading(pdf, heading)
                continue
            _draw_cells(pdf, [lines[:fits] for lines in cells], fill=False)
            cells = [lines[fits:] for lines in cells]
            pdf.add_page()
            _draw_heading(pdf, heading)
            continue
        _draw_cells(pdf, cells, fill=False)
        return


def _below_heading(pdf: FPDF, heading: list[list[str]]) -> float:
    """Where the rows of a fresh page begin."""
    return pdf.t_margin + max(len(lines) for lines in heading) * LINE_HEIGHT


def _draw_heading(pdf: FPDF, heading: list[list[str]]) -> None:
    pdf.set_font("Sarabun", style="B", size=10)
    pdf.set_fill_color(230, 230, 230)
    _draw_cells(pdf, heading, fill=True)
    pdf.set_font("Sarabun", size=10)


def _draw_cells(pdf: FPDF, cells: list[list[str]], *, fill: bool) -> None:
    """Cells side by side from the left margin at the current height, bordered, one text line each
    ``LINE_HEIGHT``; then the position is under them."""
    x, y = pdf.l_margin, pdf.get_y()
    height = max(1, *(len(lines) for lines in cells)) * LINE_HEIGHT
    for lines, width in zip(cells, COLUMN_WIDTHS, strict=True):
        pdf.rect(x, y, width, height, style="DF" if fill else "D")
        for index, line in enumerate(lines):
            if line:
                pdf.set_xy(x, y + index * LINE_HEIGHT)
                pdf.cell(width, LINE_HEIGHT, line)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def _lines(pdf: FPDF, text: str, width: float, widths: dict[str, float]) -> list[str]:
    """``text`` in the lines its cell (``width`` mm, the current font) holds: broken at a newline, a
    space, between Thai words, and inside a word wider than the cell between its character clusters;
    each line as long as fits (a tenth of a millimetre to spare). The PDF's text is the text as it was
    (copied, searched), with no marks in it.

    fpdf2 measures text by shaping it (slow: its own line breaking measures character by character),
    so a line is filled with the widths of its pieces, each measured once a book (``widths``), and
    measured whole only when it is done; a line wider than its pieces added up (kerning across them)
    hands its last pieces on to the next line."""
    room = width - 0.1 - 2 * pdf.c_margin

    def measure(piece: str) -> float:
        known = widths.get(piece)
        if known is None:
            known = widths[piece] = pdf.get_string_width(piece)
        return known

    if "\n" not in text and measure(text) <= room:
        return [text]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        pieces = [p for p in _BREAKS.split(word_breaks(paragraph, fits=lambda w: measure(w) <= room)) if p]
        line: list[str] = []
        for piece in pieces:
            if piece == ZWSP or (piece == " " and not line):
                continue  # a mark is not text; a line does not start with a space
            if piece != " " and "".join(line).strip() and sum(map(measure, line)) + measure(piece) > room:
                done, line = _fitted(pdf, line, room)
                lines.append(done)
            line.append(piece)
        while line:
            done, line = _fitted(pdf, line, room)
            lines.append(done)
    return lines


def _fitted(pdf: FPDF, line: list[str], room: float) -> tuple[str, list[str]]:
    """The line's text (trailing spaces dropped), and the pieces that go on to the next line: none,
    unless the line measured whole is wider than its pieces added up (kerning across them)."""
    rest: list[str] = []
    while True:
        while line and line[-1] == " ":
            line = line[:-1]
        text = "".join(line)
        if len(line) <= 1 or pdf.get_string_width(text) <= room:
            return text, rest
        rest.insert(0, line[-1])
        line = line[:-1]
