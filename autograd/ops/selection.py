"""Selection and rearrangement: triangles and diagonals, narrow/select/unbind, nonzero, take,
index_fill/index_add/index_copy, masked_select, tensor_split, movedim, the stacks, flips, tile,
repeat_interleave.

All are composites of differentiable ops (indexing, ``where``, ``cat``, ``permute``), so their
gradients and second derivatives come from those.
"""
from __future__ import annotations

import numbers

from .. import backend
from ..tensor import Tensor
from . import elementwise as ew
from . import shape as sh
from ._util import _axes, as_tensor_like, fill_value, norm_dim, shape_arg
from .gather import _int_index, _long_index, index_select, scatter, scatter_add
from .diagonal import diagonal, diagonal_scatter  # noqa: F401  (re-exported)
from .indexing import getitem
from .tri_indices import tril_indices, triu_indices  # noqa: F401  (re-exported)

__all__ = [
    "tril", "triu", "diag", "diag_embed", "diagonal", "diagonal_scatter", "diagflat", "trace", "narrow",
    "select", "unbind", "narrow_copy",
    "nonzero", "argwhere", "count_nonzero", "take", "index_fill", "index_add", "index_copy", "masked_select",
    "tensor_split", "hsplit", "vsplit", "dsplit", "movedim", "moveaxis", "hstack", "vstack", "dstack",
    "column_stack",
    "row_stack", "atleast_1d", "atleast_2d", "atleast_3d", "fliplr", "flipud", "rot90", "tile",
    "repeat_interleave", "tril_indices", "triu_indices",
]


def _check(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")


# ---------------------------------------------------------------- triangles and diagonals
def _triangle(input, diagonal, lower, op):
    _check(input, op)
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    xp = input.device.xp
    n, m = input.shape[-2:]
    offset = xp.arange(m)[None, :] - xp.arange(n)[:, None]
    keep = offset <= diagonal if lower else offset >= diagonal
    mask = Tensor._make(keep, input.device)
    return ew.where(mask, input, _zero(input))  # where, not a product with the mask: inf * 0 would be nan


def _zero(input):
    """A 0-d zero of ``input``'s dtype: filling with it keeps the dtype (the number 0 makes a bool int64)."""
    return Tensor._make(input.device.xp.zeros((), input._data.dtype), input.device)


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements on and below ``diagonal``), zeros elsewhere."""
    return _triangle(input, diagonal, True, "tril")


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements on and above ``diagonal``), zeros elsewhere."""
    return _triangle(input, diagonal, False, "triu")


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Batched diagonal matrices: the last dimension of ``input`` placed on the ``offset`` diagonal of
    the ``(dim1, dim2)`` planes of the result."""
    _check(input, "diag_embed")
    if input.ndim == 0:
        raise RuntimeError("diag_embed(): input must have at least 1 dimension")
    xp = input.device.xp
    k = input.shape[-1]
    size = k + abs(offset)
    if k == 0:  # nothing to place: zeros, still on the graph (input's empty sum is an exact 0) so
        # that a backward through them reaches input, as PyTorch's
        out = Tensor._make(xp.zeros((*input.shape[:-1], size, size), input.dtype), input.device)
        if input.requires_grad:
            out = out + input.sum(-1, keepdim=True).unsqueeze(-1)
    else:
        rows = xp.arange(size)[:, None]
        cols = xp.arange(size)[None, :]
        on = (cols - rows) == offset
        pos = xp.clip(xp.minimum(rows, cols), 0, k - 1)  # row i of diagonal offset>=0 holds x[i]
        picked = getitem(input, (Ellipsis, Tensor._make(pos, input.device)))
        out = ew.where(Tensor._make(on, input.device), picked, _zero(input))
    nd = out.ndim
    d1, d2 = norm_dim(dim1, nd), norm_dim(dim2, nd)
    if (d1, d2) != (nd - 2, nd - 1):
        out = movedim(out, (-2, -1), (d1, d2))
    return out


def diag(input, diagonal=0):
    """A 1-D ``input`` as the ``diagonal``-th diagonal of a square matrix; of a 2-D ``input``, that
    diagonal as a 1-D tensor."""
    _check(input, "diag")
    if input.ndim == 1:
        return diag_embed(input, diagonal)
    if input.ndim == 2:  # a copy, as PyTorch's (diagonal() is the view)
        return globals()["diagonal"](input, diagonal).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diagflat(input, offset=0):
    """``input`` flattened, as the ``offset`` diagonal of a square matrix."""
    return diag_embed(sh.reshape(input, -1), offset)


def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input._data.dtype == backend.bool_:
        raise NotImplementedError('"trace" not implemented for \'Bool\'')
    return diagonal(input).sum()


# ---------------------------------------------------------------- pieces along a dimension
def narrow(input, dim, start, length):
    """The view of ``input`` along ``dim`` from ``start`` for ``length`` entries."""
    _check(input, "narrow")
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(start, Tensor) and (start.ndim or start.dtype.kind not in "iu"):
        raise RuntimeError("start must be an 0-dim integral Tensor.")  # (a float was truncated)
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def select(input, dim, index):
    """The slice of ``input`` at ``index`` along ``dim`` (that dimension removed)."""
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {d}")
    return getitem(input, (slice(None),) * d + (int(index),))


def unbind(input, dim=0):
    """The slices of ``input`` along ``dim``, as a tuple."""
    _check(input, "unbind")
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = norm_dim(dim, input.ndim)
    return tuple(sh.squeeze(p, d) for p in sh.split(input, 1, d)) if input.shape[d] else ()


def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``n`` nearly equal parts (the first ``size % n`` one larger) or at the given indices."""
    _check(input, "tensor_split")
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    s = indices_or_sections
    if isinstance(s, Tensor):
        if s.dtype != backend.int64:  # (float indices were truncated)
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                               f"got {s.dtype}")
        s = s.item() if s.ndim == 0 else s.tolist()
    if isinstance(s, numbers.Integral):
        if s <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {s}")
        q, r = divmod(n, s)
        sizes = [q + 1] * r + [q] * (s - r)
    else:
        bounds = [min(max(int(i) if i >= 0 else n + int(i), 0), n) for i in s]
        edges = [0] + bounds + [n]
        sizes = [max(b - a, 0) for a, b in zip(edges[:-1], edges[1:])]
        starts = edges[:-1]
        return tuple(getitem(input, (slice(None),) * d + (slice(a, a + k),)) for a, k in zip(starts, sizes))
    return sh.split(input, sizes, d)


def _split_dir(name, input, sections, min_dims, dim):
    """``tensor_split`` along ``dim`` with PyTorch's checks for ``hsplit``/``vsplit``/``dsplit``: at
    least ``min_dims`` dimensions, and an int ``sections`` must divide the dimension."""
    _check(input, name)
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                           f"tensor with {input.ndim} dimensions!")
    if isinstance(sections, numbers.Integral) and not isinstance(sections, bool):
        size = input.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input, sections):
    """``tensor_split`` along dim 1 (dim 0 for 1-D input); an int ``sections`` must divide it."""
    return _split_dir("hsplit", input, sections, 1, 1 if getattr(input, "ndim", 0) > 1 else 0)


def vsplit(input, sections):
    """``tensor_split`` along dim 0 of an input of at least 2 dims; an int ``sections`` must divide it."""
    return _split_dir("vsplit", input, sections, 2, 0)


def dsplit(input, sections):
    """``tensor_split`` along dim 2 of an input of at least 3 dims; an int ``sections`` must divide it."""
    return _split_dir("dsplit", input, sections, 3, 2)


# ---------------------------------------------------------------- masks and indices (not differentiable)
def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or one vector per dimension."""
    _check(input, "nonzero")
    xp = input.device.xp
    a = input._data if input.ndim else input._data.reshape(1)
    idx = xp.nonzero(a)
    if as_tuple:
        return tuple(Tensor._make(i.astype(backend.int64, copy=False), input.device) for i in idx)
    out = xp.stack(idx, axis=1) if idx else xp.zeros((int(xp.count_nonzero(a)), 0))
    if input.ndim == 0:
        out = out[:, :0]
    return Tensor._make(out.astype(backend.int64, copy=False), input.device)


def argwhere(input):
    """``nonzero(input)``: an ``(n, ndim)`` tensor of indices."""
    return nonzero(input)


def count_nonzero(input, dim=None):
    """Number of non-zero elements (along ``dim``)."""
    _check(input, "count_nonzero")
    xp = input.device.xp
    axis = _axes(dim, input.ndim)  # None (and dim=() or any dim of a 0-d input) counts all, as PyTorch
    out = xp.count_nonzero(input._data, axis=axis)
    return Tensor._make(xp.asarray(out).astype(backend.int64, copy=False), input.device)


def masked_select(input, mask):
    """The elements of ``input`` where the boolean ``mask`` (broadcasting) is True, as a 1-D tensor."""
    _check(input, "masked_select")
    if not isinstance(mask, Tensor) or mask.dtype != backend.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = backend.Device("cpu").xp.broadcast_shapes(input.shape, mask.shape)
    x = sh.broadcast_to(input, shape) if input.shape != shape else input
    m = mask._data if mask.shape == shape else input.device.xp.broadcast_to(mask._data, shape)
    return getitem(x, Tensor._make(m, input.device))


def narrow_copy(input, dim, start, length):
    """:func:`narrow`, copied (a tensor of its own, not a view)."""
    return narrow(input, dim, start, length).clone()


def take(input, index):
    """``input`` treated as 1-D, at ``index`` (the result has ``index``'s shape)."""
    index = _long_index(index, input, "take")
    n = input.numel()
    flat = sh.reshape(input, -1)
    i = index._data
    if i.size and (int(i.max()) >= n or int(i.min()) < -n):
        raise IndexError(f"take(): index out of range in self (size {n})")
    return getitem(flat, Tensor._make(backend.as_array(i % max(n, 1), input.device), input.device))


def _along_dim(index, source_shape, d, like):
    """``index`` (a vector) shaped to broadcast along ``d`` and expanded to ``source_shape``."""
    xp = like.device.xp
    i = index._data.reshape((-1,) + (1,) * (len(source_shape) - 1 - d))
    return Tensor._make(xp.broadcast_to(i, source_shape).astype(backend.int64), like.device)


def _vector_index(input, dim, index, op, long_only=False):
    index = _int_index(index, input, op)
    if long_only and index.dtype != backend.int64:  # index_copy, index_fill: int64 only, as PyTorch
        raise RuntimeError(f"{op}_(): Expected a long tensor (int64) for index, but got {index.dtype}")
    if index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    d = norm_dim(dim, max(input.ndim, 1))
    return index.reshape(-1), d


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` added at ``index`` along ``dim`` (repeated indices add up)."""
    index, d = _vector_index(input, dim, index, "index_add")
    if isinstance(alpha, float) and input._data.dtype.kind in "iu":  # cast (checked) to input's dtype,
        alpha = int(fill_value(alpha, input._data.dtype))  # as PyTorch: 2.5 adds 2x, -0.5 adds 0x
    _same_dtype("index_add", input, source)
    src = source if alpha == 1 else ew.mul(source, alpha)
    if input.ndim == 0:
        return scatter_add(input, 0, index, src)
    _check_source("index_add", input, src, d, index)
    return scatter_add(input, d, _along_dim(index, src.shape, d, input), src)


def _same_dtype(name, input, source):
    """PyTorch's index_add_ / index_copy_ cast nothing: ``source`` must have ``input``'s dtype."""
    if isinstance(source, Tensor) and source.dtype != input.dtype:
        raise RuntimeError(f"{name}_(): self ({input.dtype}) and source ({source.dtype}) must have the same "
                           "scalar type")


def _check_source(name, input, source, d, index):
    """``source`` must be ``input``'s shape with ``len(index)`` entries along ``d`` (PyTorch's rule;
    a smaller slice would be written into part of each slice, silently)."""
    want = tuple(input.shape[:d]) + (index.shape[0],) + tuple(input.shape[d + 1:])
    if tuple(source.shape) != want:
        raise RuntimeError(f"{name}(): source of shape {list(source.shape)} does not match: it must be the "
                           f"input's shape {list(input.shape)} with {index.shape[0]} entries (one per index) "
                           f"along dim {d}, i.e. {list(want)}")


def index_copy(input, dim, index, source):
    """``input`` with the slices of ``source`` written at ``index`` along ``dim``."""
    index, d = _vector_index(input, dim, index, "index_copy", long_only=True)
    _same_dtype("index_copy", input, source)
    if input.ndim == 0:
        return scatter(input, 0, index, source)
    _check_source("index_copy", input, source, d, index)
    return scatter(input, d, _along_dim(index, source.shape, d, input), source)


def index_fill(input, dim, index, value):
    """``input`` with ``value`` at the entries ``index`` along ``dim``."""
    index, d = _vector_index(input, dim, index, "index_fill", long_only=True)
    xp = input.device.xp
    n = input.shape[d] if input.ndim else 1
    if index._data.size and (int(index._data.max()) >= n or int(index._data.min()) < -n):
        raise IndexError(f"index_fill(): index out of range for dimension {d} of size {n}")
    hit = xp.zeros(n, dtype=backend.bool_)
    hit[index._data % max(n, 1)] = True
    mask = Tensor._make(hit.reshape((-1,) + (1,) * (input.ndim - 1 - d)) if input.ndim else hit.reshape(()),
                        input.device)
    if isinstance(value, Tensor):
        value = value.to(input.dtype) if value.dtype != input.dtype else value
    else:  # a number in input's dtype (2.7 into int64 is 2), as PyTorch, not promoting input
        value = fill_value(value, input._data.dtype, check_float=True)
        value = Tensor._make(xp.asarray(value).astype(input.dtype), input.device)
    return ew.where(mask, value, input)


# ---------------------------------------------------------------- rearranging
def movedim(input, source, destination):
    """Move dimension(s) ``source`` to position(s) ``destination``; the others keep their order."""
    _check(input, "movedim")
    src = [source] if isinstance(source, numbers.Integral) else list(source)
    dst = [destination] if isinstance(destination, numbers.Integral) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should "
                           f"contain the same number of dims as destination ({dst} dims)")
    nd = input.ndim
    src = [norm_dim(s, nd) for s in src]
    dst = [norm_dim(s, nd) for s in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError("movedim: repeated dim in source or destination")
    order = [i for i in range(nd) if i not in src]
    for s, t in sorted(zip(dst, src)):
        order.insert(s, t)
    return input if order == list(range(nd)) else sh.permute(input, *order)


moveaxis = movedim


def atleast_1d(*tensors):
    """Each tensor with at least 1 dimension (0-d becomes shape ``(1,)``)."""
    out = [t.reshape(1) if t.ndim == 0 else t for t in _flat_args(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dimensions (1-d ``(n,)`` becomes ``(1, n)``)."""
    out = [t.reshape(1, -1) if t.ndim < 2 else t for t in _flat_args(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dimensions (``(n,)`` -> ``(1, n, 1)``, ``(m, n)`` -> ``(m, n, 1)``)."""
    def up(t):
        if t.ndim == 0:
            return t.reshape(1, 1, 1)
        if t.ndim == 1:
            return t.reshape(1, -1, 1)
        return sh.unsqueeze(t, -1) if t.ndim == 2 else t

    out = [up(t) for t in _flat_args(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def _flat_args(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def hstack(tensors):
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    ts = [atleast_1d(t) for t in tensors]
    return sh.cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors):
    """Concatenate the tensors, made at least 2-D, along dim 0."""
    return sh.cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    """Concatenate the tensors, made at least 3-D, along dim 2."""
    return sh.cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    """1-D tensors as columns (and 2-D ones as they are), concatenated along dim 1."""
    return sh.cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in tensors], 1)


def fliplr(input):
    """Reverse dim 1."""
    if input.ndim < 2:
        raise RuntimeError("fliplr: Input must be >= 2-d.")
    return sh.flip(input, 1)


def flipud(input):
    """Reverse dim 0."""
    if input.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d.")
    return sh.flip(input, 0)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from the first towards the second)."""
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (norm_dim(d, input.ndim) for d in dims)
    if d0 == d1:  # (the same plane twice would transpose nothing: a silent no-op rotation)
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    k %= 4
    if k == 0:
        return input.clone()  # a new tensor, as PyTorch's (never the input itself)
    if k == 2:
        return sh.flip(input, d0, d1)
    if k == 1:
        return sh.transpose(sh.flip(input, d1), d0, d1)
    return sh.flip(sh.transpose(input, d0, d1), d1)


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along each dimension (dims padded with 1s in front)."""
    dims = shape_arg((dims,)) if not isinstance(dims, numbers.Integral) else (int(dims),)
    dims = (1,) * (input.ndim - len(dims)) + tuple(dims)
    return sh.repeat(input, *dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place.

    ``repeats`` is an int or a tensor with one count per entry; with ``input`` a tensor of counts
    and no ``repeats``, returns ``[0]*c0 + [1]*c1 + ...``.
    """
    if repeats is None:  # repeat_interleave(counts)
        counts = input
        xp = counts.device.xp
        out = xp.repeat(xp.arange(counts.shape[0]), counts._data)
        _check_output_size(output_size, out.shape[0])
        return Tensor._make(out.astype(backend.int64), counts.device)
    _check(input, "repeat_interleave")
    if dim is None:
        input, d = sh.reshape(input, -1), 0
    else:
        d = norm_dim(dim, input.ndim)
    xp = input.device.xp
    n = input.shape[d] if input.ndim else 1
    reps = repeats._data if isinstance(repeats, Tensor) else as_tensor_like(repeats, input)._data
    if reps.ndim and reps.shape[0] not in (1, n):
        raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {reps.shape[0]} and input.size({d}) = {n}")
    if reps.size and int(reps.min()) < 0:
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    idx = xp.repeat(xp.arange(n), reps.reshape(-1) if reps.ndim else int(reps))
    _check_output_size(output_size, idx.shape[0])
    return index_select(input, d, Tensor._make(idx.astype(backend.int64), input.device))


def _check_output_size(output_size, size):
    """PyTorch raises for a given ``output_size`` that is not the result's length."""
    if output_size is not None and output_size != size:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {size} but got {output_size}")
