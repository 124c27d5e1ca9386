"""Scans and differences along a dimension: logcumsumexp (a primitive), diff and ravel (composites).

``logcumsumexp`` scans with pairwise ``logaddexp`` (Hillis-Steele: log2(n) whole-array steps, stable
for any spread of values, where ``log(cumsum(exp(x - max)))`` underflows to -inf for elements far
below the maximum). Its backward is PyTorch's: reversed ``logcumsumexp`` scans of the positive and
negative parts of the gradient, in Tensor ops, so the second derivative exists too.
"""
from __future__ import annotations

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from . import elementwise as ew
from ._util import errstate, norm_dim
from .math_more import need_tensor, torch_name
from .selection import narrow
from .shape import cat, flip, reshape

__all__ = ["logcumsumexp", "diff", "ravel"]


class LogCumSumExp(Primitive):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = ctx.device.xp
        n = x.shape[dim] if x.ndim else 1
        y = x.astype(backend.float32) if x.dtype == backend.float16 else x.copy()
        s = 1
        with errstate(xp, invalid="ignore", over="ignore"):
            while s < n:
                hi = (slice(None),) * dim + (slice(s, None),)
                lo = (slice(None),) * dim + (slice(0, n - s),)
                step = y.copy()
                step[hi] = xp.logaddexp(y[hi], y[lo])
                y, s = step, 2 * s
        y = y.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.dim
        if x.ndim == 0 or x.numel() == 0:
            return g, None
        lowest = float(backend.Device("cpu").xp.finfo(x.dtype).min)

        def rev_scan(t):  # logcumsumexp from the end
            return flip(logcumsumexp(flip(t, d), d), d)

        pos, neg = ew.gt(g, 0), ew.lt(g, 0)
        log_pos = ew.where(pos, ew.log(ew.where(pos, g, 1.0)), lowest)
        log_neg = ew.where(neg, ew.log(ew.where(neg, -g, 1.0)), lowest)
        return ew.exp(rev_scan(log_pos - y) + x) - ew.exp(rev_scan(log_neg - y) + x), None


def logcumsumexp(input, dim):
    """``log(cumsum(exp(input), dim))`` computed stably.

    Example::

        >>> ag.logcumsumexp(ag.tensor([-1000., 0., 0.]), 0)
        tensor([-1000.0000,     0.0000,     0.6931])
    """
    need_tensor("logcumsumexp", input)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{torch_name(input.dtype)}'")
    d = norm_dim(dim, input._data.ndim)
    return LogCumSumExp.apply(input, d if input._data.ndim else 0)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``: ``out[i] = input[i + 1] - input[i]``, applied
    ``n`` times, after concatenating ``prepend`` and ``append`` along ``dim``. Bool tensors give
    ``input[i + 1] != input[i]``; ``n=0`` gives a copy of ``input`` alone.

    Example::

        >>> ag.diff(ag.tensor([1, 3, 6, 10]), n=2)
        tensor([1, 1])
    """
    need_tensor("diff", input)
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = norm_dim(dim, input.ndim)
    parts = [input]
    for name, t in (("prepend", prepend), ("append", append)):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
        if t.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for k in range(input.ndim):
            if k != d and t.shape[k] != input.shape[k]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of input except "
                    f"along the differencing dimension; input.size({k}) = {input.shape[k]}, but got "
                    f"tensor.size({k}) = {t.shape[k]}")
        parts.insert(0 if name == "prepend" else len(parts), t)
    if n == 0:  # as PyTorch: a copy of ``input``, without ``prepend`` / ``append``
        return ew.clone(input)
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        hi, lo = narrow(x, d, 1, m - 1), narrow(x, d, 0, m - 1)
        x = ew.logical_xor(hi, lo) if x.dtype.kind == "b" else ew.sub(hi, lo)
    return x


def ravel(input):
    """``input`` flattened to one dimension (a copy where it is not contiguous).

    Example::

        >>> ag.ravel(ag.tensor([[1, 2], [3, 4]]).t())
        tensor([1, 3, 2, 4])
    """
    return reshape(input, -1)
