"""The reason stored with a failed try, in words a person reads (``describe``), and the same for reasons
an older gateway stored with the Python class name in front (``shown``).
"""

from __future__ import annotations

import builtins
import os
import re
from typing import Final

from ecms_gateway.errors import GatewayError, PermanentFailure, TransientFailure

# The audit actions whose reason is a failed try's: a reason read back from them goes through ``shown``.
FAILURE_ACTIONS: Final = frozenset({"letter.retry_later", "letter.give_up", "work.dead"})


def describe(error: BaseException) -> str:
    """One line saying what happened, as stored with the attempt: the fact, not the error's class.

    A gateway error's ``cli_hint`` (what to do, in commands) is left out: the program or person reading
    the attempt may not use the command line, and each face (CLI, API, web pages) gives its own advice.
    An error the gateway does not expect (a defect) keeps its Python type in brackets: that is the
    fact a developer needs, and no words of ours would say more.
    """
    if isinstance(error, GatewayError):
        return _one_line(error.fact) or _empty_words(error)
    if isinstance(error, OSError):
        return _os_words(error)
    text = _one_line(str(error))
    return f"unexpected error in the gateway ({type(error).__name__}{': ' + text if text else ''})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _empty_words(error: GatewayError) -> str:
    if isinstance(error, PermanentFailure):
        return "refused for good, without a reason given"
    if isinstance(error, TransientFailure):
        return "failed for now, without a reason given"
    return "failed, without a reason given"


def _os_words(error: OSError) -> str:
    """``connection refused``, ``no such file or directory: /x``: the system's words for the error
    number (asyncio's own text, 'Connect call failed ...', says less), else the message."""
    numbered = _numbered(error)
    if numbered is not None and numbered.errno:
        said = os.strerror(numbered.errno)
        said = said[0].lower() + said[1:]  # "Connection refused" ends a sentence of ours
        return f"{said}: {numbered.filename}" if numbered.filename else said
    said = _one_line(str(error))
    if not said:
        return "timed out" if isinstance(error, TimeoutError) else "the system failed, without a reason given"
    return f"{said}: {error.filename}" if error.filename else said


def _numbered(error: OSError) -> OSError | None:
    """The error itself or the one it was raised from (a library's "error connecting to ...: [Errno
    111] ..."), when it carries the system's error number."""
    seen: set[int] = set()
    current: BaseException | None = error
    while isinstance(current, OSError) and id(current) not in seen:
        if current.errno:
            return current
        seen.add(id(current))
        current = current.__cause__
    return None


def _error_classes(root: type[BaseException]) -> set[str]:
    names = {root.__name__}
    for sub in root.__subclasses__():
        names |= _error_classes(sub)
    return names


def _builtin_errors() -> set[str]:
    found = {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException) and not issubclass(value, Warning)
    }
    return found - {"BaseException", "Exception"}  # words a server's own text may start with


# What older versions put in front of a reason (``Type: text``), at its start, after "last error: " or
# "permanent failure: ", or inside brackets ("timed out (ReadTimeout: ...)"). The adapters' own errors
# are named here, as the core never imports them.
_ADAPTER_ERRORS: Final = frozenset(
    {
        *("HttpFailure", "HttpTimeout", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout"),
        *(
            "ConnectFailed",
            "TlsRefused",
            "ConnectionBroken",
            "ReplyMalformed",
            "InvalidRequest",
            "ReplyTooLarge",
        ),
        *("AioImapException", "CommandTimeout", "Abort", "SMTPException", "SMTPConnectError"),
        *("SMTPConnectTimeoutError", "SMTPServerDisconnected", "SMTPTimeoutError", "SMTPReadTimeoutError"),
        *("SMTPResponseException", "SMTPNotSupported", "SMTPConnectResponseError"),
    }
)
_KNOWN: Final = sorted(_error_classes(GatewayError) | _builtin_errors() | _ADAPTER_ERRORS, key=len)
_PREFIX: Final = re.compile(r"(?:^|(?<=: )|(?<=; )|(?<=\())(?:" + "|".join(reversed(_KNOWN)) + r"): ")


def shown(reason: str | None) -> str | None:
    """``reason`` as a person reads it: without the class names an older gateway stored in front of
    the words ("permanent failure: PermanentTransportError: e-CMS node ..." reads "permanent failure:
    e-CMS node ..."). The stored text is left as it is (the audit chain covers it)."""
    return _PREFIX.sub("", reason) if reason else reason


def shown_for(action: str, reason: str | None) -> str | None:
    """An audit entry's reason as a person reads it: ``shown`` for a failed try's, as it is otherwise."""
    return shown(reason) if action in FAILURE_ACTIONS else reason
