"""The ``ecms-gateway`` command: one module per group of subcommands, wired in ``main``."""
