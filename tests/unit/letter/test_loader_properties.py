"""Property: whatever text a letter's fields hold, the loader either refuses the letter with faults
naming that field or accepts one the codec can build into an e-CMS message (nothing accepted fails
when it is sent)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecms_gateway.codec import build_document
from ecms_gateway.errors import LetterInvalid
from ecms_gateway.letter.loader import load_letter_dict
from tests.unit.letter.test_loader import PDF, _valid

RAW: dict[str, Any] = _valid() | {
    "sender": {"org_id": "2099000000", "given_name": "สมชาย", "job_title": "ผู้อำนวยการ"},
    "references": [{"book_no": "ศธ 0990/0", "date": "2026-11-01", "subject": "เดิม"}],
    "enclosures": "สิ่งที่ส่งมาด้วย",
    "description": "รายละเอียด",
    "signer": {"given_name": "สมหญิง", "job_title": "เลขาธิการ"},
}
TEXT_FIELDS = (
    ("book_no",),
    ("subject",),
    ("enclosures",),
    ("description",),
    ("sender", "given_name"),
    ("sender", "job_title"),
    ("receiver", "family_name"),
    ("references", 0, "subject"),
    ("signer", "job_title"),
)
# Any code point, control characters, non-characters and lone surrogates included, with Thai mixed in.
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
ANY_TEXT = st.text(alphabet=ANY_CHARACTER | st.sampled_from("กขค "), max_size=12)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(TEXT_FIELDS), value=ANY_TEXT)
def test_an_accepted_letter_can_always_be_built(field: tuple[str | int, ...], value: str) -> None:
    raw = copy.deepcopy(RAW)
    holder: Any = raw
    for key in field[:-1]:
        holder = holder[key]
    holder[field[-1]] = value
    try:
        package = load_letter_dict(raw, {"main.pdf": PDF}.get)
    except LetterInvalid as refused:
        faults = refused.faults  # a refusal names its faults
    else:
        build_document(package)
        return
    assert faults
    assert {fault.where for fault in faults} == {".".join(map(str, field)).replace(".0.", "[0].")}
