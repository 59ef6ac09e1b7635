"""Where a line of Thai text may break: between two words, never inside one.

Thai is written without spaces between words, so only a dictionary knows where a word ends. A
typesetter that breaks at spaces (fpdf2) breaks a long Thai run at whatever character overflows the
line: inside a word, or before a following vowel such as ะ, which then starts the next line.
`word_breaks` marks every boundary between two Thai words with a zero-width space (U+200B), a break
opportunity for fpdf2 that shows nothing; PyThaiNLP's ``newmm`` engine with its bundled dictionary
finds the words, looked up in a marisa-trie (``_Dictionary``): PyThaiNLP's own trie of Python objects
for the same 62,000 words took about 73 MB and 0.6 s to build, this one under 10 MB and 0.06 s. A word
too wide for the line on its own is marked between its Thai character clusters too (PyThaiNLP's
``tcc``), so that it breaks where Thai allows: never between a consonant and its vowel or tone mark; a
word with no Thai in it (a long book number or code) between its characters.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from itertools import pairwise
from typing import Final

import marisa_trie

ZWSP: Final = "\u200b"
_THAI: Final = re.compile("[\u0e00-\u0e7f]")
_SPACES: Final = re.compile("( )")


class _Dictionary:
    """PyThaiNLP's word list as ``newmm`` asks it (``prefixes``: the words that begin at a position of a
    text), in a compact read-only trie that threads may share."""

    def __init__(self, words: Iterable[str]) -> None:
        listed = [word for word in words if word]
        self._trie = marisa_trie.Trie(listed)
        self._longest = max(map(len, listed))

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        found: list[str] = self._trie.prefixes(text[start : start + self._longest])
        return found  # shortest first, as from PyThaiNLP's own trie

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._trie


@cache
def _tokenizers() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]]:
    """Words, and character clusters."""
    # PyThaiNLP makes a data folder in the home directory when imported unless it is read-only; the
    # dictionary it needs here is inside the package.
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    from pythainlp.corpus import get_corpus  # noqa: PLC0415 - after the setting
    from pythainlp.tokenize import subword_tokenize, word_tokenize  # noqa: PLC0415 - after the setting

    dictionary = _Dictionary(get_corpus("words_th.txt"))  # the list newmm's own default trie is built from

    def words(text: str) -> list[str]:
        return word_tokenize(text, engine="newmm", custom_dict=dictionary, keep_whitespace=True)  # type: ignore[arg-type]

    def clusters(text: str) -> list[str]:
        return subword_tokenize(text, engine="tcc", keep_whitespace=True)

    return words, clusters


def word_breaks(text: str, fits: Callable[[str], bool] | None = None) -> str:
    """``text`` with a zero-width space between every two adjacent Thai words, and between the
    character clusters of any word (Thai or not: a book number, a code, a long address) that ``fits``
    says is too wide for a line."""
    thai = _THAI.search(text) is not None
    if not thai and fits is None:
        return text
    pieces: list[str] = []
    for word in _cut(_tokenizers()[0], text) if thai else _SPACES.split(text):
        if fits is not None and word.strip() and not fits(word):
            parts = _cut(_tokenizers()[1], word) if _THAI.search(word) else _characters(word)
            pieces.append(ZWSP.join(parts))
        elif word:
            pieces.append(word)
    if not pieces:
        return text
    marked = [pieces[0]]
    for before, piece in pairwise(pieces):
        if _THAI.match(before[-1]) and _THAI.match(piece[0]):
            marked.append(ZWSP)
        marked.append(piece)
    return "".join(marked)


def _characters(word: str) -> list[str]:
    """``word`` cut before every character that does not combine with the one before it."""
    out: list[str] = []
    for char in word:
        if out and unicodedata.combining(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def _cut(tokenize: Callable[[str], list[str]], text: str) -> list[str]:
    """``text`` in the tokenizer's pieces; whole if they would not give the text back as it was."""
    pieces = [piece for piece in tokenize(text) if piece]
    return pieces if "".join(pieces) == text else [text]
