"""Reductions built from the existing ones: nansum, nanmean (NaN-ignoring), std_mean, var_mean, aminmax.

All are composites (``sum``, ``mean``, ``var``, ``std``, ``amin``, ``amax`` with ``where``), so their
gradients are those ops': a NaN element gets gradient 0 from nansum / nanmean, and aminmax splits a
tie's gradient evenly, as ``amin`` / ``amax`` (and PyTorch) do.
"""
from __future__ import annotations

from collections import namedtuple

from . import elementwise as ew
from . import reduce as rd
from ._util import _with_dtype, errstate, norm_dim
from .extrema import amax, amin, return_types
from .math_more import need_tensor, torch_name

__all__ = ["nansum", "nanmean", "std_mean", "var_mean", "aminmax"]

return_types.aminmax = namedtuple("aminmax", ["min", "max"])


def _zero_nan(input):
    return ew.where(ew.isnan(input), 0.0, input) if input._data.dtype.kind == "f" else input


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` treating NaN as 0 (``sum`` for integer and bool tensors).

    Example::

        >>> ag.nansum(ag.tensor([1., float("nan"), 2.]))
        tensor(3.)
    """
    need_tensor("nansum", input)
    return rd.sum(_zero_nan(input), dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` of the elements that are not NaN (NaN where all are); float tensors only.

    Example::

        >>> ag.nanmean(ag.tensor([[1., float("nan")], [2., 4.]]), dim=1)
        tensor([1., 3.])
    """
    need_tensor("nanmean", input)
    if input._data.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{torch_name(input.dtype)}")
    input = _with_dtype(input, dtype)
    count = rd.sum(ew.logical_not(ew.isnan(input)), dim, keepdim)
    with errstate(input.device.xp, divide="ignore", invalid="ignore"):  # 0 / 0 = nan, silently as PyTorch
        return ew.div(nansum(input, dim, keepdim), count)


def _stat_mean(name, stat, input, dim, unbiased, keepdim, correction):
    need_tensor(name, input)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    if isinstance(dim, bool):  # std_mean(input, unbiased)
        dim, unbiased = None, dim
    s = stat(input, dim, unbiased, keepdim, correction=correction)
    return s, rd.mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std(input, dim, ...), mean(input, dim, ...))`` with :func:`std`'s arguments.

    Example::

        >>> ag.std_mean(ag.tensor([1., 2., 3., 4.]))
        (tensor(1.2910), tensor(2.5000))
    """
    return _stat_mean("std_mean", rd.std, input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var(input, dim, ...), mean(input, dim, ...))`` with :func:`var`'s arguments.

    Example::

        >>> ag.var_mean(ag.tensor([1., 2., 3., 4.]), correction=0)
        (tensor(1.2500), tensor(2.5000))
    """
    return _stat_mean("var_mean", rd.var, input, dim, unbiased, keepdim, correction)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` of ``input``, over one ``dim`` or all elements: a named tuple ``(min, max)``.

    Ties split the gradient evenly; a NaN is the result of a slice holding one.

    Example::

        >>> ag.aminmax(ag.tensor([[1., 5.], [7., 2.]]), dim=1)
        aminmax(min=tensor([1., 2.]), max=tensor([5., 7.]))
    """
    need_tensor("aminmax", input)
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation "
                               "has no identity.")
    else:
        d = norm_dim(dim, x.ndim)
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    return return_types.aminmax(amin(input, dim, keepdim), amax(input, dim, keepdim))
