"""One exception tree for the whole gateway; each branch maps to what an operator or user does next.

    GatewayError
    ├── InputError            the input is wrong: fix it and try again (never retried)
    │   ├── LetterInvalid     a letter has faults (all of them listed)
    │   ├── XmlRejected       unsafe or unparsable XML (DTD, entities, size, syntax)
    │   ├── SchemaInvalid     XML that does not match our e-CMS schemas
    │   └── UnknownMessage    XML that is no e-CMS message we know
    ├── PolicyRefused         the regulation or the agency's policy forbids this (e.g. top secret)
    └── ConfigError           the gateway's configuration is wrong: fix the named key
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class GatewayError(Exception):
    """Root of every error the gateway raises on purpose."""


class InputError(GatewayError):
    """The input (a file, a request, a message) is wrong; retrying the same input cannot help."""


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One problem found in an input: where it is (a field path or a line) and what is wrong."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


class LetterInvalid(InputError):
    """A letter has one or more faults; all of them are carried, not only the first."""

    def __init__(self, faults: Sequence[Fault]) -> None:
        self.faults = tuple(faults)
        super().__init__("; ".join(str(f) for f in self.faults))


class XmlRejected(InputError):
    """XML that the hardened parser refuses: unsafe constructs, too large, or not well-formed."""


class SchemaInvalid(InputError):
    """XML that parsed but does not match the e-CMS schemas; ``faults`` name line and reason."""

    def __init__(self, message_type: str, faults: Sequence[Fault]) -> None:
        self.message_type = message_type
        self.faults = tuple(faults)
        super().__init__(f"{message_type}: " + "; ".join(str(f) for f in self.faults))


class UnknownMessage(InputError):
    """Well-formed XML that is not any e-CMS message the gateway knows."""


class PolicyRefused(GatewayError):
    """The regulation or the agency's routing policy forbids the requested action."""


class ConfigError(GatewayError):
    """The configuration is wrong; the message names the key and what to put there."""
