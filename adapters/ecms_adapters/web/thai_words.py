"""Where a line of Thai text may break: between two words, never inside one.

Thai is written without spaces between words, so only a dictionary knows where a word ends. A
typesetter that breaks at spaces (fpdf2) breaks a long Thai run at whatever character overflows the
line: inside a word, or before a following vowel such as ะ, which then starts the next line.
`word_breaks` marks every boundary between two Thai words with a zero-width space (U+200B), a break
opportunity for fpdf2 that shows nothing; PyThaiNLP's ``newmm`` engine with its bundled dictionary
finds the words. A word too wide for the line on its own is marked between its Thai character
clusters too (PyThaiNLP's ``tcc``), so that it breaks where Thai allows: never between a consonant and
its vowel or tone mark. Text with no Thai in it is returned as it is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from typing import Final

ZWSP: Final = "\u200b"
_THAI: Final = re.compile("[\u0e00-\u0e7f]")


@cache
def _tokenizers() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]]:
    """Words, and character clusters."""
    # PyThaiNLP makes a data folder in the home directory when imported unless it is read-only; the
    # dictionary it needs here is inside the package.
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    from pythainlp.tokenize import subword_tokenize, word_tokenize  # noqa: PLC0415 - after the setting

    def words(text: str) -> list[str]:
        return word_tokenize(text, engine="newmm", keep_whitespace=True)

    def clusters(text: str) -> list[str]:
        return subword_tokenize(text, engine="tcc", keep_whitespace=True)

    return words, clusters


def word_breaks(text: str, fits: Callable[[str], bool] | None = None) -> str:
    """``text`` with a zero-width space between every two adjacent Thai words, and between the
    character clusters of any word that ``fits`` says is too wide for a line."""
    if not _THAI.search(text):
        return text
    words, clusters = _tokenizers()
    pieces: list[str] = []
    for word in _cut(words, text):
        pieces.extend(_cut(clusters, word) if fits is not None and not fits(word) else [word])
    marked = [pieces[0]]
    for before, piece in pairwise(pieces):
        if _THAI.match(before[-1]) and _THAI.match(piece[0]):
            marked.append(ZWSP)
        marked.append(piece)
    return "".join(marked)


def _cut(tokenize: Callable[[str], list[str]], text: str) -> list[str]:
    """``text`` in the tokenizer's pieces; whole if they would not give the text back as it was."""
    pieces = [piece for piece in tokenize(text) if piece]
    return pieces if "".join(pieces) == text else [text]
