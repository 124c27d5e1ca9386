"""Reducing scatters: scatter_reduce, index_reduce, index_put and put.

:class:`ScatterReduce` writes ``src`` into a copy of ``input`` along ``dim`` at ``index``,
combining repeated positions (and, with ``include_self``, the value already there) by sum,
product, mean, maximum or minimum. The forward uses only array calls CuPy has: products,
maxima and minima per position come from a segmented scan over the positions sorted
(:func:`_segment_reduce`), sums from the backend's scatter-add. The backward is PyTorch's
(``scatter_reduce_backward``), written with Tensor ops so that it is differentiable again.
``index_put`` and ``put`` are the indexing primitive :class:`~autograd.ops.indexing.IndexPut`
with PyTorch's argument checks.
"""
from __future__ import annotations

import warnings

from .. import backend
from ..function import Primitive
from ..grad_mode import no_grad, state
from ..tensor import Tensor
from ._util import fill_value, norm_dim
from .gather import _check_along, _int_index, _long_index, _scatter, gather, scatter, scatter_add
from .indexing import IndexPut, _parse_index, getitem
from .inplace import _apply as _inplace

__all__ = ["scatter_reduce", "index_reduce", "index_put", "index_put_", "put"]  # other *_ forms: methods

_REDUCES = ("sum", "prod", "mean", "amax", "amin")


# ---------------------------------------------------------------- array kernels
def _positions(xp, index, dim, shape):
    """Flat (C-order) positions in an array of ``shape`` that ``index`` picks along ``dim``."""
    n = len(shape)
    pos = None
    stride = 1
    for k in range(n - 1, -1, -1):
        if k == dim:
            part = index.astype(backend.int64, copy=False) * stride
        else:
            part = xp.arange(index.shape[k], dtype=backend.int64).reshape((-1,) + (1,) * (n - 1 - k)) * stride
        pos = part if pos is None else pos + part
        stride *= shape[k]
    return xp.broadcast_to(pos, index.shape).reshape(-1)


def _segment_reduce(xp, pos, vals, ufunc):
    """The distinct positions of ``pos`` and ``ufunc`` reduced over the values at each.

    A segmented inclusive scan (Hillis-Steele) over the values sorted by position: after the
    step of width ``w`` each entry holds the reduction of up to ``2w`` entries of its segment,
    so the last entry of each segment ends with all of them (``log2(n)`` array steps).
    """
    order = xp.argsort(pos, kind="stable")
    p, v = pos[order], vals[order]
    n = p.shape[0]
    step = 1
    while step < n:
        same = p[step:] == p[:-step]
        v = xp.concatenate([v[:step], xp.where(same, ufunc(v[step:], v[:-step]), v[step:])])
        step *= 2
    last = xp.concatenate([p[1:] != p[:-1], xp.ones(1, dtype=bool)])
    return p[last], v[last]


_UFUNC = {"prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _reduce_into(be, x, pos, vals, reduce, include_self):
    """A copy of array ``x`` with ``vals`` reduced into it at flat positions ``pos``."""
    xp = be.xp
    out = x.copy()
    if pos.size == 0:
        return out
    flat = out.reshape(-1)  # a view: ``out`` is a fresh C-contiguous copy
    if reduce in ("sum", "mean"):
        if not include_self:
            flat[pos] = 0
        be.scatter_add(flat, pos, vals)
        if reduce == "mean":
            count = xp.full(flat.shape, 1 if include_self else 0, dtype=flat.dtype)
            be.scatter_add(count, pos, xp.ones(pos.shape, dtype=flat.dtype))
            count = xp.where(count == 0, 1, count).astype(flat.dtype, copy=False)
            flat[...] = flat / count if flat.dtype.kind == "f" else flat // count  # PyTorch: floor for ints
        return out
    ufunc = getattr(xp, _UFUNC[reduce])
    where, red = _segment_reduce(xp, pos, vals, ufunc)
    flat[where] = ufunc(flat[where], red) if include_self else red
    return out


# ---------------------------------------------------------------- the primitive
class ScatterReduce(Primitive):
    """``x`` with ``src`` reduced in along ``dim`` at ``index`` (``src`` has ``index``'s shape)."""

    @staticmethod
    def forward(ctx, x, src, index, dim, reduce, include_self):
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        be = ctx.device.backend
        pos = _positions(be.xp, index, dim, x.shape)
        out = _reduce_into(be, x, pos, src.reshape(-1), reduce, include_self)
        ctx.save_for_backward(x, src, index, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, src, index, result = ctx.saved_tensors
        d, reduce, inc = ctx.dim, ctx.reduce, ctx.include_self
        if reduce == "sum":
            gx, gs = g, gather(g, d, index)
        elif reduce == "mean":
            n = g.detach() * 0 + (1.0 if inc else 0.0)
            n = scatter_add(n, d, index, src.detach() * 0 + 1.0)
            n = n.masked_fill(n == 0, 1.0)
            gx, gs = g / n, gather(g, d, index) / gather(n, d, index)
        elif reduce == "prod":
            # PyTorch's: exclusive products where self or a lone src entry is 0 (dividing would give 0/0)
            masked_self = x.masked_fill(x == 0, 1.0)
            gx = g * scatter_reduce(masked_self, d, index, src, "prod", include_self=inc) / masked_self
            src_zero = src == 0
            zeros = scatter_add(x.detach() * 0, d, index, src_zero.to(x.dtype))
            single = src_zero & (gather(zeros, d, index) == 1)
            masked_src = src.masked_fill(single, 1.0)
            masked_src_result = scatter_reduce(x, d, index, masked_src, "prod", include_self=inc)
            gs = (gather(g * masked_src_result, d, index)).where(
                single, gather(g * result, d, index) / src.masked_fill(src_zero, 1.0))
            if state.enabled and bool((gather(zeros, d, index) > 1).any()):
                gs = _DoubleBackwardError.apply(gs)  # as PyTorch: this gradient is not differentiable
        else:  # amax / amin: the gradient is split evenly among the entries equal to the result
            self_is = (x == result).to(x.dtype)
            src_is = (src == gather(result, d, index)).to(x.dtype)
            gd = g / scatter_add(self_is, d, index, src_is)
            gx, gs = self_is * gd, src_is * gather(gd, d, index)
        if not inc:
            gx = scatter(gx, d, index, 0.0)
        return gx, gs, None, None, None, None


class _DoubleBackwardError(Primitive):
    """The identity, whose gradient raises (PyTorch's DelayedError on prod's src gradient when several
    zeros meet at one position)."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("scatter_reduce(): Double backward is unsupported for src when >1 zeros in src "
                           "are scattered to the same position in self")


class _NoDerivative(Primitive):
    """A value computed without recording, recorded from the inputs it came from, whose gradient
    raises: PyTorch's ``NotImplemented`` node (``scatter(..., reduce=...)`` has no derivative)."""

    @staticmethod
    def forward(ctx, value, x, src, name):
        ctx.name = name
        return value

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(f"derivative for {ctx.name} is not implemented")


def _dim_args(input, dim, index, src, op):
    """``(dim, index, src)`` checked as PyTorch's scatter checks them; ``src`` cut to ``index``'s shape."""
    for name, t in (("index", index), ("src", src)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    index = _int_index(index, input, "scatter")
    if src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    d = norm_dim(dim, input.ndim)
    _check_along(input, index, d, op, src)
    if src.shape != index.shape:
        src = getitem(src, tuple(slice(0, n) for n in index.shape))
    return d, index, src


def _apply(cls, input, dim, index, src, reduce, include_self, op):
    if input.ndim == 0:
        flat = [t.reshape(-1) if isinstance(t, Tensor) else t for t in (index, src)]
        return _apply(cls, input.reshape(-1), dim, *flat, reduce, include_self, op).reshape(())
    d, index, src = _dim_args(input, dim, index, src, op)
    return cls.apply(input, src, index, d, reduce, bool(include_self))


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``input`` with the values of ``src`` reduced in along ``dim`` at ``index``.

    ``out[index[i][j]][j] = reduce(out[index[i][j]][j], src[i][j])`` for ``dim=0``, over every
    ``(i, j)`` that points at a position, starting from ``input``'s value there when
    ``include_self`` (else from ``src``'s values alone). Positions no index points at keep
    ``input``'s value.

    Args:
        input: the tensor to scatter into.
        dim: the dimension along which to index.
        index: int64 tensor with ``input``'s number of dimensions, no larger than ``src``.
        src: the values (``input``'s dtype).
        reduce: ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``.
        include_self: whether ``input``'s values take part in the reduction.

    Example::

        >>> x = ag.tensor([1., 2., 3., 4.])
        >>> x.scatter_reduce(0, ag.tensor([0, 0, 2]), ag.tensor([5., 6., 7.]), "amax")
        tensor([6., 2., 7., 4.])
    """
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return _apply(ScatterReduce, input, dim, index, src, reduce, include_self, "scatter_reduce")


def scatter_with_reduce(input, dim, index, src, reduce, name="aten::scatter"):
    """``scatter(input, dim, index, src, reduce='add' | 'multiply')``: the value, and, as PyTorch, a
    node whose backward raises "derivative for aten::scatter is not implemented" (``name``
    ``aten::scatter_`` for the in-place form); a tensor ``src`` warns that the form is deprecated."""
    if isinstance(src, Tensor):
        if src.dtype != input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                      "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                      "reduction options.", UserWarning, stacklevel=3)
    with no_grad():
        if not isinstance(src, Tensor):  # a number: one term (or factor) per index entry
            index = _int_index(index, input, "scatter")
            src = Tensor._make(input.device.xp.full(index.shape, fill_value(src, input._data.dtype, True),
                                                 dtype=input.dtype), input.device)
        if reduce == "add":
            out = _scatter(input, dim, index, src, True, "scatter")
        else:
            out = _apply(ScatterReduce, input, dim, index, src, "prod", True, "scatter")
    if state.enabled and (input.requires_grad or (isinstance(src, Tensor) and src.requires_grad)):
        out = _NoDerivative.apply(out, input, src if isinstance(src, Tensor) else None, name)
    return out


# ---------------------------------------------------------------- index_reduce
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """``input`` with the slices of ``source`` reduced in at ``index`` (a vector) along ``dim``.

    ``reduce`` is ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``; as :func:`scatter_reduce`
    with ``index`` repeated over the other dimensions (the gradient is the same).
    """
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                           f"{reduce}.")
    if not isinstance(index, Tensor) or index.dtype not in (backend.int64, backend.int32):
        what = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: {what}")
    if index.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {index.ndim} "
                         f"with size: {list(index.shape)}")
    if source.dtype != input.dtype:
        raise RuntimeError("index_reduce_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input.dtype} and source.dtype = {source.dtype}")
    if input.ndim == 0:
        source, index = source.reshape(-1), index.reshape(-1)
        return scatter_reduce(input, dim, index, source, reduce, include_self=include_self)
    d = norm_dim(dim, input.ndim)
    n = index.reshape(-1).shape[0]
    if source.ndim != input.ndim or source.shape[d] != n:
        size = source.shape[d] if source.ndim > d else 1
        raise RuntimeError(f"index_reduce_(): Number of indices ({n}) should be equal to source.size(dim): "
                           f"({size}), for dim: {d}")
    if any(s != t for k, (s, t) in enumerate(zip(source.shape, input.shape)) if k != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(input.shape)} source.shape = "
                           f"{list(source.shape)}")
    xp = input.device.xp
    i = index._data.reshape((-1,) + (1,) * (source.ndim - 1 - d)).astype(backend.int64, copy=False)
    expanded = Tensor._make(xp.broadcast_to(i, source.shape), input.device)
    return scatter_reduce(input, d, expanded, source, reduce, include_self=include_self)


# ---------------------------------------------------------------- index_put / put
def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written at ``input[indices]`` (out of place).

    ``indices`` is a tuple of index tensors (integer or bool), broadcast together as in
    ``input[indices]``; ``values`` broadcasts to the indexed shape. With ``accumulate`` repeated
    positions add up; without, one of the writes lands.

    Example::

        >>> ag.zeros(3).index_put((ag.tensor([0, 2, 0]),), ag.tensor([1., 2., 3.]), accumulate=True)
        tensor([4., 0., 2.])
    """
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' must be Tensor, not {type(values).__name__}")
    if values.dtype != input.dtype:
        # one bool mask and one value is PyTorch's masked_fill path, which casts the value
        if (accumulate or len(indices) != 1 or not isinstance(indices[0], Tensor)
                or indices[0].dtype != backend.bool_ or values.numel() != 1):
            raise RuntimeError("Index put requires the source and destination dtypes match, got "
                               f"{input.dtype} for the destination and {values.dtype} for the source.")
        values = values.to(input.dtype)
    if values.device is not input.device and values.ndim:
        raise RuntimeError(f"index_put(): expected values on {input.device}, got {values.device}")
    for k, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f"index_put(): expected Tensor as element {k} in argument 'indices', but got "
                            f"{type(i).__name__}")
    basic, adv = _parse_index(input, tuple(indices))
    if values.device is not input.device:
        values = values.to(input.device)
    try:
        return IndexPut.apply(input, values, basic, adv, bool(accumulate))
    except (ValueError, RuntimeError) as e:
        if "broadcast" not in str(e) and "shape" not in str(e):
            raise
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast "
                           f"to the indexing result of tensor of shape {list(input.shape)}") from None


def put(input, index, source, accumulate=False):
    """``input`` treated as 1-D with ``source`` written (added, with ``accumulate``) at ``index``.

    Negative indices count from the end; ``source`` has as many elements as ``index``.
    """
    index = _long_index(index, input, "put_")
    if source.dtype != input.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input.dtype} and source.dtype = {source.dtype}")
    if source.numel() != index.numel():
        raise IndexError("put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n = input.numel()
    i = index._data.reshape(-1)
    if i.size and (int(i.max()) >= n or int(i.min()) < -n):
        bad = int(i.max()) if int(i.max()) >= n else int(i.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    flat = Tensor._make(i % max(n, 1), input.device)
    out = IndexPut.apply(input.reshape(-1), source.reshape(-1), None, (flat._data,), bool(accumulate))
    return out.reshape(input.shape)


# ---------------------------------------------------------------- in place
def scatter_reduce_(input, dim, index, src, reduce, *, include_self=True):
    """In-place :func:`scatter_reduce`."""
    return _inplace(input, lambda a, s: scatter_reduce(a, dim, index, s, reduce, include_self=include_self),
                    src)


def index_reduce_(input, dim, index, source, reduce, *, include_self=True):
    """In-place :func:`index_reduce`."""
    return _inplace(input, lambda a, s: index_reduce(a, dim, index, s, reduce, include_self=include_self),
                    source)


def index_put_(input, indices, values, accumulate=False):
    """In-place :func:`index_put`."""
    return _inplace(input, lambda a, v: index_put(a, indices, v, accumulate), values)


def put_(input, index, source, accumulate=False):
    """In-place :func:`put`."""
    return _inplace(input, lambda a, s: put(a, index, s, accumulate), source)
