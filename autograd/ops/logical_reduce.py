"""all and any: logical reductions (a bool tensor, uint8 kept; no gradient), from ops/reduce.py."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from ._util import _axes, dim_kwargs

__all__ = ["all", "any"]


def _logical(name, input, dim, keepdim, kw):
    dim, keepdim = dim_kwargs(dim, keepdim, kw, name)
    x = input._data
    if isinstance(dim, (tuple, list)) and not dim:  # dim=() reduces nothing here, as PyTorch's all/any
        r = x.astype(backend.bool_)
    else:
        r = getattr(x, name)(axis=_axes(dim, x.ndim), keepdims=bool(keepdim))
    r = r.astype(x.dtype) if x.dtype == backend.uint8 else r
    return Tensor._make(backend.as_array(r, input.device), input.device)


def all(input, dim=None, keepdim=False, **kw):  # noqa: A001 - PyTorch's name
    """True where every element over ``dim`` is nonzero (a bool tensor; no gradient)."""
    return _logical("all", input, dim, keepdim, kw)


def any(input, dim=None, keepdim=False, **kw):  # noqa: A001 - PyTorch's name
    """True where some element over ``dim`` is nonzero (a bool tensor; no gradient)."""
    return _logical("any", input, dim, keepdim, kw)
