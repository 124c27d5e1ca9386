"""nn.functional: 3-D pooling and adaptive max pooling.

The 3-D forms reuse the N-d pooling of ``pooling.py``. Adaptive max pooling
takes, for each output bin (PyTorch's ``[floor(i*n/o), ceil((i+1)*n/o))``
bins), the maximum of that slice with ``max(dim)``, so the gradient goes to
the first maximum of each bin, as PyTorch's kernel; bins that tile the input
evenly use max pooling instead (one pass per kernel offset).
"""
from __future__ import annotations

import itertools

import autograd as ag

from .pooling import _adaptive_avg_pool, _adaptive_sizes, _avg_pool, _bins, _max_pool

__all__ = ["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d"]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (see ``max_pool2d``)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3,
                     "max_pool3d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (see ``avg_pool2d``)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 3, "avg_pool3d")


def adaptive_avg_pool3d(input, output_size):
    """3-D adaptive average pooling to ``output_size`` (int or triple; None keeps a size)."""
    return _adaptive_avg_pool(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max_pool(input, output_size, return_indices, nd, name):
    sizes, out = _adaptive_sizes(input, output_size, nd, name)
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point input, got {input.dtype}")
    if all(n % o == 0 for n, o in zip(sizes, out)):
        kernel = tuple(n // o for n, o in zip(sizes, out))
        return _max_pool(input, kernel, kernel, 0, 1, False, return_indices, nd, name)
    lead = input.shape[:input.ndim - nd]
    bins = [_bins(n, o) for n, o in zip(sizes, out)]
    values, indices = [], []
    for cell in itertools.product(*bins):  # one slice per output bin; max(dim) picks the first max
        window = input[(Ellipsis, *(slice(s, e) for s, e in cell))]
        v, i = window.reshape(*lead, -1).max(dim=-1)
        values.append(v)
        if return_indices:
            flat, rem = None, i
            for d, (s, e) in enumerate(cell):  # window-local -> flattened spatial input index
                inner = 1
                for s2, e2 in cell[d + 1:]:
                    inner *= e2 - s2
                pos = s + rem // inner
                rem = rem % inner
                flat = pos if flat is None else flat * sizes[d] + pos
            indices.append(flat)
    y = ag.stack(values, dim=-1).reshape(*lead, *out)
    if not return_indices:
        return y
    return y, ag.stack(indices, dim=-1).reshape(*lead, *out)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-D adaptive max pooling to ``output_size`` bins (see :func:`adaptive_max_pool2d`)."""
    return _adaptive_max_pool(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D adaptive max pooling to ``output_size`` (int or pair; None keeps that size).

    Bin ``i`` covers ``[floor(i * n / o), ceil((i + 1) * n / o))``, as PyTorch; the
    gradient goes to the first maximum of each bin. ``return_indices`` also returns
    the argmax positions as indices into the flattened ``H * W`` input.

    Example::

        >>> F.adaptive_max_pool2d(ag.arange(9.0).reshape(1, 3, 3), 2)
        tensor([[[4., 5.],
                 [7., 8.]]])
    """
    return _adaptive_max_pool(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-D adaptive max pooling to ``output_size`` (see :func:`adaptive_max_pool2d`)."""
    return _adaptive_max_pool(input, output_size, return_indices, 3, "adaptive_max_pool3d")
