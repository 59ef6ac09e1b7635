"""Every machine-readable fault code the core gives a ``Fault`` or a ``GatewayError``, with its parameters.

The core's messages stay English (the CLI, the REST API and office systems rely on them); the code and
its parameters let a clerk-facing adapter say the same thing in Thai. This table is the one list: a
code is only given through ``fault_params``, which refuses a code or parameter not named here, and the
web catalogue is tested against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

FAULT_CODES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        # Reading the letter's JSON (loader.py)
        "letter.unreadable": frozenset({"reason"}),
        "letter.not_json": frozenset({"reason"}),
        "letter.not_utf8": frozenset(),
        "letter.not_object": frozenset(),
        # Pydantic's standard errors, by its error type (dates of every kind are "date_parsing")
        "missing": frozenset(),
        "extra_forbidden": frozenset(),
        "enum": frozenset({"value", "choices"}),
        "date_parsing": frozenset({"value"}),
        "string_type": frozenset(),
        "model_type": frozenset(),
        "list_type": frozenset(),
        "invalid": frozenset({"detail"}),
        # The letter model's own checks (model.py), by their PydanticCustomError type
        "empty": frozenset(),
        "org_id": frozenset({"value"}),
        "buddhist_year": frozenset({"value", "fixed"}),
        "mime": frozenset({"value"}),
        "xml_char": frozenset({"char", "position"}),
        "too_long": frozenset({"length", "limit"}),
        # A date as a clerk types it (letter/dates.py)
        "date.unreadable": frozenset({"value"}),
        "date.no_such_day": frozenset({"value"}),
        "date.implausible_year": frozenset(
            {"value", "year", "first", "last", "first_be", "last_be", "example"}
        ),
        # The letter's files (loader.py)
        "file.not_pdf": frozenset({"path"}),
        "file.outside": frozenset({"path"}),
        "file.not_found": frozenset({"path"}),
        "file.empty": frozenset({"path"}),
        # What may leave electronically (policy.py)
        "policy.top_secret": frozenset({"book_no"}),
        "policy.internal": frozenset({"book_no", "kind", "kind_thai"}),
        "policy.secrecy": frozenset({"book_no", "secrecy", "secrecy_thai"}),
        # The store
        "store.duplicate": frozenset({"book_no", "date", "department", "letter_id", "state"}),
        "store.illegal_transition": frozenset({"letter_id", "event", "state"}),
        "store.resend_not_withdrawn": frozenset({"letter_id", "state"}),
        "store.resend_unconfirmed": frozenset({"letter_id"}),
        "store.accept_id_received_letter": frozenset({"letter_id"}),
        "store.accept_id_none_yet": frozenset({"letter_id", "state"}),
        "store.accept_id_report_pending": frozenset({"letter_id"}),
        "store.redrive_missing": frozenset({"items"}),
        "store.redrive_not_dead": frozenset({"items"}),
        # Routing (runtime/routing.py)
        "routing.unknown_receiver": frozenset({"org_id"}),
        "routing.not_department": frozenset({"party", "org_id", "department"}),
        "routing.to_self": frozenset({"org_id"}),
        "routing.sender_not_served": frozenset({"org_id", "served"}),
        "letter.too_large": frozenset({"size", "limit", "channel"}),
    }
)


def fault_params(code: str, **values: object) -> Mapping[str, str]:
    """The parameters of ``code`` as text, read-only; ``ValueError`` for a code or names not in the table
    (a programming mistake the core's tests catch, never a user's)."""
    expected = FAULT_CODES.get(code)
    if expected is None:
        raise ValueError(f"fault code {code!r} is not in FAULT_CODES")
    if set(values) != expected:
        raise ValueError(f"fault code {code!r} takes {sorted(expected)}, not {sorted(values)}")
    return MappingProxyType({name: str(value) for name, value in values.items()})
