"""Op-table entries for ``as_strided`` (a differentiable gather of strided positions)."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array, shapes
from .spec import torch_module as _torch


@st.composite
def as_strided_input(draw):
    """An input of at least one element and a size / stride / offset that stays inside it
    (strides may be 0 or overlap: overlapping positions sum their gradients)."""
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    n = a.size
    ndim = draw(st.integers(0, 3))
    size = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(0, 3)) for _ in range(ndim))
    span = sum((s - 1) * t for s, t in zip(size, stride))
    if span >= n:
        stride = (0,) * ndim
        span = 0
    offset = draw(st.integers(0, n - 1 - span))
    return (a,), {"size": size, "stride": stride, "storage_offset": offset}


def _ref(a, size, stride, storage_offset):
    flat = a.reshape(-1)
    pos = np.full(size, storage_offset, dtype=np.int64)
    for k, (n, s) in enumerate(zip(size, stride)):
        pos = pos + (np.arange(n) * s).reshape((n,) + (1,) * (len(size) - k - 1))
    return flat[pos] if math.prod(size) else np.zeros(size)


def _ag(a, size, stride, storage_offset):
    return ag.as_strided(a, size, stride, storage_offset)


def _torch_fn(a, size, stride, storage_offset):
    return _torch().as_strided(a, size, stride, storage_offset)


CASES = [
    OpCase("as_strided", _ag, _ref, as_strided_input(), torch_fn=_torch_fn),
    OpCase("as_strided", lambda a, size, stride, storage_offset: a.as_strided(size, stride, storage_offset),
           _ref, as_strided_input(), torch_fn=_torch_fn, id="as_strided_method"),
]
