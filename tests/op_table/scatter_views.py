"""Op-table entries for ``select_scatter``, ``slice_scatter`` and ``as_strided_scatter``."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array, shapes
from .spec import torch_module as _torch


@st.composite
def select_input(draw):
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    i = draw(st.integers(-shape[d], shape[d] - 1))
    src = np.take(np.empty(shape), i, axis=d).shape
    return (draw(array(shape)), draw(array(src))), {"dim": d, "index": i}


def _select_np(a, src, dim, index):
    out = a.copy()
    out[(slice(None),) * (dim % a.ndim) + (index,)] = src
    return out


@st.composite
def slice_input(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    d = draw(st.integers(0, len(shape) - 1))
    start = draw(st.one_of(st.none(), st.integers(-6, 6)))
    end = draw(st.one_of(st.none(), st.integers(-6, 6)))
    step = draw(st.integers(1, 3))
    key = (slice(None),) * d + (slice(start, end, step),)
    return (draw(array(shape)), draw(array(np.empty(shape)[key].shape))), \
        {"dim": d, "start": start, "end": end, "step": step}


def _slice_np(a, src, dim, start, end, step):
    out = a.copy()
    out[(slice(None),) * dim + (slice(start, end, step),)] = src
    return out


@st.composite
def strided_input(draw):
    """Sizes / strides that reach distinct positions (a row-major sub-block, possibly transposed)."""
    a = draw(array(draw(shapes(min_dims=1, min_side=1))))
    n = a.size
    rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    step = draw(st.integers(cols, cols + 2))
    if (rows - 1) * step + cols > n:
        rows, cols, step = 1, 1, 1
    offset = draw(st.integers(0, n - ((rows - 1) * step + cols)))
    size, stride = (rows, cols), (step, 1)
    if draw(st.booleans()):
        size, stride = size[::-1], stride[::-1]
    return (a, draw(array(size))), {"size": size, "stride": stride, "storage_offset": offset}


def _strided_np(a, src, size, stride, storage_offset):
    out = a.copy()
    flat = out.reshape(-1)
    pos = storage_offset + np.arange(size[0])[:, None] * stride[0] + np.arange(size[1]) * stride[1]
    flat[pos] = src
    return out


CASES = [
    OpCase("select_scatter", lambda a, s, dim, index: ag.select_scatter(a, s, dim, index), _select_np,
           select_input(), torch_fn=lambda a, s, dim, index: _torch().select_scatter(a, s, dim, index)),
    OpCase("select_scatter", lambda a, s, dim, index: a.select_scatter(s, dim, index), _select_np,
           select_input(), torch_fn=lambda a, s, dim, index: a.select_scatter(s, dim, index),
           id="select_scatter_method"),
    OpCase("slice_scatter", lambda a, s, **kw: ag.slice_scatter(a, s, **kw), _slice_np, slice_input(),
           torch_fn=lambda a, s, **kw: _torch().slice_scatter(a, s, **kw)),
    OpCase("slice_scatter", lambda a, s, **kw: a.slice_scatter(s, **kw), _slice_np, slice_input(),
           torch_fn=lambda a, s, **kw: a.slice_scatter(s, **kw), id="slice_scatter_method"),
    # no torch_fn: PyTorch 2.13's gradient of input is wrong (it passes the gradient at the overwritten
    # positions, not the others); tests/test_scatter_views.py compares the values and src's gradient.
    # clone(): the positions are of input's storage (a strided input's lie in a larger one)
    OpCase("as_strided_scatter", lambda a, s, **kw: ag.as_strided_scatter(a.clone(), s, **kw),
           _strided_np, strided_input()),
    OpCase("as_strided_scatter", lambda a, s, **kw: a.clone().as_strided_scatter(s, **kw), _strided_np,
           strided_input(), id="as_strided_scatter_method"),
]
