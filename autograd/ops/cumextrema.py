"""Running and most-frequent extremes: cummax, cummin, mode; unique_consecutive along a dim.

Composites: the indices are found on the backend arrays (a log-step scan,
which CuPy supports as well as NumPy) and the values are ``gather``-ed from
the input, so their gradient goes to the chosen positions, as PyTorch's.
"""
from __future__ import annotations

from collections import namedtuple

from .. import backend
from ._util import norm_dim
from .gather import gather
from .sort import _check, _index, _unique_dim_check, order, return_types

__all__ = ["cummax", "cummin", "mode"]  # and unique_consecutive(dim=...) through ops/sort.py

for _name in ("cummax", "cummin", "mode"):  # ag.return_types.<name>
    setattr(return_types, _name, namedtuple(_name, ["values", "indices"]))


def _scan(xp, a, op):
    """Inclusive running ``op`` (``xp.maximum``/``xp.minimum``) along the last axis, in log2(n) steps."""
    a = a.copy()
    shift, n = 1, a.shape[-1]
    while shift < n:
        a[..., shift:] = op(a[..., shift:], a[..., :-shift])
        shift *= 2
    return a


def _last_axis(input, dim):
    d = norm_dim(dim, max(input.ndim, 1))
    a = input._data.reshape(input.shape or (1,))
    return d, input.device.xp, input.device.xp.moveaxis(a, d, -1)


def _cum_extreme(input, dim, op_name):
    _check(input, op_name)
    d, xp, a = _last_axis(input, dim)
    op = xp.maximum if op_name == "cummax" else xp.minimum
    run = _scan(xp, a, op)
    # PyTorch's rule: a position takes the index when it equals the running extreme (the later of
    # equal values) or is NaN (a NaN stays the extreme from there on)
    hit = (a == run) | (xp.isnan(a) if a.dtype.kind == "f" else False)
    pos = xp.broadcast_to(xp.arange(a.shape[-1], dtype=backend.int64), a.shape)
    idx = _scan(xp, xp.where(hit, pos, 0), xp.maximum)
    idx = xp.moveaxis(idx, -1, d).reshape(input.shape)
    indices = _index(idx, input)
    values = gather(input, d, indices) if input.ndim else input.clone()
    return getattr(return_types, op_name)(values, indices)


def cummax(input, dim):
    """Running maximum along ``dim`` and the index where it was attained (the later one of ties).

    Example::

        >>> ag.cummax(ag.tensor([1.0, 3.0, 2.0, 5.0]), 0)
        cummax(values=tensor([1., 3., 3., 5.]), indices=tensor([0, 1, 1, 3]))
    """
    return _cum_extreme(input, dim, "cummax")


def cummin(input, dim):
    """Running minimum along ``dim`` and the index where it was attained (the later one of ties)."""
    return _cum_extreme(input, dim, "cummin")


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the index
    of its last occurrence, as PyTorch; the gradient goes to that position.

    Example::

        >>> ag.mode(ag.tensor([3.0, 1.0, 3.0, 1.0, 2.0]))
        mode(values=tensor(1.), indices=tensor(3))
    """
    _check(input, "mode")
    d, xp, a = _last_axis(input, dim)
    n = a.shape[-1]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    srt = order(a, -1, False, xp)
    s = xp.take_along_axis(a, srt, axis=-1)
    same = s[..., 1:] == s[..., :-1]
    if s.dtype.kind == "f":
        same = same | (xp.isnan(s[..., 1:]) & xp.isnan(s[..., :-1]))
    edge = xp.ones(s.shape[:-1] + (1,), dtype=backend.bool_)
    start = xp.concatenate([edge, ~same], axis=-1)
    end = xp.concatenate([~same, edge], axis=-1)
    pos = xp.broadcast_to(xp.arange(n, dtype=backend.int64), a.shape)
    first = _scan(xp, xp.where(start, pos, 0), xp.maximum)
    last = n - 1 - xp.flip(_scan(xp, xp.flip(xp.where(end, n - 1 - pos, 0), -1), xp.maximum), -1)
    best = xp.argmax(last - first, axis=-1)[..., None]  # first longest run: the smallest value
    at = xp.take_along_axis(srt, xp.take_along_axis(last, best, axis=-1), axis=-1)  # its last index
    shape = input.shape[:d] + (1,) + input.shape[d + 1:] if input.ndim else ()
    indices = _index(xp.moveaxis(at, -1, d).reshape(shape), input)
    values = gather(input, d, indices) if input.ndim else input.clone()
    if input.ndim and not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return return_types.mode(values, indices)


def unique_consecutive_dim(input, return_inverse, return_counts, dim):
    """``unique_consecutive`` along ``dim``: collapse runs of equal consecutive slices."""
    d = _unique_dim_check(input, dim)
    xp, a = input.device.xp, input._data
    n = a.shape[d]
    rows = xp.moveaxis(a, d, 0).reshape(n, a.size // n if n else 0)
    start = xp.ones((n,), dtype=backend.bool_)
    if n > 1:
        start[1:] = xp.any(rows[1:] != rows[:-1], axis=1)
    firsts = xp.nonzero(start)[0]
    inverse = xp.cumsum(start).astype(backend.int64) - 1
    counts = xp.concatenate([firsts[1:], xp.full((1,), n, dtype=firsts.dtype)]) - firsts \
        if n else firsts
    res = [_index(xp.take(a, firsts, axis=d), input), _index(inverse, input),
           _index(counts.astype(backend.int64, copy=False), input)]
    res = [r for r, k in zip(res, (True, return_inverse, return_counts)) if k]
    return res[0] if len(res) == 1 else tuple(res)
