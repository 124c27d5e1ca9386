"""Op-table entries for fractional max pooling (``nn/functional/fractional_pool.py``): 2-D and 3-D,
batched and not, output and indices, forward vs NumPy, gradcheck, gradgradcheck and PyTorch.

The windows are placed by random samples; each case passes them as ``_random_samples`` (drawn by
hypothesis) so that every run, and PyTorch, uses the same windows. The input's values are distinct
and at least 0.25 apart, so no window's maximum is tied within the gradient checks' step.
"""
from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

import autograd as ag
import nn.functional as F

from .spec import OpCase, torch_module


@st.composite
def fractional_inputs(draw, nd):
    batched = draw(st.booleans())
    n, c = (draw(st.integers(1, 2)) if batched else 1), draw(st.integers(1, 2))
    sizes = tuple(draw(st.integers(2, 6 if nd == 2 else 4)) for _ in range(nd))
    room = 1 if nd == 2 else 0  # PyTorch: out + kernel - 1 <= size in 2d, < size in 3d
    kernel = tuple(draw(st.integers(1, s - 1 + room)) for s in sizes)
    out = tuple(draw(st.integers(1, s - k + room)) for s, k in zip(sizes, kernel))
    shape = ((n, c) if batched else (c,)) + sizes
    size = int(np.prod(shape))
    order = np.array(draw(st.permutations(range(size))), dtype=np.float64)
    x = ((order - size / 2) * 0.25).reshape(shape)
    samples = np.array(draw(st.lists(st.floats(0.0, 0.999), min_size=n * c * nd, max_size=n * c * nd)))
    return (x,), {"kernel_size": kernel, "output_size": out, "samples": samples.reshape(n, c, nd)}


def _starts(u, n, out, k):
    """PyTorch's ``generate_intervals`` for one plane and dimension."""
    if out <= 1:
        return [n - k][:out]
    alpha = (n - k) / (out - 1)
    return [int((i + u) * alpha) - int(u * alpha) for i in range(out - 1)] + [n - k]


def fractional_ref(x, kernel_size, output_size, samples, indices=False):
    nd = len(kernel_size)
    sizes = x.shape[-nd:]
    planes = x.reshape((-1,) + sizes)
    flat_samples = samples.reshape(-1, nd)
    values = np.empty((planes.shape[0],) + tuple(output_size))
    where = np.empty(values.shape, dtype=np.int64)
    for p, plane in enumerate(planes):
        # 2-D samples are (width, height), 3-D ones (time, height, width), as PyTorch's
        us = flat_samples[p][::-1] if nd == 2 else flat_samples[p]
        starts = [_starts(u, n, o, k) for u, n, o, k in zip(us, sizes, output_size, kernel_size)]
        for pos in itertools.product(*(range(o) for o in output_size)):
            lo = [s[i] for s, i in zip(starts, pos)]
            window = plane[tuple(slice(a, a + k) for a, k in zip(lo, kernel_size))]
            arg = np.unravel_index(np.argmax(window), window.shape)
            values[(p,) + pos] = window[arg]
            where[(p,) + pos] = np.ravel_multi_index(tuple(a + b for a, b in zip(lo, arg)), sizes)
    shape = x.shape[:-nd] + tuple(output_size)
    return (values.reshape(shape), where.reshape(shape)) if indices else values.reshape(shape)


def _ours(nd, indices=False):
    pool = F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d

    def fn(x, kernel_size, output_size, samples):
        s = ag.tensor(samples, dtype=x.dtype, device=x.device)
        return pool(x, kernel_size, output_size=output_size, return_indices=indices, _random_samples=s)
    return fn


def _torch(nd, indices=False):
    def fn(x, kernel_size, output_size, samples):
        torch = torch_module()
        pool = getattr(torch.nn.functional, f"fractional_max_pool{nd}d")
        s = torch.tensor(samples, dtype=x.dtype)
        return pool(x, kernel_size, output_size=output_size, return_indices=indices, _random_samples=s)
    return fn


def _ref(indices):
    return lambda x, **p: fractional_ref(x, **p, indices=indices)


CASES = [
    OpCase("fractional_max_pool2d", _ours(2), _ref(False), fractional_inputs(2), torch_fn=_torch(2)),
    OpCase("fractional_max_pool2d", _ours(2, True), _ref(True), fractional_inputs(2),
           torch_fn=_torch(2, True), covers=("fractional_max_pool2d_with_indices",),
           id="fractional_max_pool2d_indices"),
    OpCase("fractional_max_pool3d", _ours(3), _ref(False), fractional_inputs(3), torch_fn=_torch(3)),
    OpCase("fractional_max_pool3d", _ours(3, True), _ref(True), fractional_inputs(3),
           torch_fn=_torch(3, True), covers=("fractional_max_pool3d_with_indices",),
           id="fractional_max_pool3d_indices"),
]
