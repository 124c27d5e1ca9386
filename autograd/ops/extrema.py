"""Extremes: max/min (overall, along a dim, or elementwise against another tensor), amax/amin,
argmax/argmin.

Along a dim, ``max``/``min`` return ``(values, indices)`` named tuples, as PyTorch's
``torch.return_types``; a NaN is the extreme and gets the gradient, as in PyTorch.
"""
from __future__ import annotations

import math
from collections import namedtuple
from types import SimpleNamespace

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from ._util import _axes, _out, _setup, _unreduce, dim_kwargs, norm_dim
from .compare import where
from .elementwise import maximum, minimum
from .reduce import _check_nonempty, _no_grad_result

__all__ = ["max", "min", "amax", "amin", "argmax", "argmin", "return_types"]

#: Named tuples returned by ``max``/``min`` with ``dim`` (PyTorch's ``torch.return_types``).
return_types = SimpleNamespace(max=namedtuple("max", ["values", "indices"]),
                               min=namedtuple("min", ["values", "indices"]))


class Extreme(Primitive):
    """``amax``/``amin`` over ``axes``, or ``max()``/``min()`` of all elements (``whole``); ties
    share the gradient evenly.

    A NaN is the result of a slice holding one; as PyTorch, ``max()`` sends the gradient to the
    NaN elements and ``amax`` gives NaN gradients to the whole slice. ``max()``/``min()`` select
    (the other elements' gradient is exactly 0, whatever the incoming one), ``amax`` multiplies
    by the share (a NaN or negative incoming gradient reaches every element), as PyTorch.
    """

    @staticmethod
    def forward(ctx, x, axes, keepdim, largest, whole):
        _setup(ctx, x, axes, keepdim)
        ctx.whole = whole
        xp = ctx.device.xp
        y = (xp.max if largest else xp.min)(x, axis=axes, keepdims=True)
        if ctx.needs_input_grad:
            mask = x == y
            if whole and x.dtype.kind == "f":
                mask |= xp.isnan(x)  # any NaN makes y NaN, so these are the "maxima"
            count = mask.sum(axis=axes, keepdims=True)
            weight = mask / xp.maximum(count, 1).astype(x.dtype)
            if not whole and x.dtype.kind == "f":
                weight = xp.where(count == 0, math.nan, weight).astype(x.dtype, copy=False)
            ctx.save_for_backward(weight)
        return _out(y, axes, keepdim, x.shape)

    @staticmethod
    def backward(ctx, g):
        (weight,) = ctx.saved_tensors
        share = _unreduce(g, ctx) * weight
        if ctx.whole:  # max()/min() select: the other elements get exactly 0 (no NaN, no -0.0)
            share = where(weight != 0, share, 0.0)
        return share, None, None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        (weight,) = ctx.saved_arrays
        share = _unreduce(g, ctx) * weight
        if ctx.whole:
            share = ctx.device.xp.where(weight != 0, share, 0.0)
        return share, None, None, None, None


class ExtremeDim(Primitive):
    """``max``/``min`` along one dim: values and the first index; the gradient goes to that index
    (the others get exactly 0, as PyTorch's scatter into zeros)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        _setup(ctx, x, (dim,), keepdim)
        xp = ctx.device.xp
        idx = (xp.argmax if largest else xp.argmin)(x, axis=dim, keepdims=True).astype(backend.int64)
        values = xp.take_along_axis(x, idx, axis=dim)
        if ctx.needs_input_grad:
            positions = xp.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - dim - 1))
            ctx.save_for_backward(positions == idx)
        if not keepdim:
            values, idx = xp.squeeze(values, axis=dim), xp.squeeze(idx, axis=dim)
        return values, idx

    @staticmethod
    def backward(ctx, g, g_indices):
        (selected,) = ctx.saved_tensors  # bool: the returned index along the dim
        return where(selected, _unreduce(g, ctx), 0.0), None, None, None

    @staticmethod
    def raw_backward(ctx, g, g_indices):
        (selected,) = ctx.saved_arrays
        return ctx.device.xp.where(selected, _unreduce(g, ctx), 0.0), None, None, None


def _extreme(name, input, dim, keepdim, kw, largest):
    dim, keepdim = dim_kwargs(dim, keepdim, kw, name)
    if isinstance(dim, Tensor):  # max(input, other): the elementwise form
        return (maximum if largest else minimum)(input, dim)
    if dim is None:
        _check_nonempty(name, input._data, None)
        return Extreme.apply(input, None, False, largest, True)
    d = norm_dim(dim, input._data.ndim)
    x = input if input._data.ndim else input.reshape(1)
    _check_nonempty(name, x._data, (d,))
    values, indices = ExtremeDim.apply(x, d, bool(keepdim) and input._data.ndim > 0, largest)
    return getattr(return_types, name)(values, indices)


def max(input, dim=None, keepdim=False, **kw):
    """The largest element, or ``(values, indices)`` along ``dim``.

    Without ``dim`` the gradient is split evenly among equal maxima; with
    ``dim`` it goes to the returned (first) index. ``max(input, other)`` is
    :func:`maximum`.

    Example::

        >>> ag.tensor([[1., 5.], [7., 2.]]).max(dim=1)
        max(values=tensor([5., 7.]), indices=tensor([1, 0]))
    """
    return _extreme("max", input, dim, keepdim, kw, True)


def min(input, dim=None, keepdim=False, **kw):
    """The smallest element, or ``(values, indices)`` along ``dim`` (see :func:`max`)."""
    return _extreme("min", input, dim, keepdim, kw, False)


def _amax(name, input, dim, keepdim, kw, largest):
    dim, keepdim = dim_kwargs(dim, keepdim, kw, name)
    axes = _axes(dim, input._data.ndim)
    _check_nonempty(name, input._data, axes)
    return Extreme.apply(input, axes, bool(keepdim), largest, False)


def amax(input, dim=None, keepdim=False, **kw):
    """Largest values over ``dim`` (an int or tuple); ties split the gradient evenly.

    Example::

        >>> ag.tensor([[1., 5.], [7., 2.]]).amax(0)
        tensor([7., 5.])
    """
    return _amax("amax", input, dim, keepdim, kw, True)


def amin(input, dim=None, keepdim=False, **kw):
    """Smallest values over ``dim`` (an int or tuple); ties split the gradient evenly."""
    return _amax("amin", input, dim, keepdim, kw, False)


def _arg(name, input, dim, keepdim, kw):
    dim, keepdim = dim_kwargs(dim, keepdim, kw, name)
    x = input._data
    if x.dtype == backend.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    xp = input.device.xp
    fn = getattr(xp, name)
    if dim is None:
        _check_nonempty(name, x, None, IndexError)  # PyTorch's type for argmax/argmin
        r = fn(x.reshape(-1))
        return _no_grad_result(r.reshape((1,) * x.ndim) if keepdim else r, input)
    d = norm_dim(dim, x.ndim)
    if x.ndim == 0:
        return _no_grad_result(xp.zeros((), backend.int64), input)
    _check_nonempty(name, x, (d,))
    return _no_grad_result(fn(x, axis=d, keepdims=bool(keepdim)).astype(backend.int64), input)


def argmax(input, dim=None, keepdim=False, **kw):
    """Index of the first largest element (of the flattened input when ``dim`` is None)."""
    return _arg("argmax", input, dim, keepdim, kw)


def argmin(input, dim=None, keepdim=False, **kw):
    """Index of the first smallest element (of the flattened input when ``dim`` is None)."""
    return _arg("argmin", input, dim, keepdim, kw)
