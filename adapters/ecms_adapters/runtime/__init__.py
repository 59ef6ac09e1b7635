"""The gateway's composition root (``ecms-gateway run``) and the two-agency demo (``ecms-gateway demo``)."""
