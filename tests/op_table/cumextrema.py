"""Op-table entries for ``ops/cumextrema.py``: cummax, cummin, mode (distinct values; ties are
checked in tests/test_cumextrema.py)."""
from __future__ import annotations

import numpy as np

import autograd as ag

from .api_select import distinct
from .spec import OpCase
from .spec import torch_module as _torch


def _np_cum(a, dim, op):
    run = op.accumulate(a, axis=dim)
    shape = [1] * a.ndim
    shape[dim] = a.shape[dim]
    pos = np.broadcast_to(np.arange(a.shape[dim]).reshape(shape), a.shape)
    return run, np.maximum.accumulate(np.where(a == run, pos, 0), axis=dim)


CASES = [
    OpCase("cummax", lambda a, dim: tuple(ag.cummax(a, dim)), lambda a, dim: _np_cum(a, dim, np.maximum),
           distinct(), torch_fn=lambda a, dim: tuple(_torch().cummax(a, dim))),
    OpCase("cummin", lambda a, dim: tuple(a.cummin(dim)), lambda a, dim: _np_cum(a, dim, np.minimum),
           distinct(), torch_fn=lambda a, dim: tuple(_torch().cummin(a, dim))),
    OpCase("mode", lambda a, dim: tuple(ag.mode(a, dim)),
           lambda a, dim: (np.min(a, dim), np.argmin(a, dim)),  # all values once: the smallest wins
           distinct(), torch_fn=lambda a, dim: tuple(_torch().mode(a, dim))),
]
