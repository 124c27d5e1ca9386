"""The declarative op table: every family module here defines ``CASES``.

``all_cases()`` imports every module of this folder (except ``spec``), so a new
family file is picked up by ``tests/test_ops.py`` without further edits.
"""
from __future__ import annotations

import importlib
import pkgutil

from .spec import OpCase

__all__ = ["OpCase", "all_cases", "family_modules"]


def family_modules():
    """The family modules of the table, in name order (elementwise, indexing, linalg, ...)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__)
                   if m.name != "spec" and not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{n}") for n in names]


def all_cases():
    """Every ``OpCase`` of every family, each tagged with its family name."""
    cases = []
    for mod in family_modules():
        family = mod.__name__.rsplit(".", 1)[-1]
        for case in getattr(mod, "CASES", ()):
            case.family = family
            cases.append(case)
    return cases
