"""Reductions: sum, mean, var/std, prod, max/min, logsumexp, norm, cumsum, softmax."""
from __future__ import annotations

from ..function import Primitive
from ._util import dim_kwargs, norm_dims


class Sum(Primitive):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape = x.shape
        ctx.axes, ctx.keepdim = axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim and ctx.axes is not None:
            g = g.reshape(_kept_shape(ctx.shape, ctx.axes))
        return g.expand(*ctx.shape), None, None


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def sum(input, dim=None, keepdim=False, *, dtype=None, **kw):
    """Sum over ``dim`` (an int, a tuple, or all dimensions)."""
    dim, keepdim = dim_kwargs(dim, keepdim, kw, "sum")
    if dtype is not None:
        input = input.to(dtype)
    elif input.data.dtype.kind in "bi" or input.data.dtype.kind == "u":
        from .. import backend

        input = input.to(backend.int64)
    return Sum.apply(input, norm_dims(dim, input.data.ndim), bool(keepdim))
