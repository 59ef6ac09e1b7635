"""The installed ``ecms-gateway`` command: the core's commands plus those that need the adapters.

The core's CLI never imports an adapter; this composition-side entry point adds the commands that
wire adapters together (the e-CMS node, the gateway runtime, the two-agency demo).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

ADAPTER_COMMAND_MODULES: tuple[str, ...] = (
    "ecms_adapters.commands.node",
    "ecms_adapters.commands.run",
    "ecms_adapters.commands.demo",
)


def main(argv: Sequence[str] | None = None) -> int:
    # Imported here, inside the guard: Ctrl-C while the command loads ends it quietly too.
    try:
        from ecms_gateway.cli import main as core  # noqa: PLC0415 - see above
    except KeyboardInterrupt:
        return 130
    return core.main(argv, extra_modules=ADAPTER_COMMAND_MODULES)


if __name__ == "__main__":
    sys.exit(main())
