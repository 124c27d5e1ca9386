"""Indexing: ``x[index]``, ``x[index] = value``, gather/scatter, index_select, masked_fill, take_along_dim.

An index is parsed once (:func:`_parse_index`) into a tuple the backend
understands: ints, slices, ``None`` and device integer arrays (boolean masks
become the integer arrays of their nonzero positions, as PyTorch does), with
every int and array checked against the indexed dimension's size. Basic
indexing (ints, slices, ``None``, ``...``) gives a view; advanced indexing a
copy. The gradient of indexing places ``g`` into zeros (scatter-adding for
advanced indices, so repeated indices accumulate), and the gradient of that is
indexing again, so double backward works.
"""
from __future__ import annotations

import numbers
import operator

from .. import backend
from ..function import Primitive, check_same_device
from ..grad_mode import state
from ..tensor import Tensor
from . import inplace
from ._util import as_tensor_like, norm_dim

__all__ = ["gather", "scatter", "scatter_add", "index_select", "masked_fill", "take_along_dim"]


# ---------------------------------------------------------------- primitives
def _saved_index(ctx):
    """The index tuple saved with ``save_for_backward``, as backend values again."""
    return tuple(p.data if isinstance(p, Tensor) else p for p in ctx.saved_tensors)


def _take(x, basic, adv):
    """``x[basic][adv]`` for a parsed index (either part may be None)."""
    if basic is not None:
        x = Index.apply(x, basic)
    if adv is not None:
        x = IndexAdvanced.apply(x, adv)
    return x


class Index(Primitive):
    """Basic indexing (ints, slices, ``None``): a view of the input."""

    is_view = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x.shape
        ctx.save_for_backward(*index)
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return IndexGrad.apply(g, ctx.shape, _saved_index(ctx), False), None


class IndexAdvanced(Primitive):
    """Advanced indexing (integer arrays, with slices): a copy of the selected elements."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x.shape
        ctx.save_for_backward(*index)
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return IndexGrad.apply(g, ctx.shape, _saved_index(ctx), True), None


class IndexGrad(Primitive):
    """Zeros of ``shape`` with ``g`` placed at ``index``, scatter-added when ``advanced``.

    The gradient of indexing (repeated advanced indices accumulate); its own
    gradient is indexing again.
    """

    @staticmethod
    def forward(ctx, g, shape, index, advanced):
        ctx.advanced = advanced
        ctx.save_for_backward(*index)
        out = ctx.device.xp.zeros(shape, g.dtype)
        if advanced:
            ctx.device.backend.scatter_add(out, index, g)
        else:
            out[index] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        index = _saved_index(ctx)
        return (IndexAdvanced if ctx.advanced else Index).apply(gg, index), None, None, None


class IndexPut(Primitive):
    """``x`` with ``values`` written at ``[basic][adv]`` (scatter-added when ``accumulate``), out of place."""

    @staticmethod
    def forward(ctx, x, values, basic, adv, accumulate):
        ctx.accumulate = accumulate
        ctx.n_basic = -1 if basic is None else len(basic)
        ctx.save_for_backward(*(basic or ()), *(adv or ()))
        ctx.has_adv = adv is not None
        out = x.copy()
        if adv is None:
            if accumulate:
                out[basic] += values
            else:
                out[basic] = values
            return out
        target = out if basic is None else out[basic]  # a view: writes reach ``out``
        if accumulate:
            ctx.device.backend.scatter_add(target, adv, values)
        else:
            target[adv] = values
        return out

    @staticmethod
    def backward(ctx, g):
        saved = _saved_index(ctx)
        n = ctx.n_basic
        basic = None if n < 0 else saved[:n]
        adv = saved[max(n, 0):] if ctx.has_adv else None
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = g if ctx.accumulate else IndexPut.apply(g, 0, basic, adv, False)
        if need[1]:
            gv = _take(g, basic, adv)  # the engine sums it to the values' shape
        return gx, gv, None, None, None


# ---------------------------------------------------------------- index parsing
def _as_index_array(item, device):
    """A Tensor, array, list or tuple used as an index, as a device array (dtype checked)."""
    if isinstance(item, Tensor) or backend.is_array(item):
        a = item.data if isinstance(item, Tensor) else item
        src = backend.device_of(a)
        if src is not device:
            if src.type != "cpu":  # as PyTorch: indices on the CPU or on the indexed tensor's device
                raise RuntimeError(
                    f"indices should be either on cpu or on the same device as the indexed tensor "
                    f"({device}), but got indices on {src} (index of shape {tuple(a.shape)})")
            a = backend.to_device(a, device)  # a host index is copied to the device
    else:
        a = backend.asarray(item, device=device)
        if a.size == 0 and a.dtype.kind == "f":  # x[[]] indexes with an empty integer list
            a = a.astype(backend.int64)
    kind = a.dtype.kind
    if kind == "b":
        return a
    if a.dtype == backend.uint8:  # byte tensors are masks, as in PyTorch
        return a.astype(backend.bool_)
    if kind in "iu":
        return int(backend.to_host(a)) if a.ndim == 0 else a  # a 0-d index selects, as an int
    raise IndexError(
        f"tensors used as indices must be long, int, byte or bool tensors, got an index of dtype "
        f"{a.dtype}"
    )


_PLAIN = (int, type(None))


def _convert(item, device):
    if item is None or item is Ellipsis:
        return item
    if isinstance(item, bool):
        return device.xp.asarray(item)  # a 0-d mask: adds a dimension of size 1 (or 0)
    if isinstance(item, numbers.Integral):
        return int(item)
    if isinstance(item, slice):
        start, stop, step = item.start, item.stop, item.step
        if not (start.__class__ in _PLAIN and stop.__class__ in _PLAIN and step.__class__ in _PLAIN):
            start, stop, step = (None if v is None else operator.index(v) for v in (start, stop, step))
        if step is not None and step <= 0:
            raise ValueError(f"step must be greater than zero, got slice step {step}")
        return slice(start, stop, step)
    if isinstance(item, (Tensor, list, tuple)) or backend.is_array(item) or backend.is_host_array(item):
        return _as_index_array(item, device)
    raise IndexError(
        f"only integers, slices (`:`), ellipsis (`...`), None and integer or boolean tensors are "
        f"valid indices, got {type(item).__name__}"
    )


def _check_bounds(a, n, dim, exc=IndexError, negative=True, op=""):
    """Raise ``exc`` naming the first entry of integer array ``a`` out of range for size ``n``."""
    if not a.size:
        return
    bad = (a >= n) | (a < (-n if negative else 0))
    if bool(bad.any()):
        value = int(backend.to_host(a[bad][:1])[0])
        raise exc(f"{op}index {value} is out of bounds for dimension {dim} with size {n}")


def _plain_basic(index, shape):
    """True for a tuple of in-range ints and plain slices with positive steps (the common case)."""
    for p, n in zip(index, shape):
        c = p.__class__
        if c is int:
            if not -n <= p < n:
                return False
        elif c is slice:
            step = p.step
            if not (p.start.__class__ in _PLAIN and p.stop.__class__ in _PLAIN
                    and (step is None or step.__class__ is int and step > 0)):
                return False
        else:
            return False
    return True


def _parse_index(x, index):
    """``index`` checked against ``x`` and split into ``(basic, advanced)`` for ``x[basic][advanced]``.

    ``basic`` holds ints, slices and ``None``; ``advanced`` slices and device
    integer arrays (either may be None). As in PyTorch, and unlike NumPy, ints
    and ``None`` are applied first, so they never move the advanced dimensions.
    """
    shape = x.shape
    if index.__class__ is int:  # fast path: x[i]
        n = shape[0] if shape else 0
        if not -n <= index < n:
            if not shape:
                raise IndexError("invalid index of a 0-dim tensor; use tensor.item() to read its value")
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
        return (index,), None
    if index.__class__ is slice and shape:
        index = (index,)
    if index.__class__ is tuple and len(index) <= len(shape) and _plain_basic(index, shape):
        return index, None
    device = x.device
    items = index if isinstance(index, tuple) else (index,)
    items = [_convert(i, device) for i in items]
    ndim = len(shape)
    consumed = 0
    ellipses = 0
    for p in items:
        if p is Ellipsis:
            ellipses += 1
        elif isinstance(p, (int, slice)):
            consumed += 1
        elif p is not None:
            consumed += p.ndim if p.dtype.kind == "b" else 1
    if ellipses > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} (got {consumed} indices)")
    parts = []
    d = 0
    for p in items:
        if p is None:
            parts.append(p)
        elif p is Ellipsis:
            parts.extend([slice(None)] * (ndim - consumed))
            d += ndim - consumed
        elif isinstance(p, slice):
            parts.append(p)
            d += 1
        elif isinstance(p, int):
            n = shape[d]
            if not -n <= p < n:
                raise IndexError(f"index {p} is out of bounds for dimension {d} with size {n}")
            parts.append(p)
            d += 1
        elif p.dtype.kind == "b":
            k = p.ndim
            if p.shape != shape[d:d + k]:
                raise IndexError(
                    f"The shape of the mask {list(p.shape)} at index {d} does not match the shape of "
                    f"the indexed tensor {list(shape)} at index {d}"
                )
            parts.extend(device.xp.nonzero(p) if k else (p,))
            d += k
        else:
            _check_bounds(p, shape[d], d)
            parts.append(p)
            d += 1
    arrays = [not (p is None or isinstance(p, (int, slice))) for p in parts]
    if not any(arrays):
        return tuple(parts), None
    if all(isinstance(p, slice) or (a and p.ndim) for p, a in zip(parts, arrays)):
        return None, tuple(parts)  # only slices and arrays: NumPy and PyTorch agree
    # ints and None first (a view), then the arrays over what is left; a 0-d mask is a new
    # dimension of size 1 indexed by [0] (True) or [] (False)
    basic = tuple(None if a and not p.ndim else slice(None) if a else p for p, a in zip(parts, arrays))
    adv = tuple((device.xp.nonzero(p.reshape(1))[0] if not p.ndim else p) if a else slice(None)
                for p, a in zip(parts, arrays) if not isinstance(p, int))
    return basic, adv


# ---------------------------------------------------------------- getitem / setitem
def getitem(input, index):
    """``input[index]`` with NumPy/PyTorch semantics.

    ``index`` may hold ints, slices (positive steps), ``None``, ``...``, and
    integer or boolean tensors, lists or arrays. Basic indexing gives a view;
    gradients of advanced indexing scatter-add (repeated indices accumulate).
    """
    return _take(input, *_parse_index(input, index))


def _value_for(input, value, op):
    """``value`` (number, tensor, list, array) ready to be written into ``input``."""
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return value
    if not isinstance(value, Tensor):
        value = as_tensor_like(value, input)
    if value.device is not input.device:
        if value.ndim:
            raise RuntimeError(
                f"{op}: expected the value on {input.device} (the tensor's device), but got a "
                f"tensor of shape {tuple(value.shape)} on {value.device}"
            )
        value = value.to(input.device)
    return value if value.dtype == input.dtype else value.to(input.dtype)


def setitem(input, index, value):
    """``input[index] = value``, in place.

    Unrecorded (no grad mode, or nothing requires grad) it writes into the
    data and bumps the version counter. Recorded, it runs :class:`IndexPut`
    out of place and ``input`` takes the result and its graph node, so
    gradients flow to ``input``'s earlier value (zero where overwritten) and to
    ``value``. Raises on a leaf that requires grad.
    """
    input._check_inplace()
    basic, adv = _parse_index(input, index)
    value = _value_for(input, value, "setitem")
    try:
        if state.enabled and (input.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            inplace._apply(input, lambda t, v: IndexPut.apply(t, v, basic, adv, False), value)
        else:
            v = value.data if isinstance(value, Tensor) else value
            if adv is None:
                input.data[basic] = v
            else:
                (input.data if basic is None else input.data[basic])[adv] = v
            input._bump()
    except ValueError as e:
        vshape = tuple(value.shape) if isinstance(value, Tensor) else ()
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to the "
            f"indexing result of tensor of shape {list(input.shape)} ({e})"
        ) from None


# ---------------------------------------------------------------- dim-wise indexing
def _int_index(index, like, op):
    """``index`` as an integer Tensor on ``like``'s device (a Tensor elsewhere raises, as in PyTorch)."""
    if not isinstance(index, Tensor):
        index = as_tensor_like(index, like)
        if index.data.size == 0 and index.dtype.kind == "f":
            index = index.to(backend.int64)
    elif index.device is not like.device:
        check_same_device(f"{op}()", like, index)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index, got index of dtype {index.dtype}")
    return index


def _along(index, d, xp):
    """The full index tuple that picks ``index`` along ``d`` and the position itself elsewhere."""
    n = index.ndim
    parts = []
    for k in range(n):
        if k == d:
            parts.append(index.data)
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
    _check_bounds(index.data, input.shape[d], d, RuntimeError, negative=False, op=f"{op}(): ")


def gather(input, dim, index):
    """Values of ``input`` picked along ``dim`` by ``index``.

    ``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim=0``; ``index``
    has ``input``'s number of dimensions and is no larger in the others.
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
    src = _value_for(input, src, op)
    return IndexPut.apply(input, src, None, _along(index, d, input.device.xp), accumulate)


def scatter(input, dim, index, src, reduce=None):
    """``input`` with ``src`` written along ``dim`` at ``index`` (out of place).

    ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``. ``src`` is a tensor or
    a number; ``reduce="add"`` adds instead (repeated indices accumulate).
    """
    if reduce not in (None, "add"):
        raise ValueError(f"scatter(): reduce argument must be None or 'add', got {reduce!r}")
    return _scatter(input, dim, index, src, reduce == "add", "scatter")


def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added along ``dim`` at ``index`` (repeated indices accumulate)."""
    return _scatter(input, dim, index, src, True, "scatter_add")


def index_select(input, dim, index):
    """The entries of ``input`` along ``dim`` at the positions in ``index`` (a vector)."""
    index = _int_index(index, input, "index_select")
    if index.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape {list(index.shape)}")
    if input.ndim == 0:
        norm_dim(dim, 1)
        input = input.reshape(1)
    d = norm_dim(dim, input.ndim)
    flat = index.data.reshape(-1)
    _check_bounds(flat, input.shape[d], d, IndexError, negative=False, op="index_select(): ")
    return IndexAdvanced.apply(input, (slice(None),) * d + (flat,))


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
        value = Tensor._make(input.device.xp.asarray(value).astype(input.dtype), input.device)
    value = _value_for(input, value, "masked_fill")
    return where(mask, value, input)


def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (over the flattened input when ``dim`` is None).

    Unlike :func:`gather`, ``input`` and ``indices`` broadcast in the other dimensions.
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
