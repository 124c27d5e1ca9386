"""Indexing: ``x[index]`` and ``x[index] = value`` (the primitives that dim-wise indexing builds on).

An index is parsed once (:func:`_parse_index`) into a tuple the backend
understands: ints, slices, ``None`` and device integer arrays (boolean masks
become the integer arrays of their nonzero positions, as PyTorch does), with
every int and array checked against the indexed dimension's size. Basic
indexing (ints, slices, ``None``, ``...``) gives a view; advanced indexing a
copy. The gradient of indexing places ``g`` into zeros (scatter-adding for
advanced indices, so repeated indices accumulate), and the gradient of that is
indexing again, so double backward works. gather/scatter, index_select,
masked_fill and take_along_dim live in :mod:`autograd.ops.gather` (importable
from here too).
"""
from __future__ import annotations

import numbers
import operator
import warnings

from .. import backend
from ..function import Primitive
from ..grad_mode import state
from ..tensor import Tensor
from . import inplace
from ._util import as_tensor_like, fill_value

__all__ = []  # getitem/setitem are reached as ``x[index]``; the dim-wise ops are in ops/gather.py

_MOVED = ("gather", "scatter", "scatter_add", "index_select", "masked_fill", "take_along_dim")


def __getattr__(name):
    if name in _MOVED:  # their home before ops/gather.py
        from . import gather

        return getattr(gather, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- primitives
def _saved_index(ctx):
    """The index tuple saved with ``save_for_backward``, as backend values again."""
    return tuple(p._data if isinstance(p, Tensor) else p for p in ctx.saved_tensors)


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
    advanced = False

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x.shape
        ctx.save_for_backward(*index)
        return _index_array(x, index, ctx.advanced)

    @staticmethod
    def backward(ctx, g):
        return IndexGrad.apply(g, ctx.shape, _saved_index(ctx), ctx.advanced), None

    @staticmethod
    def raw_backward(ctx, g):
        out = ctx.device.xp.zeros(ctx.shape, g.dtype)
        ctx.raw_scatter(ctx, out, g)
        return out, None

    @staticmethod
    def raw_scatter(ctx, out, g):
        out[ctx.saved_arrays] += g


class IndexAdvanced(Index):
    """Advanced indexing (integer arrays, with slices): a copy of the selected elements."""

    is_view = False
    advanced = True

    @staticmethod
    def raw_scatter(ctx, out, g):
        ctx.device.backend.scatter_add(out, ctx.saved_arrays, g)


def _index_array(x, index, advanced):
    """``x[index]``; a basic index that selects one element gives a 0-d view, not a NumPy scalar."""
    out = x[index]
    if out.ndim == 0 and not advanced and Ellipsis not in index:
        out = x[index + (Ellipsis,)]  # a 0-d view of x, not a NumPy scalar (a copy)
    return out


def _take_array(x, basic, adv):
    """:func:`_take` on arrays."""
    if basic is not None:
        x = _index_array(x, basic, False)
    return x if adv is None else _index_array(x, adv, True)


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

    @staticmethod
    def raw_backward(ctx, gg):
        return _index_array(gg, ctx.saved_arrays, ctx.advanced), None, None, None


class IndexPut(Primitive):
    """``x`` with ``values`` written at ``[basic][adv]`` (scatter-added when ``accumulate``), out of place."""

    @staticmethod
    def forward(ctx, x, values, basic, adv, accumulate):
        ctx.accumulate = accumulate
        ctx.values_ndim = getattr(values, "ndim", 0)  # it may have leading 1s beyond the target's dims
        ctx.n_basic = -1 if basic is None else len(basic)
        ctx.save_for_backward(*(basic or ()), *(adv or ()))
        ctx.has_adv = adv is not None
        return _put_array(ctx.device.backend, x, values, basic, adv, accumulate)

    @staticmethod
    def backward(ctx, g):
        basic, adv = _split_index(ctx, _saved_index(ctx))
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = g if ctx.accumulate else IndexPut.apply(g, 0, basic, adv, False)
        if need[1]:
            gv = _lead_ones(_take(g, basic, adv), ctx.values_ndim)  # the engine sums it to the values' shape
        return gx, gv, None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        basic, adv = _split_index(ctx, ctx.saved_arrays)
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = g if ctx.accumulate else _put_array(ctx.device.backend, g, 0, basic, adv, False)
        if need[1]:
            gv = _lead_ones(_take_array(g, basic, adv), ctx.values_ndim)
        return gx, gv, None, None, None


def _lead_ones(g, ndim):
    """``g`` (Tensor or array) with leading 1s up to ``ndim`` dims: values written with extra
    leading 1s ((1, 1, 4) into rows of 4) get their gradient summed to their own shape."""
    extra = ndim - g.ndim
    return g if extra <= 0 else g.reshape((1,) * extra + tuple(g.shape))


def _split_index(ctx, saved):
    """The saved ``(basic, adv)`` index parts of an :class:`IndexPut`."""
    n = ctx.n_basic
    return (None if n < 0 else saved[:n]), (saved[max(n, 0):] if ctx.has_adv else None)


def _put_array(backend_, x, values, basic, adv, accumulate):
    """A copy of array ``x`` with ``values`` written (or scatter-added) at ``[basic][adv]``."""
    out = x.copy()
    if adv is None:
        basic = basic + (Ellipsis,)  # a 0-d target stays an array: values may have leading 1s
        if accumulate:
            out[basic] += values
        else:
            out[basic] = values
        return out
    target = out if basic is None else out[basic]  # a view: writes reach ``out``
    if accumulate:
        backend_.scatter_add(target, adv, values)
    else:
        target[adv] = values
    return out


# ---------------------------------------------------------------- index parsing
def _as_index_array(item, device):
    """A Tensor, array, list or tuple used as an index, as a device array (dtype checked)."""
    if isinstance(item, Tensor) or backend.is_array(item):
        a = item._data if isinstance(item, Tensor) else item
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
    if a.dtype == backend.int64 or a.dtype == backend.int32:  # long or int, as PyTorch (not int16, int8)
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
    if isinstance(item, range):  # a sequence of ints, as PyTorch takes it (x[range(n), labels])
        return _as_index_array(list(item), device)
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


_SEQUENCE_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
    "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor "
    "index, x[torch.tensor(seq)], which will result either in an error or a different result")


def _sequence_as_tuple(index):
    """PyTorch 2.13's (deprecated, warned) rule, from NumPy's: a list of fewer than 32 items holding a
    tensor, array, sequence, slice, ``...`` or None is a tuple of indices (x[[rows, cols]] is
    x[rows, cols]); any other list is one index."""
    if len(index) >= 32:
        return False
    for item in index:
        if (item is None or item is Ellipsis or isinstance(item, (Tensor, list, tuple, range, slice))
                or backend.is_array(item) or backend.is_host_array(item)):
            warnings.warn(_SEQUENCE_WARNING, UserWarning, stacklevel=5)  # at the x[seq] line
            return True
    return False


def _parse_index(x, index):
    """``index`` checked against ``x`` and split into ``(basic, advanced)`` for ``x[basic][advanced]``.

    ``basic`` holds ints, slices and ``None``; ``advanced`` slices and device
    integer arrays (either may be None). As in PyTorch, and unlike NumPy, ints
    and ``None`` are applied first, so they never move the advanced dimensions.
    """
    shape = x.shape
    if index.__class__ is list and _sequence_as_tuple(index):
        index = tuple(index)
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
        return fill_value(value, input._data.dtype)  # uint8: -1 is 255, 300 raises, as PyTorch
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
    if adv is None:  # a basic index's region must not hold one memory location twice (an expanded
        # tensor), as PyTorch's copy_ into the view; advanced indexing writes (PyTorch warns)
        inplace.check_no_overlap(input._data if basic is None else input._data[basic])
    try:
        if state.enabled and (input.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            inplace._apply(input, lambda t, v: IndexPut.apply(t, v, basic, adv, False), value)
        else:
            v = value._data if isinstance(value, Tensor) else value
            if adv is None:  # ``...``: a 0-d target takes values with leading 1s, as PyTorch's
                input._data[basic + (Ellipsis,)] = v
            else:
                (input._data if basic is None else input._data[basic])[adv] = v
            input._bump()
    except ValueError as e:
        vshape = tuple(value.shape) if isinstance(value, Tensor) else ()
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to the "
            f"indexing result of tensor of shape {list(input.shape)} ({e})"
        ) from None
