"""The pages' templates and catalogue: no inline script or style (the CSP forbids them), every word in
Thai and English, and the Buddhist Era date helpers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from ecms_adapters.web.i18n import CATALOGUE, translate
from ecms_adapters.web.render import be_date, be_datetime

TEMPLATES = Path(__file__).parents[3] / "adapters" / "ecms_adapters" / "web" / "templates"
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html")}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_no_inline_script_style_or_event_handler(name: str) -> None:
    text = TEXTS[name]
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert "<style" not in text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text)


def test_every_template_key_is_in_the_catalogue_in_both_languages() -> None:
    used = {key for text in TEXTS.values() for key in re.findall(r"\bt\('([a-z_.]+)'", text)}
    prefixes = {key for key in used if key.endswith(".")}  # t('state.' ~ state.value): checked below
    missing = sorted(used - prefixes - CATALOGUE.keys())
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in CATALOGUE), prefix
    assert not missing
    for key, (thai, english) in CATALOGUE.items():
        assert thai.strip(), key
        assert english.strip(), key


def test_translate_fills_fields_and_falls_back_to_the_key() -> None:
    assert translate("th", "letter.registered_as", n=7) == "ลงทะเบียนรับแล้ว เลขรับที่ 7"
    assert translate("en", "letter.registered_as", n=7) == "Registered as receive number 7"
    assert translate("th", "no.such.key") == "no.such.key"


def test_dates_are_shown_in_the_buddhist_era_in_both_languages() -> None:
    assert be_date(date(2026, 11, 20), "th") == "20 พ.ย. 2569"
    assert be_date(date(2026, 11, 20), "en") == "20 Nov 2569 BE"
    # 20:30 UTC is the next morning in Bangkok.
    assert be_datetime(datetime(2026, 12, 31, 20, 30, tzinfo=UTC), "th") == "1 ม.ค. 2570 03:30"
