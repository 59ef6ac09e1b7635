"""``python -m ecms_gateway`` runs the core commands (the installed ``ecms-gateway`` adds the adapters')."""

import sys

from ecms_gateway.cli.main import main

sys.exit(main())
