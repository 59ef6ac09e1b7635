"""Packages whose exported names load on first use, so that importing one light module of a package
(an enum, a constant) does not import everything the package offers.

The command line's parser needs ``engine.states`` for its choices, not the store behind ``engine.Store``:
``ecms-gateway --help`` then costs a tenth of what it did (docs/operations.md, "Command start-up").
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each exported name to the submodule that
    defines it. Those submodules are attributes of the package too, as they were when it imported them."""
    submodules = frozenset(where.values())

    def load(name: str) -> object:
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # the next use finds it without coming here
        return value

    return load
