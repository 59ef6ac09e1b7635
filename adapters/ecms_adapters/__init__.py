"""Adapters: the gateway's edges (transports and back-office integrations) behind the core's ports."""
