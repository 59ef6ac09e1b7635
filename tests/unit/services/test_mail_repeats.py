"""Confirming a mail letter that repeats a letter already received is refused, naming that letter,
unless the caller says it is another letter; the service applies the rule the web pages show, so the
API and the command line apply it too."""

from __future__ import annotations

import pytest

from ecms_gateway.engine import Store
from ecms_gateway.services.mail_letters import confirm_mail_letter
from ecms_gateway.services.mail_repeats import REPEATS_RECEIVED_LETTER, RepeatsReceivedLetter
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import (  # noqa: F401 - the store fixture
    SERVED,
    clock,
    keep,
    store,
)


def test_a_forward_of_a_received_letter_is_refused_naming_it_then_confirmed_when_allowed(
    store: Store,  # noqa: F811 - the fixture
) -> None:
    first = confirm_mail_letter(store, keep(store, corpus.thunderbird_letter()), served=SERVED, actor="c")
    forwarded = keep(store, corpus.forwarded_as_attachment())  # the same letter, forwarded by a person
    with pytest.raises(RepeatsReceivedLetter) as caught:
        confirm_mail_letter(store, forwarded, served=SERVED, actor="c")
    refused = caught.value
    assert refused.repeat.letter.id == first.letter_id
    assert refused.fault_code == REPEATS_RECEIVED_LETTER
    assert refused.fault_params["letter_id"] == str(first.letter_id)
    assert f"เป็นหนังสือเลขที่ {first.letter_id}" in refused.fact
    assert f"repeats received letter {first.letter_id}" in refused.fact
    assert "--allow-repeat" in str(refused)
    assert store.mail_letter(forwarded).state.value == "pending"  # nothing recorded, still waiting

    again = confirm_mail_letter(store, forwarded, served=SERVED, actor="c", allow_repeat=True)
    assert again.created
    assert again.letter_id != first.letter_id


def test_a_letter_not_received_before_needs_no_word(store: Store) -> None:  # noqa: F811
    done = confirm_mail_letter(store, keep(store, corpus.thunderbird_letter()), served=SERVED, actor="c")
    assert done.created
