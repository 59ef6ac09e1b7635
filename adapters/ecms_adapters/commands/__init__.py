"""Commands that wire adapters together; listed in ``ecms_adapters.cli.ADAPTER_COMMAND_MODULES``."""
