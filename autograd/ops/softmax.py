"""Fused, numerically stable exponential-normalisation ops: logsumexp, softmax, log_softmax.

Each is one primitive that subtracts the running maximum before ``exp``, so
inputs near 1e4 stay finite; the gradients are written with Tensor ops (double
backward works).
"""
from __future__ import annotations

import math

from .. import backend
from ..function import Primitive
from ._util import (_axes, _count, _kept_shape, _out, _setup, _unreduce, _with_dtype, acc_dtype, dim_kwargs,
                    norm_dim, sum_array)
from .elementwise import exp

__all__ = ["logsumexp", "softmax", "log_softmax"]


# ---------------------------------------------------------------- logsumexp
class LogSumExp(Primitive):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        _setup(ctx, x, axes, keepdim)
        xp = ctx.device.xp
        if _count(x.shape, axes) == 0:
            y = xp.full(_kept_shape(x.shape, axes), -math.inf, x.dtype)
        else:
            m = x.max(axis=axes, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0).astype(x.dtype)  # all -inf (or inf) slices
            s = xp.exp(x - m).sum(axis=axes, keepdims=True, dtype=acc_dtype(x.dtype))
            y = (xp.log(s) + m).astype(x.dtype, copy=False)
        y = _out(y, axes, keepdim, x.shape)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _unreduce(g, ctx) * exp(x - _unreduce(y, ctx)), None, None

    @staticmethod
    def raw_backward(ctx, g):
        x, y = ctx.saved_arrays
        return _unreduce(g, ctx) * ctx.device.xp.exp(x - _unreduce(y, ctx)), None, None


def logsumexp(input, dim=None, keepdim=False, **kw):
    """``log(sum(exp(input), dim))`` computed stably (finite for inputs near 1e4).

    Example::

        >>> ag.tensor([10000., 10000.]).logsumexp(0)
        tensor(10000.6934)
    """
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "logsumexp")
    if input._data.dtype.kind != "f":
        input = input.to(backend.get_default_dtype())
    return LogSumExp.apply(input, _axes(dim, input._data.ndim), bool(keepdim))


# ---------------------------------------------------------------- softmax
class Softmax(Primitive):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = ctx.device.xp
        e = xp.exp(x - x.max(axis=dim, keepdims=True)) if x.size else x.copy()
        # float16 sums in float32 (as PyTorch): more than 65504 terms would overflow
        y = (e / e.sum(axis=dim, keepdims=True, dtype=acc_dtype(x.dtype))).astype(x.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def raw_backward(ctx, g):
        (y,) = ctx.saved_arrays
        gy = g * y
        return gy - y * sum_array(gy, ctx.dim, True), None


class LogSoftmax(Primitive):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = ctx.device.xp
        if x.size:
            s = x - x.max(axis=dim, keepdims=True)
            total = xp.exp(s).sum(axis=dim, keepdims=True, dtype=acc_dtype(x.dtype))
            y = (s - xp.log(total)).astype(x.dtype, copy=False)
        else:
            y = x.copy()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - exp(y) * g.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def raw_backward(ctx, g):
        (y,) = ctx.saved_arrays
        return g - ctx.device.xp.exp(y) * sum_array(g, ctx.dim, True), None


def _softmax_input(name, input, dim, dtype):
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim'")
    input = _with_dtype(input, dtype)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"{name}(): not implemented for dtype {input.dtype} (use a float tensor)")
    d = norm_dim(dim, input._data.ndim)
    return input, (d if input._data.ndim else None)


def softmax(input, dim, dtype=None):
    """``exp(x) / exp(x).sum(dim)``, computed stably (a fused op).

    Example::

        >>> ag.tensor([1., 1.]).softmax(0)
        tensor([0.5000, 0.5000])
    """
    input, d = _softmax_input("softmax", input, dim, dtype)
    return Softmax.apply(input, d)


def log_softmax(input, dim, dtype=None):
    """``log(softmax(x, dim))``, computed stably (a fused op).

    Example::

        >>> ag.tensor([0., 0.]).log_softmax(0)
        tensor([-0.6931, -0.6931])
    """
    input, d = _softmax_input("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(input, d)
