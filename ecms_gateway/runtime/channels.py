"""The channels letters go by; a module of its own so that the command line's parser (``--channel``)
names them without importing the runtime's settings and the configuration behind them."""

from __future__ import annotations

ECMS = "ecms"
"""The channel of the e-CMS exchange (work items, inbox items, retry policy)."""
MAIL = "mail"
"""The channel of the saraban mailbox (e-mail), for receivers without an e-CMS node."""
