"""What may travel electronically: the regulation's hard rules and the agency's configurable ones."""

from __future__ import annotations

from dataclasses import dataclass

from ecms_gateway.errors import PolicyRefused
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.codes import Secrecy
from ecms_gateway.letter.model import Letter


@dataclass(frozen=True, kw_only=True)
class SecrecyPolicy:
    """Which secrecy classes the agency lets leave electronically; top secret never does.

    The default follows the regulation's cautious reading (and the Teachers' Council's practice):
    any secrecy class goes on paper unless the agency enables it here.
    """

    allowed: frozenset[Secrecy] = frozenset({Secrecy.NORMAL})


def check_may_leave(letter: Letter, policy: SecrecyPolicy | None = None) -> None:
    """Raise ``PolicyRefused`` with a clerk-readable reason when the letter may not be sent out."""
    policy = policy or SecrecyPolicy()
    if letter.secrecy is Secrecy.TOP_SECRET:
        raise PolicyRefused(
            f"letter {letter.book_no} is top secret (ลับที่สุด): the regulation forbids sending top-secret "
            "letters electronically; send it on paper by hand through the secret-document officer",
            fault_code="policy.top_secret",
            fault_params=fault_params("policy.top_secret", book_no=letter.book_no),
        )
    if not letter.kind.may_leave_agency:
        raise PolicyRefused(
            f"letter {letter.book_no} is {letter.kind.value} ({letter.kind.thai}): this kind stays "
            "inside the agency and cannot be sent to another organisation; "
            "change the kind if it really is an external letter",
            fault_code="policy.internal",
            fault_params=fault_params(
                "policy.internal", book_no=letter.book_no, kind=letter.kind.value, kind_thai=letter.kind.thai
            ),
        )
    if letter.secrecy not in policy.allowed:
        raise PolicyRefused(
            f"letter {letter.book_no} is {letter.secrecy.value} ({letter.secrecy.thai}): this agency's "
            "policy sends letters with a secrecy class on paper; ask an administrator if this class "
            "should be allowed electronically",
            fault_code="policy.secrecy",
            fault_params=fault_params(
                "policy.secrecy",
                book_no=letter.book_no,
                secrecy=letter.secrecy.value,
                secrecy_thai=letter.secrecy.thai,
            ),
        )
