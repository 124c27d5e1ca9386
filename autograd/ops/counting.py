"""Counting: bincount and histc (no gradient: PyTorch has no derivative for either).

Counts are scatter-adds on the device (``backend.scatter_add``, the shape of ``cupyx.scatter_add``).
"""
from __future__ import annotations

import math
import numbers

from .. import backend
from ..tensor import Tensor
from ._util import errstate
from .math_more import need_tensor, torch_name

__all__ = ["bincount", "histc"]


def bincount(input, weights=None, minlength=0):
    """The number of times each value ``0..max(input)`` occurs in a 1-D tensor of non-negative
    integers (at least ``minlength`` bins); with ``weights``, their sum per value instead (float32
    weights stay float32, others give float64). No gradient.

    Example::

        >>> ag.bincount(ag.tensor([1, 3, 1]), minlength=5)
        tensor([0, 2, 0, 1, 0])
    """
    need_tensor("bincount", input)
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{torch_name(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and int(x.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != x.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    n = max(int(x.max()) + 1 if x.size else 0, int(minlength))
    device, xp = input.device, input.device.xp
    if weights is None:
        dtype, values = backend.int64, xp.ones(x.shape, backend.int64)
    else:
        dtype = backend.float32 if weights.dtype == backend.float32 else backend.float64
        values = weights._data.astype(dtype)
    out = xp.zeros(n, dtype)
    device.backend.scatter_add(out, x.astype(backend.int64, copy=False), values)
    return Tensor._make(out, device)


def _edges(xp, lo, hi, bins, dtype):
    """``linspace(lo, hi, bins + 1)`` as PyTorch computes it (from both ends, in ``dtype``), so that
    elements on an edge fall in the same bin as PyTorch's."""
    lo, hi = xp.asarray(lo, dtype), xp.asarray(hi, dtype)
    step = (hi - lo) / xp.asarray(bins, dtype)
    i = xp.arange(bins + 1)
    half = (bins + 1) // 2
    return xp.where(i < half, lo + step * i.astype(dtype), hi - step * (bins - i).astype(dtype)).astype(dtype)


def histc(input, bins=100, min=0, max=0):  # noqa: A002 - PyTorch's names
    """A histogram of ``input``'s elements in ``bins`` equal bins over ``[min, max]`` (the data's
    range when both are 0); elements outside are ignored. Float tensors only; no gradient.

    Example::

        >>> ag.histc(ag.tensor([1., 2., 1.]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    need_tensor("histc", input)
    if not isinstance(bins, numbers.Integral) or isinstance(bins, bool):
        raise TypeError(f"histc(): argument 'bins' (position 2) must be int, not {type(bins).__name__}")
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{torch_name(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    device, xp = input.device, input.device.xp
    flat = x.reshape(-1)
    # PyTorch's histc bins by the linear formula alone, in the input's dtype, with no search against the
    # edges (torch.histogram refines it; histc does not): an element on an edge may land a bin lower
    lo_, hi_ = xp.asarray(lo, x.dtype), xp.asarray(hi, x.dtype)
    inside = flat[(flat >= lo_) & (flat <= hi_)]
    with errstate(xp, over="ignore"):
        pos = (inside - lo_) * xp.asarray(bins, x.dtype) / (hi_ - lo_)
    pos = xp.minimum(pos, bins - 1).astype(backend.int64)
    counts = xp.zeros(int(bins), backend.float64)
    device.backend.scatter_add(counts, pos, xp.ones(pos.shape, backend.float64))
    return Tensor._make(counts.astype(x.dtype), device)
