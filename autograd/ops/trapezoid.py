"""The trapezoid rule: trapezoid / trapz and cumulative_trapezoid, composites of slicing, sums and
products (so their gradients, second derivatives included, come from those ops), written as
PyTorch's ``aten/src/ATen/native/Integration.cpp`` so that dtypes and broadcasting match."""
from __future__ import annotations

import numbers

from .. import backend
from ..tensor import Tensor
from ._util import norm_dim
from .math_more import need_tensor
from .reduce import cumsum

__all__ = ["trapezoid", "trapz", "cumulative_trapezoid"]


def _slice(t, dim, start, stop=None):
    return t[(slice(None),) * dim + (slice(start, stop),)]


def _check(name, y, x, dx, dim):
    need_tensor(name, y, "y")
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: pass either the sample "
                        "points x (a Tensor) or the spacing dx (a number), not both")
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(x).__name__}): x must be a Tensor (pass a constant spacing as dx=)")
    if isinstance(dx, Tensor) and dx.ndim == 0:  # a 0-d tensor is a number, as PyTorch parses it
        dx = dx.item()
    if dx is not None and (not isinstance(dx, numbers.Number) or isinstance(dx, bool)):
        raise TypeError(f"{name}(): argument 'dx' must be Number, not {type(dx).__name__}")
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = norm_dim(dim, y.ndim)
    if y._data.dtype.kind == "b" or (x is not None and x._data.dtype.kind == "b"):
        which = "`y`" if y._data.dtype.kind == "b" else "`x`"
        raise RuntimeError(f"{name}: received a bool input for {which}, but bool is not supported")
    return d, dx


def _spacing(name, y, x, d):
    """The differences of ``x`` along ``d``, viewed to broadcast against ``y``'s slices (PyTorch:
    a 1-D ``x`` lies along ``d``; a lower-dimensional one gets leading 1s; ``x`` and ``y`` are not
    broadcast before the differences are taken, as NumPy)."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.reshape(shape)
    elif x.ndim < y.ndim:
        x = x.reshape((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return _slice(x, d, 1) - _slice(x, d, 0, -1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of ``y`` along ``dim`` by the trapezoid rule, at sample points ``x`` (a tensor)
    or with a constant spacing ``dx`` (default 1). Integer inputs give the default float dtype.

    Example::

        >>> ag.trapezoid(ag.tensor([1., 2., 4.]), ag.tensor([0., 1., 3.]))
        tensor(7.5000)
    """
    d, dx = _check("trapezoid", y, x, dx, dim)
    if y.shape[d] == 0:  # the integral over no samples is 0, as NumPy's
        shape = tuple(s for i, s in enumerate(y.shape) if i != d)
        return Tensor._make(y.device.xp.zeros(shape, y._data.dtype), y.device)
    if x is None:  # PyTorch: (sum(y) - (y[0] + y[-1]) / 2) * dx
        ends = _slice(y, d, 0, 1).sum(d) + _slice(y, d, -1).sum(d)
        return (y.sum(d) - ends * 0.5) * (1 if dx is None else dx)
    return ((_slice(y, d, 1) + _slice(y, d, 0, -1)) * _spacing("trapezoid", y, x, d)).sum(d) / 2.0


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid`."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid-rule integral of ``y`` along ``dim`` (one element fewer than ``y``
    there), at sample points ``x`` or with a constant spacing ``dx`` (default 1).

    Example::

        >>> ag.cumulative_trapezoid(ag.tensor([1., 2., 4.]))
        tensor([1.5000, 4.5000])
    """
    d, dx = _check("cumulative_trapezoid", y, x, dx, dim)
    pairs = _slice(y, d, 1) + _slice(y, d, 0, -1)
    if x is None:
        out = cumsum((1 if dx is None else dx) / 2.0 * pairs, d)
    else:
        out = cumsum(pairs * _spacing("cumulative_trapezoid", y, x, d), d) / 2.0
    if out._data.dtype.kind != "f":  # an empty integer y: PyTorch's division still makes it float
        out = out.to(backend.get_default_dtype())
    return out
