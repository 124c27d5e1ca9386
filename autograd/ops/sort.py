"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian, unique,
unique_consecutive, searchsorted, bucketize.

The order is found on the raw arrays (a stable sort; descending keeps equal elements in their
original order, as PyTorch's ``stable=True``; NaN sorts as the largest value) and the values are
picked with :func:`gather`, so their gradient (a scatter of the upstream gradient to the picked
positions) and its derivative come from the indexing primitives.
"""
from __future__ import annotations

from collections import namedtuple

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from ._util import as_tensor_like, norm_dim
from .elementwise import where
from .gather import gather
from .extrema import return_types

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "unique",
           "unique_consecutive", "searchsorted", "bucketize"]

for _name in ("sort", "topk", "kthvalue", "median", "nanmedian"):  # ag.return_types.<name>
    setattr(return_types, _name, namedtuple(_name, ["values", "indices"]))


def _check(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")


def _no_bool(input, kernel):
    """PyTorch has no bool kernel for the order statistics (kthvalue, median)."""
    if input._data.dtype == backend.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def order(x, d, descending, xp):
    """Stable ``argsort`` of array ``x`` along axis ``d`` (int64), ascending or descending."""
    if not descending:
        return xp.argsort(x, axis=d, kind="stable").astype(backend.int64, copy=False)
    n = x.shape[d]
    # sort the reversed array ascending and reverse the result: ties keep their original order
    idx = xp.argsort(xp.flip(x, d), axis=d, kind="stable").astype(backend.int64, copy=False)
    return xp.flip(n - 1 - idx, d)


def _index(array, like):
    return Tensor._make(backend.as_array(array, like.device), like.device)


def _slice_dim(a, d, start, stop):
    return a[(slice(None),) * d + (slice(start, stop),)]


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim`` (always stably).

    Example::

        >>> ag.sort(ag.tensor([3.0, 1.0, 2.0]), descending=True)
        sort(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
    """
    _check(input, "sort")
    if input.ndim == 0:
        norm_dim(dim, 0)
        return return_types.sort(input.clone(), _index(input.device.xp.zeros((), backend.int64), input))
    d = norm_dim(dim, input.ndim)
    idx = _index(order(input._data, d, descending, input.device.xp), input)
    return return_types.sort(gather(input, d, idx), idx)


def argsort(input, dim=-1, descending=False, stable=False):
    """Indices that sort ``input`` along ``dim`` (stable)."""
    _check(input, "argsort")
    if input.ndim == 0:
        norm_dim(dim, 0)
        return _index(input.device.xp.zeros((), backend.int64), input)
    d = norm_dim(dim, input.ndim)
    return _index(order(input._data, d, descending, input.device.xp), input)


def msort(input):
    """``input`` sorted along its first dimension."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, in order."""
    _check(input, "topk")
    if input._data.dtype == backend.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = norm_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k out of range (k={k}, size {n} along dim {d})")
    if input.ndim == 0:
        return return_types.topk(input.clone() if k else input.reshape(0),
                                 _index(input.device.xp.zeros(() if k else (0,), backend.int64), input))
    idx = _index(_slice_dim(order(input._data, d, largest, input.device.xp), d, 0, k), input)
    return return_types.topk(gather(input, d, idx), idx)


def _pick(input, d, pos, keepdim, kind):
    """Values and indices at sorted position ``pos`` (an int, or an array broadcasting on ``d``)."""
    xp = input.device.xp
    srt = order(input._data, d, False, xp)
    if isinstance(pos, int):
        idx = _slice_dim(srt, d, pos, pos + 1)
    else:
        idx = xp.take_along_axis(srt, pos, axis=d)
    idx_t = _index(idx, input)
    values = gather(input, d, idx_t)
    if not keepdim:
        values, idx_t = values.squeeze(d), idx_t.squeeze(d)
    return getattr(return_types, kind)(values, idx_t)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest value along ``dim`` (1-based) and its index."""
    _check(input, "kthvalue")
    _no_bool(input, "kthvalue_cpu")
    if input.ndim == 0:
        norm_dim(dim, 0)
        input = input.reshape(1)
        out = kthvalue(input, k, 0, keepdim)
        return return_types.kthvalue(out.values.reshape(()), out.indices.reshape(()))
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {d} (k={k}, size {n})")
    return _pick(input, d, k - 1, keepdim, "kthvalue")


class _EvenlySpread(Primitive):
    """``value`` (the median of all of ``x``, picked), whose gradient PyTorch spreads evenly over the
    elements equal to it (``mask``; the NaNs for a NaN median): its ``evenly_distribute_backward``."""

    @staticmethod
    def forward(ctx, x, value, mask):
        ctx.count = int(mask.sum())
        ctx.save_for_backward(mask)
        return value.copy()

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        return where(mask, g / ctx.count, 0.0), None, None


def _median(input, dim, keepdim, ignore_nan, name):
    _check(input, name)
    _no_bool(input, "median_cpu" if dim is None else "median_out")
    xp = input.device.xp
    if dim is None:
        flat = input.reshape(-1)
        if flat.shape[0] == 0:
            return flat.sum() * float("nan")
        value = _median(flat, 0, False, ignore_nan, name).values
        if not flat.requires_grad:
            return value
        v = value._data
        return _EvenlySpread.apply(flat, v, xp.isnan(flat._data) if xp.isnan(v) else flat._data == v)
    if input.ndim == 0:
        norm_dim(dim, 0)
        out = _median(input.reshape(1), 0, keepdim, ignore_nan, name)
        return getattr(return_types, name)(out.values.reshape(()), out.indices.reshape(()))
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    if n == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    a = input._data
    if a.dtype.kind != "f":
        return _pick(input, d, (n - 1) // 2, keepdim, name)
    nans = xp.isnan(a).sum(axis=d, keepdims=True)
    if ignore_nan:  # the lower median of the non-NaN values (NaN only where all are NaN)
        pos = xp.maximum((n - nans - 1) // 2, 0)
    else:  # NaN propagates: pick the first NaN (sorted last) where a NaN is present
        pos = xp.where(nans > 0, n - nans, (n - 1) // 2)
    return _pick(input, d, pos.astype(backend.int64), keepdim, name)


def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``; NaN propagates."""
    return _median(input, dim, keepdim, False, "median")


def nanmedian(input, dim=None, keepdim=False):
    """``median`` ignoring NaN."""
    return _median(input, dim, keepdim, True, "nanmedian")


# ---------------------------------------------------------------- unique (not differentiable)
def _unique_dim_check(input, dim):
    """``dim`` normalised, with PyTorch's checks of an empty input for ``unique(dim=)``."""
    d = norm_dim(dim, input.ndim)
    if input._data.size == 0:
        if sum(n == 0 for n in input.shape) > 1:
            raise RuntimeError("Number of zero sized dimensions is more than one, so unique cannot be "
                               "applied ")
        if input.shape[d] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                               "applied")
    return d


def _unique_floats(xp, flat):
    """``unique`` of a 1-D float array with each NaN distinct (NaN != NaN), as PyTorch's: the NaNs
    come last, one per occurrence, in the order they appear (NumPy's unique merges them)."""
    srt = order(flat, 0, False, xp)
    s = flat[srt]
    start = xp.ones(s.shape, dtype=backend.bool_)
    start[1:] = s[1:] != s[:-1]
    inverse = xp.empty(s.shape, dtype=backend.int64)
    inverse[srt] = xp.cumsum(start) - 1
    firsts = xp.nonzero(start)[0]
    counts = xp.concatenate([firsts[1:], xp.asarray([s.size], dtype=firsts.dtype)]) - firsts
    return s[start], inverse, counts


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of ``input`` (sorted), flattened, or distinct slices along ``dim``.

    Returns the values, then the inverse indices (``input``'s shape for ``dim=None``) and the
    counts when asked, as PyTorch.
    """
    _check(input, "unique")
    xp = input.device.xp
    a = input._data
    if dim is None and a.dtype.kind == "f":
        out = _unique_floats(xp, a.reshape(-1))
        inv_shape = a.shape
    elif dim is None:
        out = xp.unique(a.reshape(-1), return_inverse=True, return_counts=True)
        inv_shape = a.shape
    else:
        d = _unique_dim_check(input, dim)
        out = xp.unique(a, return_inverse=True, return_counts=True, axis=d)
        inv_shape = (a.shape[d],)
    values, inverse, counts = out
    res = [_index(values, input),
           _index(inverse.reshape(inv_shape).astype(backend.int64, copy=False), input),
           _index(counts.astype(backend.int64, copy=False), input)]
    keep = [True, return_inverse, return_counts]
    res = [r for r, k in zip(res, keep) if k]
    return res[0] if len(res) == 1 else tuple(res)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive values (``dim=None``: of the flattened input)."""
    _check(input, "unique_consecutive")
    if dim is not None:
        from .cumextrema import unique_consecutive_dim  # it imports this module

        return unique_consecutive_dim(input, return_inverse, return_counts, dim)
    xp = input.device.xp
    flat = input._data.reshape(-1)
    start = xp.ones(flat.shape, dtype=backend.bool_)
    if flat.size:
        start[1:] = flat[1:] != flat[:-1]
    inverse = xp.cumsum(start).astype(backend.int64) - 1
    firsts = xp.nonzero(start)[0]
    counts = xp.concatenate([firsts[1:], xp.asarray([flat.size], dtype=firsts.dtype)]) - firsts
    res = [_index(flat[start], input), _index(inverse.reshape(input.shape), input),
           _index(counts.astype(backend.int64, copy=False), input)]
    keep = [True, return_inverse, return_counts]
    res = [r for r, k in zip(res, keep) if k]
    return res[0] if len(res) == 1 else tuple(res)


# ---------------------------------------------------------------- searchsorted / bucketize
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` (its last dim) to keep
    it sorted: the first such index, or the last with ``right=True`` / ``side='right'``."""
    _check(sorted_sequence, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("searchsorted(): side and right can't be set to opposites")
        right = side == "right"
    xp = sorted_sequence.device.xp
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    vals = as_tensor_like(input, sorted_sequence)._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    how = "right" if right else "left"
    dtype = backend.int32 if out_int32 else backend.int64
    if seq.ndim <= 1:
        out = xp.searchsorted(seq.reshape(-1), vals, side=how)
    else:
        if vals.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(f"searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must match, but we "
                               f"got boundaries tensor {list(seq.shape)} and input value tensor "
                               f"{list(vals.shape)}")
        rows_s = seq.reshape(-1, seq.shape[-1])
        rows_v = vals.reshape(-1, vals.shape[-1])
        out = xp.stack([xp.searchsorted(s, v, side=how) for s, v in zip(rows_s, rows_v)]) \
            if rows_s.shape[0] else xp.zeros(rows_v.shape, dtype)
        out = out.reshape(vals.shape)
    out = _index(xp.asarray(out).astype(dtype, copy=False), sorted_sequence)
    return out.reshape(()) if scalar else out


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of ``input`` among the 1-D ``boundaries`` (``searchsorted``)."""
    _check(boundaries, "bucketize")
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize(): boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
