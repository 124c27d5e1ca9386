"""Views that reinterpret a tensor's memory (``view(dtype)``, ``as_strided``) and the in-place shape
methods (``squeeze_``, ``unsqueeze_``, ``t_``, ``transpose_``, ``as_strided_``, ``resize_``)."""
from __future__ import annotations

import math

from .. import backend
from ..function import Primitive
from ..grad_mode import state
from ..tensor import Tensor
from ..view_tracking import live_views, register, shares_root
from . import shape


def is_dtype(obj) -> bool:
    """Whether ``view``'s argument is a dtype (``x.view(ag.int32)``) rather than a size."""
    return not isinstance(obj, (int, tuple, list)) and hasattr(obj, "itemsize") and hasattr(obj, "kind")


def view_dtype(input, dtype):
    """``input``'s memory read as ``dtype``, as ``torch.Tensor.view(dtype)``: with a different element
    size the last dimension (of stride 1) is scaled by the ratio of the sizes. The result shares the
    memory and the version counter and is not differentiable (PyTorch's view.dtype)."""
    from .math_more import torch_name

    dt = backend.as_dtype(dtype)
    arr = input._data
    src = arr.dtype
    if dt.itemsize != src.itemsize:
        what = f"to view {torch_name(src)} as {torch_name(dt)} (different element sizes)"
        if arr.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        stride = arr.strides[-1] // src.itemsize if arr.strides[-1] % src.itemsize == 0 else arr.strides[-1]
        if stride != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {stride}")
        if dt.itemsize > src.itemsize and arr.shape[-1] % (dt.itemsize // src.itemsize):
            raise RuntimeError(f"self.size(-1) must be divisible by {dt.itemsize // src.itemsize} {what}, "
                               f"but got {arr.shape[-1]}")
    out = Tensor._make(arr.view(dt), input.device)
    if input._version is None:
        input._version = [0]
    out._version = input._version
    register(input, (out,))
    return out


# ---------------------------------------------------------------- in-place shape changes
def _reshape_inplace(t, op):
    """``t`` takes the view ``op(t)`` (same memory, new shape and strides) and, when recorded, its
    history; the version counter moves on, as PyTorch's squeeze_ / t_ / ... (a leaf that requires
    grad raises)."""
    t._check_inplace()
    r = op(t)
    views = [v for v in live_views(t) if v is not r]
    t._data = r._data
    if t._viewof is not None and shares_root(t):
        t._viewof = r._viewof  # remade from the root through op
    for v in views:  # remade from t's old shape: they keep sharing values, without a history to rebase
        v._viewof = (v._viewof[0], None)
    if state.enabled and r.requires_grad:
        t._take_history(r)
    t._bump()
    return t


def squeeze_(t, dim=None):
    """In-place :func:`squeeze`."""
    return _reshape_inplace(t, lambda x: shape.squeeze(x, dim))


def unsqueeze_(t, dim):
    """In-place :func:`unsqueeze`."""
    return _reshape_inplace(t, lambda x: shape.unsqueeze(x, dim))


def transpose_(t, dim0, dim1):
    """In-place :func:`transpose` (``swapdims_``, ``swapaxes_``)."""
    return _reshape_inplace(t, lambda x: shape.transpose(x, dim0, dim1))


def t(input):
    """``input.t()``: the transpose of a 2-d tensor, a 0-d or 1-d one as it is; more dims raise, as
    PyTorch's (it returned a 3-d tensor unchanged)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return shape.transpose(input, 0, 1) if input.ndim == 2 else input


def t_(t):
    """In-place ``t()``: transpose a tensor of at most 2 dimensions."""
    if t.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {t.ndim}D")
    return t if t.ndim < 2 else transpose_(t, 0, 1)


def _positions(xp, size, stride, offset):
    """The flat positions ``offset + sum(i_k * stride_k)`` of an ``as_strided`` result."""
    pos = xp.full(size, offset, dtype=backend.int64)
    for k, (n, s) in enumerate(zip(size, stride)):
        pos = pos + (xp.arange(n, dtype=backend.int64) * s).reshape((n,) + (1,) * (len(size) - k - 1))
    return pos


class AsStrided(Primitive):
    """``as_strided`` of a C-contiguous input: a view of its memory; the gradient sums into the
    positions read (overlapping ones add up)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        ctx.args = (x.shape, size, stride, offset)
        item = x.dtype.itemsize
        writeable = getattr(getattr(x, "flags", None), "writeable", True)
        return ctx.device.backend.as_strided(x.reshape(-1)[offset:], size, tuple(s * item for s in stride),
                                             writeable=bool(writeable))

    @staticmethod
    def backward(ctx, g):
        from .indexing import IndexPut

        shape_, size, stride, offset = ctx.args
        xp = ctx.device.xp
        zeros = Tensor._make(xp.zeros(math.prod(shape_), dtype=g._data.dtype), ctx.device)
        pos = _positions(xp, size, stride, offset).reshape(-1)
        return IndexPut.apply(zeros, g.reshape(-1), None, (pos,), True).reshape(shape_), None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        shape_, size, stride, offset = ctx.args
        xp = ctx.device.xp
        out = xp.zeros(math.prod(shape_), dtype=g.dtype)
        ctx.device.backend.scatter_add(out, _positions(xp, size, stride, offset).reshape(-1), g.reshape(-1))
        return out.reshape(shape_), None, None, None


def as_strided(input, size, stride, storage_offset=None):
    """The elements of ``input``'s storage at ``storage_offset + sum(i_k * stride_k)`` (default:
    ``input``'s own offset), in shape ``size``; differentiable (overlapping positions sum their
    gradients). Of a contiguous input a view of its memory, as PyTorch's (writing into it writes
    ``input``), which may read only ``input``'s own elements; of a non-contiguous one a copy of
    its elements read in row-major order from ``storage_offset`` on (PyTorch reads its storage)."""
    from ..tensor_memory import storage_offset as offset_of

    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    own = input._data.flags.c_contiguous
    if storage_offset is None:
        storage_offset = 0
    elif own:  # PyTorch's offset counts from the storage's start; the view starts at input's
        base = offset_of(input)
        if int(storage_offset) < base:
            raise RuntimeError(f"as_strided: storage_offset {storage_offset} lies before the input's first "
                               f"element (its storage offset is {base}); xpgrad's as_strided reads only the "
                               "input's own elements")
        storage_offset = int(storage_offset) - base
    storage_offset = int(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} vs {len(stride)}")
    if any(s < 0 for s in size) or any(s < 0 for s in stride) or storage_offset < 0:
        raise RuntimeError(f"as_strided: negative size, stride or storage offset: size={list(size)}, "
                           f"stride={list(stride)}, storage_offset={storage_offset}")
    need = storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1 if math.prod(size) else 0
    if need > input.numel():
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{storage_offset}, and itemsize {input._data.dtype.itemsize} requiring a storage "
                           f"size of {need * input._data.dtype.itemsize} are out of bounds for storage of "
                           f"size {input.numel() * input._data.dtype.itemsize}")
    if own:
        return AsStrided.apply(input, size, stride, storage_offset)
    pos = _positions(input.device.xp, size, stride, storage_offset)
    return shape.reshape(input, -1)[Tensor._make(pos, input.device)]


def as_strided_(t, size, stride, storage_offset=None):
    """In-place :func:`as_strided` (``t`` takes the result and its history)."""
    return _reshape_inplace(t, lambda x: as_strided(x, size, stride, storage_offset))


def resize_(t, *sizes):
    """Give ``t`` the shape ``sizes``: its first elements (row-major) are kept, new ones are zeros
    (PyTorch leaves them uninitialised). A tensor that requires grad raises, as PyTorch."""
    from ._util import shape_arg

    if t.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    size = shape_arg(sizes)
    n = math.prod(size)
    flat = t._data.reshape(-1)
    if n <= flat.size:
        t._data = flat[:n].reshape(size)
    else:
        data = t.device.xp.zeros(n, dtype=flat.dtype)
        data[:flat.size] = flat
        t._data = data.reshape(size)
    t._bump()
    return t


def resize_as_(t, other):
    """``resize_`` to ``other``'s shape."""
    return resize_(t, *other.shape)
