"""quantile and nanquantile: composites of sort, gather and lerp, as PyTorch's (``quantile_compute``).

Written on differentiable ops so that the gradient is PyTorch's: it reaches the sorted entries the
result reads (split ``1 - w`` / ``w`` between the two neighbours in linear and midpoint modes; ties
get it by their place in the stable sort), and ``q`` itself in linear mode (through the weight).
"""
from __future__ import annotations

import numbers

from .. import backend
from ..tensor import Tensor
from ._util import norm_dim
from .gather import gather
from .sort import sort

__all__ = ["quantile", "nanquantile"]

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _q_tensor(input, q):
    """``q`` as a 1-D tensor of ``input``'s dtype, checked, and whether it was a scalar."""
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        if q.device is not input.device:
            raise RuntimeError("quantile() q tensor must be on the same device as the input tensor")
        a = q._data
        if a.size and not bool(((a >= 0) & (a <= 1)).all()):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        return (q.reshape(1) if q.ndim == 0 else q), q.ndim == 0
    if not isinstance(q, numbers.Real):
        raise TypeError(f"quantile(): argument 'q' must be a float or a Tensor, not {type(q).__name__}")
    if not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    xp = input.device.xp
    return Tensor._make(xp.asarray([float(q)], dtype=input.dtype), input.device), True


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    if input.dtype not in (backend.float32, backend.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if interpolation not in _MODES:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    q, scalar = _q_tensor(input, q)
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if dim is None:
        rows = input.reshape(-1)
        reduced = [1] * input.ndim if keepdim else []
    else:
        d = norm_dim(dim, max(input.ndim, 1))
        rows = input.reshape(1) if input.ndim == 0 else input.movedim(d, -1)
        reduced = list(input.shape)
        if reduced:
            if keepdim:
                reduced[d] = 1
            else:
                del reduced[d]
    n = rows.shape[-1]
    s = sort(rows, -1).values.reshape(reduced + [n])
    nan = s.isnan()
    full = reduced + [q.shape[0]]
    if ignore_nan:  # ranks among the non-NaN values; all NaN gives rank 0 (a NaN)
        ranks = q * ((~nan).sum(-1, keepdim=True).to(input.dtype) - 1)
        ranks = ranks.masked_fill(ranks < 0, 0.0)
    else:  # a row with a NaN reads its last entry (a NaN: it sorts last)
        ranks = (q * (n - 1)).expand(full).masked_fill(nan.any(-1, keepdim=True), float(n - 1))
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()  # half to even, as PyTorch's round
    below = ranks.detach().to(backend.int64)
    out = gather(s, -1, below)
    if interpolation in ("linear", "midpoint"):
        weights = (ranks.detach() * 0 + 0.5) if interpolation == "midpoint" else ranks - below.to(input.dtype)
        out = out.lerp(gather(s, -1, ranks.detach().ceil().to(backend.int64)), weights)
    return out.squeeze(-1) if scalar else out.movedim(-1, 0)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-th quantiles of ``input`` along ``dim`` (of all elements when ``dim`` is None).

    Args:
        input: a float32 or float64 tensor.
        q: a number or a 1-D tensor (``input``'s dtype) of probabilities in ``[0, 1]``.
        dim: the dimension to reduce (None: the flattened input).
        keepdim: keep the reduced dimension with size 1.
        interpolation: between the two data points around the quantile: ``"linear"``,
            ``"lower"``, ``"higher"``, ``"midpoint"`` or ``"nearest"`` (half to even).

    Shape:
        Output: ``input``'s shape reduced over ``dim``, with ``len(q)`` in front when ``q`` is a
        1-D tensor. A NaN in a reduced row makes its quantiles NaN.

    Example::

        >>> ag.quantile(ag.tensor([0., 1., 2., 3.]), ag.tensor([0.25, 0.5]))
        tensor([0.7500, 1.5000])
    """
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """:func:`quantile` ignoring NaNs (a row of NaNs only gives NaN).

    Example::

        >>> ag.nanquantile(ag.tensor([1., float("nan"), 3.]), 0.5)
        tensor(2.)
    """
    return _quantile(input, q, dim, keepdim, interpolation, True)
