"""One exception tree for the whole gateway; each branch maps to what an operator or user does next.

GatewayError
├── InputError            the input is wrong: fix it and try again (never retried)
│   ├── LetterInvalid     a letter has faults (all of them listed)
│   ├── RequestInvalid    any other request (e.g. a webhook subscription) has faults (all listed)
│   ├── XmlRejected       unsafe or unparsable XML (DTD, entities, size, syntax)
│   ├── SchemaInvalid     XML that does not match our e-CMS schemas
│   ├── UnknownMessage    XML that is no e-CMS message we know
│   └── SignatureInvalid  a signature is broken, tampered, wraps other content or uses a refused
│       │                 algorithm: reject the message and tell the sender (``check`` says which)
│       └── SignatureMissing  unsigned, and the sending partner's policy requires a signature
├── TrustError            the signature is intact but its signer is not trusted for the sending
│                         organisation (chain, dates, key usage, organisation): fix the trust store
│                         or ask the partner for a proper certificate, then verify again
├── PolicyRefused         the regulation or the agency's policy forbids this (e.g. top secret)
├── Unauthorized          no valid credentials (API key, session, name and password): sign in again
│   └── LockedOut         too many failed sign-ins in a row: wait until ``until`` or ask an admin
├── Forbidden             signed in, but the role does not allow this (or a form lacks its CSRF token)
├── ConfigError           the gateway's configuration is wrong: fix the named key
├── StoreError            the store refused or cannot do what was asked
│   ├── NotFound          no letter or work item with that id: check the id (`ecms-gateway queue`)
│   ├── DuplicateLetter   that outbound letter is already queued or sent: withdraw it before resending
│   ├── DuplicateWebhook  that URL already has a webhook: remove it first to change its events
│   ├── IllegalTransition the event does not fit the letter's state: refused and recorded, not applied
│   ├── LeaseLost         a worker's lease expired and another worker took the item over: drop the result
│   ├── SchemaOutdated    the database is older than this gateway: run `ecms-gateway db upgrade`
│   ├── SchemaNewer       a newer gateway upgraded the database: run that version or restore the
│   │                     backup taken before its `db upgrade`
│   └── DowngradeRefused  taking the schema down would lose rows (it says how many of what): keep
│                         the revision, or restore the backup taken before the upgrade
└── DeliveryFailed        sending or fetching over a channel failed (the retry policy decides)
    ├── TransientFailure  may succeed later (timeout, connection refused, node busy): retried with backoff
    │   ├── TransientTransportError  an e-CMS node or the network failed for now (connection cut,
    │   │                            timeout, HTTP 5xx, a soap:Server fault): retried with backoff
    │   └── TransientMailError  a mail server failed for now (SMTP/IMAP 4xx reply, connection
    │                           refused or cut, timeout): retried with backoff
    ├── PermanentFailure  retrying cannot help (refused by the node, unknown address): dead letter now
    │   ├── PermanentTransportError  the node refused the request for good (ErrorDetail, soap:Client
    │   │                            fault, HTTP 4xx, TLS trust, a reply of the wrong kind): dead letter
    │   └── PermanentMailError  the mail server refused for good (SMTP 5xx reply with the server's
    │                           words, failed login, untrusted certificate): dead letter
    ├── TransportError    base of the e-CMS pair: ``reason``, ``endpoint`` and the node's ``error_code``
    └── MailError         base of the mail pair: ``reason``, ``server`` and the SMTP ``code``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

_NO_PARAMS: Mapping[str, str] = MappingProxyType({})


class GatewayError(Exception):
    """Root of every error the gateway raises on purpose.

    ``fault_code`` and ``fault_params`` (optional, from ``ecms_gateway.fault_codes``) say the same as
    the English message in machine-readable form, so a clerk-facing page can say it in Thai.

    ``cli_hint`` (optional) is what to do next in the command line's words (`ecms-gateway queue` lists
    ...): ``str()`` is the message followed by it, as the CLI prints it; ``fact`` is the message alone,
    for faces that give their own advice (the REST API names its routes instead).
    """

    def __init__(
        self,
        *args: object,
        fault_code: str | None = None,
        fault_params: Mapping[str, str] | None = None,
        cli_hint: str | None = None,
    ) -> None:
        super().__init__(*args)
        self.fault_code = fault_code
        self.fault_params: Mapping[str, str] = fault_params if fault_params is not None else _NO_PARAMS
        self.cli_hint = cli_hint

    @property
    def fact(self) -> str:
        """What went wrong, without the command line's advice."""
        return super().__str__()

    def __str__(self) -> str:
        return f"{self.fact}; {self.cli_hint}" if self.cli_hint else self.fact


class InputError(GatewayError):
    """The input (a file, a request, a message) is wrong; retrying the same input cannot help."""


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One problem found in an input: where it is (a field path or a line) and what is wrong.

    ``problem`` is English; ``code`` and ``params`` (optional) name the same problem for translation.
    """

    where: str
    problem: str
    code: str | None = None
    params: Mapping[str, str] = field(default_factory=lambda: _NO_PARAMS, hash=False)

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


class LetterInvalid(InputError):
    """A letter has one or more faults; all of them are carried, not only the first."""

    def __init__(self, faults: Sequence[Fault]) -> None:
        self.faults = tuple(faults)
        super().__init__("; ".join(str(f) for f in self.faults))


class LetterTooLarge(InputError):
    """The letter's files together are more than its channel carries; ``faults`` names ``files`` (for
    a program that reads faults by field) with the same words."""

    def __init__(self, message: str, *, fault_code: str, fault_params: Mapping[str, str]) -> None:
        super().__init__(message, fault_code=fault_code, fault_params=fault_params)
        self.faults = (Fault(where="files", problem=message, code=fault_code, params=fault_params),)


class RequestInvalid(InputError):
    """A request other than a letter (a webhook subscription, ...) has faults; all of them are carried."""

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


class Unauthorized(GatewayError):
    """Missing, wrong, expired or revoked credentials; the message never says which part was wrong."""


class LockedOut(Unauthorized):
    """Sign-in refused for a while after repeated failures; ``until`` says when it is possible again."""

    def __init__(self, message: str, *, until: datetime) -> None:
        self.until = until
        super().__init__(message)


class Forbidden(GatewayError):
    """The caller is known but may not do this (role too weak, or a form without its CSRF token)."""


class ConfigError(GatewayError):
    """The configuration is wrong; the message names the key and what to put there."""


class StoreError(GatewayError):
    """The store refused the request or cannot reach a usable database; the message says why."""


class NotFound(StoreError):
    """No letter, work item or dead letter with the given id."""


class DuplicateLetter(StoreError):
    """An outbound letter with the same sender, book number and date is already queued or sent."""


class DuplicateWebhook(StoreError):
    """A webhook for the same URL exists (``existing_id``): a second one would deliver every event twice."""

    def __init__(self, message: str, *, existing_id: int, cli_hint: str | None = None) -> None:
        self.existing_id = existing_id
        super().__init__(message, cli_hint=cli_hint)


class IllegalTransition(StoreError):
    """An event that does not apply to the letter's current state; it was recorded, never applied."""


class LeaseLost(StoreError):
    """The worker no longer holds the lease on a work item (it expired and another worker took it)."""


class SchemaOutdated(StoreError):
    """The database schema is not at this gateway's revision; ``ecms-gateway db upgrade`` fixes it."""


class SchemaNewer(StoreError):
    """The database is at a revision this gateway does not know: a newer version migrated it."""


class DowngradeRefused(StoreError):
    """A migration's downgrade would drop rows that exist (received items, the sent archive, mailed
    letters, webhooks...): it refuses before changing anything, so the database stays at the revision
    it had. The message says how many rows of what, and what to do instead."""


class DeliveryFailed(GatewayError):
    """Sending or fetching over a channel failed; the channel's retry policy decides what happens next."""


class TransientFailure(DeliveryFailed):
    """A failure that may go away by itself (timeout, connection refused, busy node): retry later.

    ``letter_id`` (optional) names the letter it concerns when the work item does not (a received
    notifier about our letter), so the operator's log line about it carries the letter's id."""

    def __init__(self, *args: object, letter_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letter_id = letter_id


class PermanentFailure(DeliveryFailed):
    """A failure that retrying cannot fix (the node refused the letter, unknown address): dead-letter it."""


class TransportError(DeliveryFailed):
    """Talking to an e-CMS node failed; translated from the library's error at the adapter edge.

    ``reason`` says what happened in words an operator can act on, ``endpoint`` names the node URL
    and ``error_code`` carries the node's ``ErrorDetail/ErrorCode`` when the node answered with one.
    """

    def __init__(self, reason: str, *, endpoint: str | None = None, error_code: str | None = None) -> None:
        self.reason = reason
        self.endpoint = endpoint
        self.error_code = error_code
        where = f" ({endpoint})" if endpoint else ""
        code = f" [{error_code}]" if error_code else ""
        super().__init__(f"e-CMS node{where}{code}: {reason}")


class TransientTransportError(TransportError, TransientFailure):
    """The node or the network failed for now (connection refused or cut, timeout, HTTP 5xx, a
    ``soap:Server`` fault): the same request may succeed later, so it is retried with backoff."""


class PermanentTransportError(TransportError, PermanentFailure):
    """The node refused the request for good (ErrorDetail, ``soap:Client`` fault, HTTP 4xx, an
    untrusted TLS certificate, a reply of the wrong kind): retrying cannot help, dead-letter it."""


class SignatureInvalid(InputError):
    """A signature that does not prove what it must; ``check`` names the failed check.

    The message says which check failed, for which organisation, and what an operator can do.
    """

    def __init__(self, check: str, detail: str, *, org_id: str | None, action: str) -> None:
        self.check = check
        self.org_id = org_id
        self.detail = detail
        self.action = action
        who = f"organisation {org_id}" if org_id else "an unknown organisation"
        super().__init__(f"signature check '{check}' failed for {who}: {detail}. {action}")


class SignatureMissing(SignatureInvalid):
    """The message carries no signature and the sending partner's policy rejects unsigned messages."""


class TrustError(GatewayError):
    """The signature is intact but its key or certificate is not trusted for the sending organisation."""

    def __init__(self, check: str, detail: str, *, org_id: str | None, action: str) -> None:
        self.check = check
        self.org_id = org_id
        self.detail = detail
        self.action = action
        who = f"organisation {org_id}" if org_id else "an unknown organisation"
        super().__init__(f"trust check '{check}' failed for {who}: {detail}. {action}")


class MailError(DeliveryFailed):
    """Talking to a mail server (SMTP or IMAP) failed; translated from the library's error at the edge.

    ``reason`` is what happened (for an SMTP reply, the server's own words), ``server`` names
    ``host:port`` and ``code`` carries the SMTP reply code when the server answered with one.
    """

    def __init__(self, reason: str, *, server: str | None = None, code: int | None = None) -> None:
        self.reason = reason
        self.server = server
        self.code = code
        where = f" ({server})" if server else ""
        number = f" [{code}]" if code is not None else ""
        super().__init__(f"mail server{where}{number}: {reason}")


class TransientMailError(MailError, TransientFailure):
    """The mail server or the network failed for now (a 4xx reply, connection refused or cut, a
    timeout): the same message may go through later, so it is retried with backoff."""


class PermanentMailError(MailError, PermanentFailure):
    """The mail server refused for good (a 5xx reply, a failed login, an untrusted certificate, a
    server without the TLS the configuration requires): retrying cannot help, dead-letter it."""
