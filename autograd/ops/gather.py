"""Dim-wise indexing: gather, scatter, scatter_add, index_select, masked_fill, take_along_dim.

Each is written on the indexing primitives of :mod:`autograd.ops.indexing`
(advanced indexing and its scatter-add gradient, :class:`IndexPut`), with the
index built to pick along one dimension.
"""
from __future__ import annotations

import numbers

from .. import backend
from ..function import check_same_device
from ..tensor import Tensor
from ._util import as_tensor_like, check_float_fill, fill_value, norm_dim
from .indexing import IndexAdvanced, IndexPut, _check_bounds, _value_for, getitem

__all__ = ["gather", "scatter", "scatter_add", "index_select", "masked_fill", "masked_scatter",
           "take_along_dim"]


# ---------------------------------------------------------------- dim-wise indexing
def _int_index(index, like, op):
    """``index`` as an integer Tensor on ``like``'s device (a Tensor elsewhere raises, as in PyTorch)."""
    if not isinstance(index, Tensor):
        index = as_tensor_like(index, like)
        if index._data.size == 0 and index.dtype.kind == "f":
            index = index.to(backend.int64)
    elif index.device is not like.device:
        check_same_device(f"{op}()", like, index)
    if index.dtype != backend.int64 and index.dtype != backend.int32:  # PyTorch takes only these two
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index, got index of dtype {index.dtype}")
    return index


def _long_index(index, like, op):
    """``index`` as PyTorch's take / put check it: a Tensor (else TypeError) of int64 (else a
    RuntimeError naming the dtype as PyTorch spells it) on ``like``'s device."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    if index.device is not like.device:
        check_same_device(f"{op}()", like, index)
    if index.dtype != backend.int64:
        from .math_more import torch_name
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got {torch_name(index.dtype)}")
    return index


def _along(index, d, xp):
    """The full index tuple that picks ``index`` along ``d`` and the position itself elsewhere."""
    n = index.ndim
    parts = []
    for k in range(n):
        if k == d:
            parts.append(index._data)
        else:
            parts.append(xp.arange(index.shape[k]).reshape((-1,) + (1,) * (n - 1 - k)))
    return tuple(parts)


def _check_along(input, index, d, op, src=None):
    if index.ndim != input.ndim:
        raise RuntimeError(
            f"{op}(): Index tensor must have the same number of dimensions as input tensor "
            f"(index shape {list(index.shape)}, input shape {list(input.shape)})"
        )
    for k, (i, s) in enumerate(zip(index.shape, input.shape)):
        if k != d and i > s:
            raise RuntimeError(
                f"{op}(): Size does not match at dimension {k} expected index {list(index.shape)} to "
                f"be no larger than self {list(input.shape)} apart from dimension {d}"
            )
    if src is not None and any(i > s for i, s in zip(index.shape, src.shape)):
        raise RuntimeError(
            f"{op}(): Expected index {list(index.shape)} to be no larger than src "
            f"{list(src.shape)} in every dimension"
        )
    _check_bounds(index._data, input.shape[d], d, RuntimeError, negative=False, op=f"{op}(): ")


def gather(input, dim, index, *, sparse_grad=False):
    """Values of ``input`` picked along ``dim`` by ``index``.

    ``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim=0``; ``index``
    has ``input``'s number of dimensions and is no larger in the others.
    ``sparse_grad`` is accepted; the gradient is always dense (xpgrad has no sparse tensors).
    """
    index = _int_index(index, input, "gather")
    if input.ndim == 0 or index.ndim == 0:
        if input.ndim <= 1 and index.ndim <= 1:
            norm_dim(dim, 1)
            return gather(input.reshape(-1), 0, index.reshape(-1)).reshape(index.shape)
    d = norm_dim(dim, input.ndim)
    _check_along(input, index, d, "gather")
    return IndexAdvanced.apply(input, _along(index, d, input.device.xp))


def _scatter(input, dim, index, src, accumulate, op):
    index = _int_index(index, input, op)
    if isinstance(src, Tensor) and src.dtype != input.dtype:  # PyTorch casts nothing here
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if input.ndim == 0:
        src = src.reshape(-1) if isinstance(src, Tensor) else src
        return _scatter(input.reshape(-1), dim, index.reshape(-1), src, accumulate, op).reshape(())
    d = norm_dim(dim, input.ndim)
    if isinstance(src, Tensor):
        _check_along(input, index, d, op, src)
        if src.shape != index.shape:
            src = getitem(src, tuple(slice(0, n) for n in index.shape))
    else:
        _check_along(input, index, d, op)
        check_float_fill(src, input._data.dtype)  # float16: 1e6 raises, as PyTorch
    src = _value_for(input, src, op)
    return IndexPut.apply(input, src, None, _along(index, d, input.device.xp), accumulate)


def scatter(input, dim, index, src=None, reduce=None, *, value=None):
    """``input`` with ``src`` written along ``dim`` at ``index`` (out of place).

    ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``. ``src`` is a tensor or
    a number (or ``value=``, PyTorch's keyword for a number); ``reduce="add"`` adds instead
    (repeated indices accumulate), ``"multiply"`` multiplies (neither has a gradient, as PyTorch:
    backward raises; use ``scatter_add`` / ``scatter_reduce``).
    """
    if (src is None) == (value is None):
        raise TypeError("scatter() takes src or value (exactly one of them)")
    src = value if src is None else src
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if reduce is not None:
        from .scatter_reduce import scatter_with_reduce

        return scatter_with_reduce(input, dim, index, src, reduce)
    return _scatter(input, dim, index, src, False, "scatter")


def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added along ``dim`` at ``index`` (repeated indices accumulate)."""
    return _scatter(input, dim, index, src, True, "scatter_add")


def index_select(input, dim, index):
    """The entries of ``input`` along ``dim`` at the positions in ``index`` (a vector)."""
    index = _int_index(index, input, "index_select")
    if index.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape {list(index.shape)}")
    scalar = input.ndim == 0
    if scalar:  # as PyTorch: one index, a 0-d result
        norm_dim(dim, 1)
        if index.numel() != 1:
            raise IndexError(f"index_select(): Index to scalar can have only 1 value, got {index.numel()} "
                             "value(s)")
        input = input.reshape(1)
    d = norm_dim(dim, input.ndim)
    flat = index._data.reshape(-1)
    _check_bounds(flat, input.shape[d], d, IndexError, negative=False, op="index_select(): ")
    out = IndexAdvanced.apply(input, (slice(None),) * d + (flat,))
    return out.reshape(()) if scalar else out


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True.

    ``mask`` is a bool tensor that broadcasts with ``input``; ``value`` a number or a 0-d tensor
    (which receives a gradient).
    """
    from .elementwise import where

    if not isinstance(mask, Tensor) or mask.dtype != backend.bool_:
        what = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {what}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "masked_fill only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
    elif not isinstance(value, numbers.Number) or isinstance(value, complex):
        raise TypeError(f"masked_fill(): value must be a number or a 0-d Tensor, not {type(value).__name__}")
    else:
        value = fill_value(value, input._data.dtype, check_float=True)  # uint8: -1 is 255, 300 raises
        value = Tensor._make(input.device.xp.asarray(value).astype(input.dtype), input.device)
    value = _value_for(input, value, "masked_fill")
    return where(mask, value, input)


def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (over the flattened input when ``dim`` is None).

    Unlike :func:`gather`, ``input`` and ``indices`` broadcast in the other dimensions, and with a
    ``dim`` a negative index counts from the end (as PyTorch).
    """
    from .shape import expand, reshape

    indices = _int_index(indices, input, "take_along_dim")
    if dim is None:
        return gather(reshape(input, -1), 0, reshape(indices, -1))
    if input.ndim != indices.ndim:
        raise RuntimeError(
            f"take_along_dim(): input and indices should have the same number of dimensions, but got "
            f"{input.ndim} dimensions for input, and {indices.ndim} dimensions for indices"
        )
    if input.ndim == 0:
        return gather(input, dim, indices)
    d = norm_dim(dim, input.ndim)
    if input.shape[d] and bool((indices._data < 0).any()):  # PyTorch counts a negative index from the end
        indices = indices + (indices < 0).to(indices.dtype) * input.shape[d]
    xs = list(input.shape)
    ix = list(indices.shape)
    xs[d] = ix[d] = 1
    b = []
    for m, n in zip(xs, ix):
        if m != n and m != 1 and n != 1:
            raise RuntimeError(
                f"take_along_dim(): shapes {list(input.shape)} (input) and {list(indices.shape)} "
                f"(indices) are not broadcastable apart from dimension {d}"
            )
        b.append(n if m == 1 else m)
    bx, bi = list(b), list(b)
    bx[d], bi[d] = input.shape[d], indices.shape[d]
    if tuple(bx) != input.shape:
        input = expand(input, bx)
    if tuple(bi) != indices.shape:
        indices = expand(indices, bi)
    return gather(input, d, indices)


def masked_scatter(input, mask, source):
    """``input`` with the elements of ``source`` (read in row-major order) written where ``mask``
    (bool, broadcasting to ``input``'s shape) is True, out of place; differentiable in both."""
    if not isinstance(input, Tensor) or not isinstance(source, Tensor):
        raise TypeError("masked_scatter(): input and source must be Tensors")
    if not isinstance(mask, Tensor) or mask.dtype != backend.bool_:
        raise RuntimeError("masked_scatter_: expected BoolTensor for mask")
    if source.dtype != input.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but got "
                           f"{input.dtype} and {source.dtype}")
    check_same_device("masked_scatter", input, mask, source)
    xp = input.device.xp
    m = mask._data
    if m.shape != input.shape:
        try:
            m = xp.broadcast_to(m, input.shape)
        except ValueError:
            raise RuntimeError(f"masked_scatter: the mask of shape {tuple(mask.shape)} does not broadcast "
                               f"to the input's shape {tuple(input.shape)}") from None
    where = xp.nonzero(m.reshape(-1))[0]
    if where.size > source.numel():
        raise RuntimeError("masked_scatter: Number of elements of source < number of ones in mask")
    values = source.reshape(-1)[:where.size]
    flat = IndexPut.apply(input.reshape(-1), values, None, (where,), False)
    return flat.reshape(input.shape)
