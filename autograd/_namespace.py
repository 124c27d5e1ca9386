"""``autograd.nn`` and ``autograd.optim``: the top-level ``nn`` and ``optim`` under torch's paths.

PyTorch code writes ``torch.nn.Linear``, ``import torch.nn.functional as F`` and
``from torch.optim.lr_scheduler import StepLR``. With ``import autograd as torch``
those spellings reach the *same* module objects as ``import nn`` / ``import optim``
(no second copy of any class): ``autograd.nn`` is resolved lazily by the package's
``__getattr__`` (``nn`` imports ``autograd``, so it cannot be imported eagerly), and
a meta-path finder answers ``import autograd.nn.<sub>`` / ``autograd.optim.<sub>``
with the already-imported (or freshly imported) ``nn.<sub>`` / ``optim.<sub>``.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import re
import sys

#: ``autograd.<name>`` -> top-level package name.
ALIASED = {"nn": "nn", "optim": "optim"}
_PREFIX = "autograd."


def target_name(fullname: str) -> str | None:
    """``'nn.functional'`` for ``'autograd.nn.functional'``; None for names not aliased."""
    if not fullname.startswith(_PREFIX):
        return None
    rest = fullname[len(_PREFIX):]
    head = rest.split(".", 1)[0]
    if head not in ALIASED:
        return None
    return ALIASED[head] + rest[len(head):]


class _AliasLoader(importlib.abc.Loader):
    """Hands back the real module: the import system files it under the alias too."""

    def __init__(self, real_name):
        self.real_name = real_name

    def create_module(self, spec):
        return importlib.import_module(self.real_name)

    def exec_module(self, module):
        pass  # the real module is already executed


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``autograd.nn[.x]`` and ``autograd.optim[.x]`` as ``nn[.x]`` and ``optim[.x]``."""

    def find_spec(self, fullname, path=None, target=None):
        real = target_name(fullname)
        if real is None:
            return None
        if real not in sys.modules and importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real))


def install():
    """Put the finder first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())


def aliased_module(name):
    """``autograd.<name>`` for a lazily aliased package (``nn``, ``optim``), or None."""
    if name not in ALIASED:
        return None
    return importlib.import_module(_PREFIX + name)


def version() -> str:
    """The installed distribution's version, else the one written in ``pyproject.toml``."""
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        return dist_version("xpgrad")
    except PackageNotFoundError:
        pass
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml")
    try:
        with open(path, encoding="utf-8") as f:
            m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
    except OSError:
        m = None
    return m.group(1) if m else "0+unknown"
