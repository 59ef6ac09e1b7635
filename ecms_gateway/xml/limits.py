"""The size limit every XML parse applies; apart from ``parser`` so that the configuration and the
command line's parser (``--max-bytes``) name it without importing lxml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024
"""Default ceiling for one XML input: a letter with several large PDFs fits, a memory bomb does not."""


@dataclass(frozen=True, kw_only=True)
class XmlLimits:
    """Limits applied to every parse; ``max_bytes`` is configurable per deployment."""

    max_bytes: int = DEFAULT_MAX_BYTES
