"""The gateway runtime, pure of HTTP: worker loops over the core's ports (outbound sender, inbound
poller and processor, notifiers), the directory and routing, and the clerk's node-side actions.

The composition root (``ecms_adapters``) builds the parts from the configuration and runs ``Gateway``.
"""
