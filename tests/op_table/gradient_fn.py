"""Op-table entries for ``gradient`` (uniform spacing and sample coordinates, edge orders 1 and 2)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array, shapes
from .spec import torch_module as _torch


@st.composite
def gradient_input(draw, coordinates=False):
    edge = draw(st.sampled_from([1, 2]))
    a = draw(array(draw(shapes(min_dims=1, max_dims=3, min_side=edge + 1))))
    dims = draw(st.one_of(st.none(), st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim,
                                              unique=True)))
    axes = list(range(a.ndim)) if dims is None else dims
    if coordinates:
        spacing = [np.cumsum(draw(array((a.shape[d],), 0.5, 2.0))) for d in axes]
    else:
        spacing = draw(st.one_of(st.floats(0.5, 3.0), st.lists(st.floats(0.5, 3.0), min_size=len(axes),
                                                               max_size=len(axes))))
    return (a,), {"spacing": spacing, "dim": dims, "edge_order": edge}


def _ref(a, spacing, dim, edge_order):
    axes = tuple(range(a.ndim)) if dim is None else tuple(dim)
    sp = [spacing] * len(axes) if np.isscalar(spacing) else list(spacing)
    out = np.gradient(a, *sp, axis=axes, edge_order=edge_order)
    return tuple(out) if isinstance(out, (list, tuple)) else (out,)


def _call(lib):
    def fn(a, spacing, dim, edge_order):
        if not np.isscalar(spacing) and len(spacing) and isinstance(spacing[0], np.ndarray):
            spacing = [lib.tensor(s, device=a.device) for s in spacing]
        kw = {} if dim is None else {"dim": dim}
        return tuple(lib.gradient(a, spacing=spacing, edge_order=edge_order, **kw))
    return fn


class _Torch:
    def __getattr__(self, name):
        return getattr(_torch(), name)


CASES = [
    OpCase("gradient", _call(ag), _ref, gradient_input(), torch_fn=_call(_Torch())),
    OpCase("gradient", _call(ag), _ref, gradient_input(coordinates=True), torch_fn=_call(_Torch()),
           id="gradient_coordinates", rtol=1e-6, atol=1e-6),
]
