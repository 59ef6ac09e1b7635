"""ecms-gateway: the bridge between an office's own correspondence and Thai e-CMS / saraban e-mail.

The core package holds the domain (letter model, e-CMS codec, signing, store, engine); network and
storage edges live in ``adapters/ecms_adapters`` and are wired in by the composition root.
"""

__version__ = "0.1.0"
