"""Every kind the core reports as data for the pages to word has its words in Thai and English: each way
the audit chain can break (``audit.break.*``, the entries it names filled in) and each source of the
directory (``dash.directory_from.*``). A kind missing here would show its key on the page."""

from __future__ import annotations

import pytest
from ecms_adapters.web.audit_text import chain_problem
from ecms_adapters.web.i18n import CATALOGUE, LANGS

from ecms_gateway.engine.values import AuditReport, ChainBreak
from ecms_gateway.runtime.routing import DirectoryFrom

# The entries each kind names, as audit.verify reports them.
NUMBERS = {
    ChainBreak.ALTERED: {"seq": 12},
    ChainBreak.REHASHED: {"seq": 4, "next": 5},
    ChainBreak.REMOVED: {"first": 3, "last": 5, "seq": 6},
    ChainBreak.REORDERED: {"seq": 3, "belongs_after": 4, "placed_after": 2},
    ChainBreak.OUT_OF_SEQUENCE: {"seq": 9, "expected": 8},
    ChainBreak.START_REMOVED: {"seq": 1},
    ChainBreak.END_REMOVED: {"first": 8, "last": 9},
    ChainBreak.END_MISMATCH: {"seq": 9},
}
RANGES = [kind for kind, numbers in NUMBERS.items() if "first" in numbers]


def test_every_kind_of_break_is_listed_here() -> None:
    assert set(NUMBERS) == set(ChainBreak)


@pytest.mark.parametrize("kind", list(ChainBreak))
def test_every_kind_of_break_has_words_in_both_languages(kind: ChainBreak) -> None:
    keys = [f"audit.break.{kind.value}"] + ([f"audit.break.{kind.value}.one"] if kind in RANGES else [])
    for key in keys:
        assert key in CATALOGUE, key
        thai, english = CATALOGUE[key]
        assert thai.strip()
        assert english.strip()
        assert not any("\u0e00" <= char <= "\u0e7f" for char in english), key


@pytest.mark.parametrize("kind", list(ChainBreak))
@pytest.mark.parametrize("lang", LANGS)
def test_every_kind_of_break_is_said_with_the_entries_it_names(kind: ChainBreak, lang: str) -> None:
    numbers = NUMBERS[kind]
    report = AuditReport(checked=1, first_bad=1, problem="as printed", kind=kind, numbers=numbers)
    said = chain_problem(lang, report)
    assert said is not None
    assert "{" not in said
    assert "audit.break" not in said
    for number in numbers.values():
        assert str(number) in said
    assert any("\u0e00" <= char <= "\u0e7f" for char in said) is (lang == "th")


@pytest.mark.parametrize("kind", RANGES)
def test_a_range_of_one_entry_is_said_as_one(kind: ChainBreak) -> None:
    numbers = {**NUMBERS[kind], "first": 7, "last": 7}
    report = AuditReport(checked=1, first_bad=7, problem="as printed", kind=kind, numbers=numbers)
    assert chain_problem("en", report) == CATALOGUE[f"audit.break.{kind.value}.one"][1].format(**numbers)


def test_a_report_without_a_kind_shows_its_english_and_an_intact_chain_nothing() -> None:
    assert (
        chain_problem("th", AuditReport(checked=1, first_bad=1, problem="entry 1 is odd")) == "entry 1 is odd"
    )
    assert chain_problem("th", AuditReport(checked=3)) is None


@pytest.mark.parametrize("kind", list(DirectoryFrom))
def test_every_source_of_the_directory_has_words_in_both_languages(kind: DirectoryFrom) -> None:
    thai, english = CATALOGUE[f"dash.directory_from.{kind.value}"]
    assert thai.strip()
    assert english.strip()
