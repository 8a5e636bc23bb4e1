"""Lazy package attributes (PEP 562): ``import model`` costs nothing until a name is used.

A package's ``__init__`` lists its public names and the module each lives in; the module is
imported on first access and the value cached in the package, so ``from model import
RegionModel`` works as before while ``import model`` (or ``pacts --help``) loads neither Mesa nor
SciPy nor Matplotlib.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose public ``name`` lives in module
    ``exports[name]``: assign them in the package's ``__init__`` (PEP 562)."""
    exports = dict(exports)

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__
