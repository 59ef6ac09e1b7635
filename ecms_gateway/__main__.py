"""``python -m ecms_gateway`` runs the command-line interface."""

import sys

from ecms_gateway.cli.main import main

sys.exit(main())
